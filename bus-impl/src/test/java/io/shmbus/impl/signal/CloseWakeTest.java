package io.shmbus.impl.signal;

import io.shmbus.MessageHandler;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.WaitStrategy;
import io.shmbus.impl.TestBus;
import io.shmbus.impl.process.WaitChildSupport;
import io.shmbus.impl.ring.RingSubscriber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Closing a subscriber wakes a thread that sleeps in one of its waits ({@link Subscriber#close()} promises it): the
 * thread is seen queued in {@code FUTEX_WAIT} in {@code poll(handler, limit, 30 s)} or {@code awaitMessage(30 s)},
 * another thread closes the subscriber, and the wait must return (0, false) long before its timeout. The
 * subscriber's sleeps are not cut into slices here (normally it wakes every 100 ms to look for a dead publisher's
 * claim, which would hide a missing wake-up behind a 100 ms delay).
 */
class CloseWakeTest
{
    private static final TopicOptions OPTIONS = TopicOptions.builder()
        .capacityBytes(4096)
        .maxMessageLength(64)
        .maxPublishers(2)
        .maxSubscribers(4)
        .build();
    private static final MessageHandler IGNORE = (buffer, offset, length, header) -> { };

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void closeWakesAThreadSleepingInPoll() throws Exception
    {
        closeWhileAsleep(true);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void closeWakesAThreadSleepingInAwaitMessage() throws Exception
    {
        closeWhileAsleep(false);
    }

    private static void closeWhileAsleep(final boolean poll) throws Exception
    {
        try (TestBus bus = TestBus.create("close-wake"))
        {
            final Topic topic = bus.bus().topic("quiet", OPTIONS);
            final Subscriber subscriber =
                topic.subscriber(SubscriberOptions.tethered().waitStrategy(WaitStrategy.futex()));
            WaitChildSupport.setSleepSlice(subscriber, Long.MAX_VALUE);
            final CompletableFuture<Integer> tid = new CompletableFuture<>();
            final CompletableFuture<Long> returned = new CompletableFuture<>();
            final Thread waiting = new Thread(() ->
            {
                tid.complete(WaitChildSupport.currentTid());
                final long timeoutNs = TimeUnit.SECONDS.toNanos(30);
                returned.complete(poll ? subscriber.poll(IGNORE, 16, timeoutNs) :
                    subscriber.awaitMessage(timeoutNs) ? 1L : 0L);
            }, "waiting");
            waiting.setDaemon(true);
            waiting.start();
            try (SignalTestSupport.SyscallProbe probe =
                     new SignalTestSupport.SyscallProbe(ProcessHandle.current().pid(), tid.get(10, TimeUnit.SECONDS)))
            {
                assertTrue(probe.awaitSharedFutexWait(((RingSubscriber)subscriber).dataSignalAddress(),
                    TimeUnit.SECONDS.toNanos(10)), "the subscriber did not sleep: " + probe.describe());
            }
            final long start = System.nanoTime();
            subscriber.close();
            final long result = returned.get(40, TimeUnit.SECONDS);
            final long elapsed = System.nanoTime() - start;
            assertEquals(0, result, "a closed subscriber's wait finds nothing");
            assertTrue(elapsed < TimeUnit.SECONDS.toNanos(10), "the wait returned " + elapsed / 1_000_000 +
                " ms after close, out of a 30 s timeout: close did not wake it");
            System.out.printf("%s returned %.2f ms after close%n", poll ? "poll" : "awaitMessage", elapsed / 1e6);
        }
    }
}
