package io.shmbus.impl.signal;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.TopicStatus;
import io.shmbus.impl.TestBus;
import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.process.ChildGroup;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.ChildSupport;
import io.shmbus.impl.process.StrategySubscriberMain;
import io.shmbus.impl.process.WaitChildSupport;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A publisher sleeping in {@code offerBlocking} on a full 4 KiB ring is woken by the progress of a tethered
 * subscriber in another JVM, again and again, and no message is lost: {@value #MESSAGES} messages, all sent with
 * {@code offerBlocking}, all taken in order by the subscriber (which pauses now and then, so the ring fills often).
 * The first sleep is a real one (the publisher is seen blocked on the space word before the subscriber starts
 * reading); how many wake-ups the subscriber issued (bumps of the space word) is reported.
 *
 * <p>A back-pressured publisher also wakes every 50 ms on its own to look for dead peers, so a lost wake-up here
 * would cost 50 ms, not a hang: how many offers took that long is reported. The protocol itself is checked
 * without that safety net in {@link SleepInterleavingTest}.
 */
class OfferBlockingWakeTest
{
    private static final long MESSAGES = 100_000;
    private static final TopicOptions OPTIONS = TopicOptions.builder()
        .capacityBytes(4096)
        .maxMessageLength(64)
        .maxPublishers(2)
        .maxSubscribers(2)
        .build();

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aBackPressuredPublisherIsWokenByTheSubscribersProgress() throws Exception
    {
        try (TestBus bus = TestBus.create("offer-blocking");
             ChildGroup children = new ChildGroup())
        {
            final Topic topic = bus.bus().topic("full", OPTIONS);
            final UnsafeBuffer control = SignalTestSupport.ring(topic).control();
            final ChildProcess subscriber = children.start("slow-subscriber", StrategySubscriberMain.class,
                "dir=" + bus.directory(), "topic=full", "spec=" + ChildSupport.spec(OPTIONS), "strategy=futex",
                "mode=go", "count=" + MESSAGES, "limit=16", "pauseEvery=200", "pauseMicros=500");
            subscriber.awaitLine("READY", Duration.ofSeconds(60));
            final Publisher publisher = topic.publisher(PublisherOptions.exclusive());

            final CompletableFuture<Integer> tid = new CompletableFuture<>();
            final CompletableFuture<long[]> outcome = new CompletableFuture<>();
            final Thread offering = new Thread(() ->
            {
                tid.complete(WaitChildSupport.currentTid());
                try
                {
                    outcome.complete(publish(publisher));
                }
                catch (final Throwable ex)
                {
                    outcome.completeExceptionally(ex);
                }
            }, "offering");
            offering.setDaemon(true);
            offering.start();
            try (SignalTestSupport.SyscallProbe probe =
                     new SignalTestSupport.SyscallProbe(ProcessHandle.current().pid(), tid.get(10, TimeUnit.SECONDS)))
            {
                assertTrue(probe.awaitSharedFutexWait(control.addressOffset() + ControlDescriptor.SPACE_SIGNAL_OFFSET,
                    TimeUnit.SECONDS.toNanos(10)), "the publisher did not sleep on the space word with the ring " +
                    "full: " + probe.describe());
            }
            final int word = control.getIntVolatile(ControlDescriptor.SPACE_SIGNAL_OFFSET);
            subscriber.send("GO");

            final long[] result = outcome.get(150, TimeUnit.SECONDS);
            final String[] done = subscriber.awaitWords("DONE", Duration.ofSeconds(60));
            assertEquals(Long.toString(MESSAGES), done[0], "messages the subscriber took, in order");
            assertEquals("0", done[1], "subscriber polls that timed out");
            final TopicStatus.PublisherStatus status = topic.status().publishers().stream()
                .filter(p -> p.id() == publisher.id()).findFirst().orElseThrow();
            final int wakes = control.getIntVolatile(ControlDescriptor.SPACE_SIGNAL_OFFSET) - word;
            System.out.printf("offerBlocking: %,d messages through a 4 KiB ring in %.2f s; offers refused for lack " +
                    "of space %,d; wake-ups issued by the subscriber %,d; slowest offerBlocking %.1f ms, %d took " +
                    "over 40 ms%n",
                MESSAGES, result[0] / 1e9, status.backPressured(), wakes, result[1] / 1e6, result[2]);
            assertTrue(wakes > 0, "the subscriber woke the sleeping publisher");
            subscriber.send("EXIT");
            assertEquals(0, subscriber.awaitExit(Duration.ofSeconds(30)));
        }
    }

    /**
     * The subscriber holding a full ring back leaves (from another JVM; another subscriber, here, keeps up): a
     * publisher sleeping in {@code offerBlocking} must be woken (the space word bumped and FUTEX_WAKE called), not
     * left to find out at its next 50 ms look.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aPublisherWaitingForSpaceIsWokenWhenTheSubscriberHoldingItLeaves() throws Exception
    {
        try (TestBus bus = TestBus.create("leave-wake");
             ChildGroup children = new ChildGroup())
        {
            final Topic topic = bus.bus().topic("full", OPTIONS);
            final UnsafeBuffer control = SignalTestSupport.ring(topic).control();
            final ChildProcess subscriber = children.start("leaves", StrategySubscriberMain.class,
                "dir=" + bus.directory(), "topic=full", "spec=" + ChildSupport.spec(OPTIONS), "strategy=futex",
                "mode=command", "count=1000000");
            subscriber.awaitLine("READY", Duration.ofSeconds(60));
            final Subscriber keepsUp = topic.subscriber(SubscriberOptions.tethered());
            final Publisher publisher = topic.publisher(PublisherOptions.exclusive());
            final UnsafeBuffer message = new UnsafeBuffer(new byte[WaitChildSupport.MESSAGE_LENGTH]);
            while (publisher.offer(message, 0, WaitChildSupport.MESSAGE_LENGTH) > 0)
            {
                // fill the ring
            }
            while (keepsUp.poll((buffer, offset, length, header) -> { }, 100) > 0)
            {
                // only the child's subscriber holds the ring back now
            }
            final CompletableFuture<Integer> tid = new CompletableFuture<>();
            final CompletableFuture<long[]> returned = new CompletableFuture<>();
            final Thread offering = new Thread(() ->
            {
                tid.complete(WaitChildSupport.currentTid());
                final long result = publisher.offerBlocking(message, 0, WaitChildSupport.MESSAGE_LENGTH,
                    TimeUnit.SECONDS.toNanos(30));
                returned.complete(new long[] {result, System.nanoTime()});
            }, "offering");
            offering.setDaemon(true);
            offering.start();
            try (SignalTestSupport.SyscallProbe probe =
                     new SignalTestSupport.SyscallProbe(ProcessHandle.current().pid(), tid.get(10, TimeUnit.SECONDS)))
            {
                assertTrue(probe.awaitSharedFutexWait(control.addressOffset() + ControlDescriptor.SPACE_SIGNAL_OFFSET,
                    TimeUnit.SECONDS.toNanos(10)), "the publisher did not sleep on the space word: " +
                    probe.describe());
            }
            final int word = control.getIntVolatile(ControlDescriptor.SPACE_SIGNAL_OFFSET);
            subscriber.send("LEAVE");
            subscriber.awaitLine("LEFT", Duration.ofSeconds(30));
            final long left = System.nanoTime();
            final long[] result = returned.get(40, TimeUnit.SECONDS);
            assertTrue(result[0] > 0, "offerBlocking after the subscriber left: " + result[0]);
            System.out.printf(
                "offerBlocking on a full ring returned %.2f ms after the LEFT line of the subscriber holding it%n",
                (result[1] - left) / 1e6);
            assertTrue(control.getIntVolatile(ControlDescriptor.SPACE_SIGNAL_OFFSET) != word,
                "the subscriber's leaving woke the publisher waiting for space (bumped the space word)");
        }
    }

    /**
     * @return {elapsed ns, slowest offer ns, offers over 40 ms}.
     */
    private static long[] publish(final Publisher publisher)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[WaitChildSupport.MESSAGE_LENGTH]);
        final long timeoutNs = TimeUnit.SECONDS.toNanos(20);
        long slowest = 0;
        long slow = 0;
        final long start = System.nanoTime();
        for (long sequence = 0; sequence < MESSAGES; sequence++)
        {
            message.putLong(WaitChildSupport.SEQUENCE_OFFSET, sequence);
            final long before = System.nanoTime();
            final long result = publisher.offerBlocking(message, 0, WaitChildSupport.MESSAGE_LENGTH, timeoutNs);
            final long took = System.nanoTime() - before;
            assertTrue(result > 0, "offerBlocking of message " + sequence + " returned " + result);
            if (sequence > 0)
            {
                slowest = Math.max(slowest, took); // the first sleep lasts until the subscriber starts
                slow += took > TimeUnit.MILLISECONDS.toNanos(40) ? 1 : 0;
            }
        }
        return new long[] {System.nanoTime() - start, slowest, slow};
    }
}
