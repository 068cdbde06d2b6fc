package io.shmbus.impl.signal;

import io.shmbus.MessageHandler;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Waits with a timeout return when nothing happens, not before the timeout and not much after it (within a
 * generous {@value #LATE_MS} ms on a shared machine): {@code poll(handler, limit, timeout)} and
 * {@code awaitMessage(timeout)} with every wait strategy, {@code offerBlocking} on a full ring held by a tethered
 * subscriber (in another JVM) that never reads, and {@code offerBlocking} on a topic that requires a subscriber and
 * has none. And a publisher sleeping in {@code offerBlocking} for a first subscriber gets its position soon after a
 * subscriber joins from another JVM: the join wakes it.
 */
class WaitTimeoutTest
{
    private static final long TIMEOUT_MS = 300;
    private static final long LATE_MS = 2_000;
    private static final String[] STRATEGIES = {"busySpin", "yielding", "backoff", "spinYieldFutex", "futex"};
    private static final TopicOptions OPTIONS = TopicOptions.builder()
        .capacityBytes(4096)
        .maxMessageLength(64)
        .maxPublishers(2)
        .maxSubscribers(8)
        .build();
    private static final MessageHandler UNEXPECTED = (buffer, offset, length, header) ->
    {
        throw new AssertionError("no message was published");
    };
    private static final Duration LINE_TIMEOUT = Duration.ofSeconds(60);

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void pollAndAwaitMessageReturnAfterTheirTimeout()
    {
        try (TestBus bus = TestBus.create("poll-timeout"))
        {
            final Topic topic = bus.bus().topic("quiet", OPTIONS);
            for (final String strategy : STRATEGIES)
            {
                try (Subscriber subscriber = topic.subscriber(
                    SubscriberOptions.tethered().waitStrategy(WaitChildSupport.strategy(strategy))))
                {
                    long start = System.nanoTime();
                    assertEquals(0, subscriber.poll(UNEXPECTED, 16, TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS)));
                    assertOnTime(strategy + " poll", start);

                    start = System.nanoTime();
                    assertFalse(subscriber.awaitMessage(TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS)));
                    assertOnTime(strategy + " awaitMessage", start);

                    final TopicStatus.SubscriberStatus status = topic.status().subscribers().stream()
                        .filter(s -> s.id() == subscriber.id()).findFirst().orElseThrow();
                    if (strategy.contains("utex"))
                    {
                        assertEquals(2, status.waitTimeouts(), strategy + ": futex waits that ended by timeout");
                        assertTrue(status.waits() >= 2, strategy + ": futex waits " + status.waits());
                    }
                    else
                    {
                        assertEquals(0, status.waits(), strategy + " never sleeps on the futex");
                    }
                }
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void offerBlockingOnAFullRingReturnsBackPressuredAfterItsTimeout()
    {
        try (TestBus bus = TestBus.create("full-timeout");
             ChildGroup children = new ChildGroup())
        {
            final Topic topic = bus.bus().topic("full", OPTIONS);
            final ChildProcess subscriber = children.start("never-reads", StrategySubscriberMain.class,
                "dir=" + bus.directory(), "topic=full", "spec=" + ChildSupport.spec(OPTIONS), "strategy=futex",
                "mode=command", "count=1000000");
            subscriber.awaitLine("READY", LINE_TIMEOUT);
            try (Publisher publisher = topic.publisher(PublisherOptions.exclusive()))
            {
                final UnsafeBuffer message = new UnsafeBuffer(new byte[WaitChildSupport.MESSAGE_LENGTH]);
                int offered = 0;
                while (publisher.offer(message, 0, WaitChildSupport.MESSAGE_LENGTH) > 0)
                {
                    offered++;
                }
                assertTrue(offered > 0, "the ring took some messages before it was full");
                for (int round = 0; round < 3; round++)
                {
                    final long start = System.nanoTime();
                    assertEquals(Publisher.BACK_PRESSURED, publisher.offerBlocking(message, 0,
                        WaitChildSupport.MESSAGE_LENGTH, TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS)));
                    assertOnTime("offerBlocking on a full ring", start);
                }
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void offerBlockingWithoutSubscriberTimesOutAndAJoinWakesIt() throws Exception
    {
        try (TestBus bus = TestBus.create("connect-timeout");
             ChildGroup children = new ChildGroup())
        {
            final Topic topic = bus.bus().topic("lonely", OPTIONS);
            final UnsafeBuffer control = SignalTestSupport.ring(topic).control();
            try (Publisher publisher = topic.publisher(PublisherOptions.exclusive()))
            {
                final UnsafeBuffer message = new UnsafeBuffer(new byte[WaitChildSupport.MESSAGE_LENGTH]);
                final long start = System.nanoTime();
                assertEquals(Publisher.NOT_CONNECTED, publisher.offerBlocking(message, 0,
                    WaitChildSupport.MESSAGE_LENGTH, TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS)));
                assertOnTime("offerBlocking without a subscriber", start);

                // Now wait long, and let a subscriber join from another JVM.
                final CompletableFuture<Integer> tid = new CompletableFuture<>();
                final long[] returned = new long[2];
                final Thread offering = new Thread(() ->
                {
                    tid.complete(WaitChildSupport.currentTid());
                    returned[0] = publisher.offerBlocking(message, 0, WaitChildSupport.MESSAGE_LENGTH,
                        TimeUnit.SECONDS.toNanos(30));
                    returned[1] = System.nanoTime();
                }, "offering");
                offering.setDaemon(true);
                offering.start();
                try (SignalTestSupport.SyscallProbe probe =
                         new SignalTestSupport.SyscallProbe(ProcessHandle.current().pid(),
                             tid.get(10, TimeUnit.SECONDS)))
                {
                    assertTrue(probe.awaitSharedFutexWait(control.addressOffset() +
                        ControlDescriptor.SPACE_SIGNAL_OFFSET,
                        TimeUnit.SECONDS.toNanos(10)), "the publisher did not sleep on the space word: " +
                        probe.describe());
                }
                final int word = control.getIntVolatile(ControlDescriptor.SPACE_SIGNAL_OFFSET);
                final ChildProcess subscriber = children.start("joins", StrategySubscriberMain.class,
                    "dir=" + bus.directory(), "topic=lonely", "spec=" + ChildSupport.spec(OPTIONS),
                    "strategy=futex", "count=1");
                while (control.getIntVolatile(ControlDescriptor.SUBSCRIBER_COUNT_OFFSET) == 0)
                {
                    assertTrue(offering.isAlive() || returned[0] != 0, "offering thread died");
                    Thread.onSpinWait();
                }
                final long joined = System.nanoTime();
                offering.join(TimeUnit.SECONDS.toMillis(30));
                assertTrue(returned[0] > 0, "offerBlocking after the join: " + returned[0]);
                final long latency = returned[1] - joined;
                System.out.printf("offerBlocking for a first subscriber returned %.2f ms after a subscriber in " +
                    "another JVM was counted (the join bumped the space word by %d)%n", latency / 1e6,
                    control.getIntVolatile(ControlDescriptor.SPACE_SIGNAL_OFFSET) - word);
                assertTrue(latency < TimeUnit.SECONDS.toNanos(5), "returned " + latency / 1e6 +
                    " ms after the join, out of a 30 s timeout");
                assertTrue(control.getIntVolatile(ControlDescriptor.SPACE_SIGNAL_OFFSET) != word,
                    "the join woke the publisher (bumped the space word)");
                final String[] done = subscriber.awaitWords("DONE", LINE_TIMEOUT);
                assertEquals("1", done[0], "the subscriber got the message");
                subscriber.send("EXIT");
                assertEquals(0, subscriber.awaitExit(LINE_TIMEOUT));
            }
        }
    }

    private static void assertOnTime(final String what, final long start)
    {
        final long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMs >= TIMEOUT_MS, what + " returned after " + elapsedMs + " ms, before its timeout of " +
            TIMEOUT_MS + " ms");
        assertTrue(elapsedMs < TIMEOUT_MS + LATE_MS, what + " returned after " + elapsedMs + " ms, timeout " +
            TIMEOUT_MS + " ms");
    }
}
