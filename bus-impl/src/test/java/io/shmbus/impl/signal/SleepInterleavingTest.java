package io.shmbus.impl.signal;

import io.shmbus.MessageHandler;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.TopicStatus;
import io.shmbus.WaitStrategy;
import io.shmbus.impl.TestBus;
import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.process.ChildGroup;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.ChildSupport;
import io.shmbus.impl.process.CommandPublisherMain;
import io.shmbus.impl.process.StrategySubscriberMain;
import io.shmbus.impl.process.WaitChildSupport;
import io.shmbus.impl.ring.Ring;
import io.shmbus.impl.ring.RingSubscriber;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The interleavings of the futex protocol, forced one at a time, with the other side in another JVM: the condition
 * a {@link Sleeper} checks is wrapped so that, right after a given check found nothing, the test makes the other
 * process act (commit a message, or consume some) and waits until it has, before letting the sleeper go on.
 *
 * <ul>
 *     <li>after the first check, before the sleeper counts itself as a waiter: the other side finds no waiter and
 *     skips the wake-up; the sleeper's next check (after counting itself) must see the change;</li>
 *     <li>after the last check, before {@code FUTEX_WAIT}: the other side must see the waiter and bump the word, so
 *     that the kernel refuses the sleep (the value the sleeper read before counting itself no longer matches);</li>
 *     <li>while it is queued in {@code FUTEX_WAIT} (seen in /proc): the other side must wake it.</li>
 * </ul>
 *
 * <p>The sleeps are not cut into slices and time out after 10 s: a lost wake-up shows as a sleep of 10 s (after
 * which the sleeper's last check finds the condition true all the same). The same
 * for the data signal (a subscriber waiting for a message, a publisher committing) and the space signal (a publisher
 * waiting for room in a full ring, a tethered subscriber consuming).
 */
class SleepInterleavingTest
{
    private static final TopicOptions OPTIONS = TopicOptions.builder()
        .capacityBytes(4096)
        .maxMessageLength(64)
        .maxPublishers(2)
        .maxSubscribers(2)
        .build();
    private static final Duration LINE_TIMEOUT = Duration.ofSeconds(30);
    private static final long SLEEP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final MessageHandler IGNORE = (buffer, offset, length, header) -> { };

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aCommitAnywhereOnTheWayToSleepWakesTheSubscriber() throws Exception
    {
        try (TestBus bus = TestBus.create("interleave-data");
             ChildGroup children = new ChildGroup())
        {
            final Topic topic = bus.bus().topic("data", OPTIONS);
            final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered().waitStrategy(
                WaitStrategy.futex()));
            final RingSubscriber ringSubscriber = (RingSubscriber)subscriber;
            final ChildProcess publisher = children.start("publisher", CommandPublisherMain.class,
                "dir=" + bus.directory(), "topics=data", "spec=" + ChildSupport.spec(OPTIONS));
            final int publisherId = Integer.parseInt(publisher.awaitWords("READY", LINE_TIMEOUT)[0]);
            final Ring ring = SignalTestSupport.ring(topic);
            final Sleeper sleeper = new Sleeper(ring.control(), ControlDescriptor.DATA_SIGNAL_OFFSET,
                ControlDescriptor.DATA_WAITERS_OFFSET, ControlDescriptor.BLOCKING_SUBSCRIBERS_OFFSET, -1, -1, -1);
            final Runnable commit = () ->
            {
                publisher.send("PUB 0");
                publisher.awaitLine("PUBLISHED", LINE_TIMEOUT);
            };
            try
            {
                // After the first check the sleeper is not yet counted: the publisher skips the wake-up.
                long[] wakes = wakes(topic, publisherId);
                final int before = ring.control().getIntVolatile(ControlDescriptor.DATA_SIGNAL_OFFSET);
                assertEquals(2, awaitWithActionAfterCheck(sleeper, ringSubscriber::isReady, 1, commit),
                    "checks: the commit was seen by the check after counting in");
                assertEquals(wakes[0], wakes(topic, publisherId)[0], "no wake-up issued");
                assertEquals(before, ring.control().getIntVolatile(ControlDescriptor.DATA_SIGNAL_OFFSET),
                    "the futex word was not bumped: the publisher found nobody waiting");
                assertEquals(1, subscriber.poll(IGNORE, 10));

                // After the last check, before FUTEX_WAIT: the publisher sees the waiter and bumps the word.
                wakes = wakes(topic, publisherId);
                final int word = ring.control().getIntVolatile(ControlDescriptor.DATA_SIGNAL_OFFSET);
                assertEquals(3, awaitWithActionAfterCheck(sleeper, ringSubscriber::isReady, 2, commit),
                    "checks: FUTEX_WAIT was refused at once and the next check found the message");
                assertEquals(wakes[0] + 1, wakes(topic, publisherId)[0], "a wake-up issued");
                assertEquals(word + 1, ring.control().getIntVolatile(ControlDescriptor.DATA_SIGNAL_OFFSET));
                assertEquals(1, subscriber.poll(IGNORE, 10));

                // Queued in FUTEX_WAIT: the publisher wakes it.
                wakes = wakes(topic, publisherId);
                awaitWithActionWhileQueued(sleeper, ringSubscriber::isReady,
                    ring.control().addressOffset() + ControlDescriptor.DATA_SIGNAL_OFFSET, commit);
                assertEquals(wakes[0] + 1, wakes(topic, publisherId)[0], "a wake-up issued");
                assertEquals(1, subscriber.poll(IGNORE, 10));
            }
            finally
            {
                sleeper.unregisterBlocking();
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void progressAnywhereOnTheWayToSleepWakesTheBackPressuredPublisher() throws Exception
    {
        try (TestBus bus = TestBus.create("interleave-space");
             ChildGroup children = new ChildGroup())
        {
            final Topic topic = bus.bus().topic("space", OPTIONS);
            final ChildProcess subscriber = children.start("subscriber", StrategySubscriberMain.class,
                "dir=" + bus.directory(), "topic=space", "spec=" + ChildSupport.spec(OPTIONS), "strategy=futex",
                "mode=command", "count=1000000");
            subscriber.awaitLine("READY", LINE_TIMEOUT);
            final Publisher publisher = topic.publisher(PublisherOptions.exclusive());
            final Ring ring = SignalTestSupport.ring(topic);
            final UnsafeBuffer message = new UnsafeBuffer(new byte[WaitChildSupport.MESSAGE_LENGTH]);
            final long[] sequence = {0};
            final BooleanSupplier offered = () ->
            {
                message.putLong(WaitChildSupport.SEQUENCE_OFFSET, sequence[0]);
                final long result = publisher.offer(message, 0, WaitChildSupport.MESSAGE_LENGTH);
                if (result > 0)
                {
                    sequence[0]++;
                    return true;
                }
                assertTrue(result == Publisher.BACK_PRESSURED || result == Publisher.ADMIN_ACTION, "offer: " + result);
                return false;
            };
            final Runnable consume = () ->
            {
                subscriber.send("READ 8");
                subscriber.awaitLine("READ_DONE", LINE_TIMEOUT);
            };
            final Sleeper sleeper = new Sleeper(ring.control(), ControlDescriptor.SPACE_SIGNAL_OFFSET,
                ControlDescriptor.SPACE_WAITERS_OFFSET, ControlDescriptor.BLOCKING_PUBLISHERS_OFFSET, -1, -1, -1);
            try
            {
                // Before the publisher counts itself as one that may sleep, and as a waiter: the subscriber skips
                // the wake-up; the registration's global barrier and the check after counting in see the room.
                fill(offered);
                assertEquals(2, awaitWithActionAfterCheck(sleeper, offered, 1, consume),
                    "checks: the room was seen by the check after counting in");

                // After the last check, before FUTEX_WAIT: the subscriber sees the waiter and bumps the word.
                fill(offered);
                final int word = ring.control().getIntVolatile(ControlDescriptor.SPACE_SIGNAL_OFFSET);
                assertEquals(3, awaitWithActionAfterCheck(sleeper, offered, 2, consume),
                    "checks: FUTEX_WAIT was refused at once and the next check found room");
                assertEquals(word + 1, ring.control().getIntVolatile(ControlDescriptor.SPACE_SIGNAL_OFFSET));

                // Queued in FUTEX_WAIT: the subscriber wakes it.
                fill(offered);
                awaitWithActionWhileQueued(sleeper, offered,
                    ring.control().addressOffset() + ControlDescriptor.SPACE_SIGNAL_OFFSET, consume);
            }
            finally
            {
                sleeper.unregisterBlocking();
            }
        }
    }

    /**
     * Run {@code sleeper.await} with a condition that performs {@code action} right after its {@code n}th check
     * found nothing.
     *
     * @return how many checks it took.
     */
    private static int awaitWithActionAfterCheck(
        final Sleeper sleeper, final BooleanSupplier condition, final int n, final Runnable action)
    {
        final int[] checks = {0};
        final BooleanSupplier ready = () ->
        {
            final boolean result = condition.getAsBoolean();
            if (++checks[0] == n)
            {
                assertTrue(!result, "check " + n + " found the condition already true");
                action.run();
            }
            return result;
        };
        final long start = System.nanoTime();
        final boolean ready0 = sleeper.await(ready, SLEEP_TIMEOUT_NS);
        final long elapsed = System.nanoTime() - start;
        // A sleep that runs to its timeout still finds the condition true at its last check: tell them by the time.
        assertTrue(ready0 && elapsed < SLEEP_TIMEOUT_NS / 2, "lost wake-up: the other side acted right after check " +
            n + " and the sleeper slept " + elapsed / 1_000_000 + " ms (its timeout: 10 s)");
        return checks[0];
    }

    /**
     * Run {@code sleeper.await} in another thread and perform {@code action} once that thread is queued in a shared
     * FUTEX_WAIT on {@code address}.
     */
    private static void awaitWithActionWhileQueued(
        final Sleeper sleeper, final BooleanSupplier condition, final long address, final Runnable action)
        throws Exception
    {
        final CompletableFuture<Integer> tid = new CompletableFuture<>();
        final CompletableFuture<Boolean> woken = new CompletableFuture<>();
        final Thread waiter = new Thread(() ->
        {
            tid.complete(WaitChildSupport.currentTid());
            try
            {
                woken.complete(sleeper.await(condition, SLEEP_TIMEOUT_NS));
            }
            catch (final Throwable ex)
            {
                woken.completeExceptionally(ex);
            }
        }, "sleeper");
        waiter.setDaemon(true);
        waiter.start();
        try (SignalTestSupport.SyscallProbe probe =
                 new SignalTestSupport.SyscallProbe(ProcessHandle.current().pid(), tid.get(10, TimeUnit.SECONDS)))
        {
            assertTrue(probe.awaitSharedFutexWait(address, SLEEP_TIMEOUT_NS / 2),
                "the sleeper did not block in FUTEX_WAIT on its word: " + probe.describe());
        }
        final long start = System.nanoTime();
        action.run();
        final boolean ready = woken.get(30, TimeUnit.SECONDS);
        final long elapsed = System.nanoTime() - start;
        assertTrue(ready && elapsed < SLEEP_TIMEOUT_NS / 2, "lost wake-up: the other side acted while the sleeper " +
            "was queued in FUTEX_WAIT, and it slept on for " + elapsed / 1_000_000 + " ms (its timeout: 10 s)");
        waiter.join(10_000);
    }

    private static void fill(final BooleanSupplier offered)
    {
        while (offered.getAsBoolean())
        {
            // until the ring is full
        }
    }

    /**
     * @return {wakesIssued, wakesSkipped} of the publisher.
     */
    private static long[] wakes(final Topic topic, final int publisherId)
    {
        final TopicStatus.PublisherStatus status = topic.status().publishers().stream()
            .filter(p -> p.id() == publisherId).findFirst().orElseThrow();
        return new long[] {status.wakesIssued(), status.wakesSkipped()};
    }
}
