package io.shmbus.impl.signal;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A subscriber that is busy never costs the publisher a system call: the publisher's only system call on the commit
 * path is the futex wake-up, counted in its slot as {@code wakesIssued}, and it is made only when a subscriber
 * counted itself as a waiter. Where the expedited cross-process barrier is available, nobody registers in the
 * fenced-waiters count either, so commits pay no fence whatever the subscriber's wait strategy. The subscriber is
 * in another JVM; the publisher in this one sends {@value #MESSAGES} messages as fast as it can.
 */
class BusyConsumerWakeTest
{
    private static final long MESSAGES = 1_000_000;
    private static final TopicOptions OPTIONS = TopicOptions.builder()
        .capacityBytes(64 * 1024)
        .maxMessageLength(64)
        .maxPublishers(2)
        .maxSubscribers(2)
        .build();

    /**
     * A busy-spinning subscriber never sleeps: the publisher never issues a wake-up.
     */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aBusySpinningSubscriberCostsNoWakeUp()
    {
        final long[] wakes = run("busy-spin", "busySpin");
        assertEquals(0, wakes[0], "wake-ups issued");
        assertEquals(0, wakes[2], "times the subscriber slept");
    }

    /**
     * A subscriber that spins, yields, then sleeps, kept busy by continuous traffic: a commit issues a wake-up only
     * when it found a sleeper; how many did is reported, not asserted (it depends on the machine's load), but never
     * more than there were commits, and the published count in the slot is exact once the last batch is stored.
     */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aBusySpinYieldFutexSubscriberIsRarelyWoken()
    {
        final long[] wakes = run("spin-yield-futex", "spinYieldFutex");
        assertTrue(wakes[0] <= MESSAGES, "wake-ups issued: " + wakes[0]);
    }

    /**
     * @return {wakesIssued, wakesSkipped, subscriber waits}.
     */
    private static long[] run(final String label, final String strategy)
    {
        try (TestBus bus = TestBus.create(label);
             ChildGroup children = new ChildGroup())
        {
            final Topic topic = bus.bus().topic("busy", OPTIONS);
            final ChildProcess subscriber = children.start("subscriber", StrategySubscriberMain.class,
                "dir=" + bus.directory(), "topic=busy", "spec=" + ChildSupport.spec(OPTIONS),
                "strategy=" + strategy, "count=" + MESSAGES, "timeoutMs=10000");
            final int subscriberId = Integer.parseInt(subscriber.awaitWords("READY", Duration.ofSeconds(60))[0]);
            final UnsafeBuffer control = SignalTestSupport.ring(topic).control();
            final int counted = "busySpin".equals(strategy) || ProcessBarrier.AVAILABLE ? 0 : 1;
            assertEquals(counted, control.getIntVolatile(ControlDescriptor.BLOCKING_SUBSCRIBERS_OFFSET),
                "subscribers counted as ones that need publishers to fence (only where the expedited barrier is " +
                    "missing)");

            final Publisher publisher = topic.publisher(PublisherOptions.exclusive());
            final UnsafeBuffer message = new UnsafeBuffer(new byte[WaitChildSupport.MESSAGE_LENGTH]);
            long backPressured = 0;
            final long start = System.nanoTime();
            for (long sequence = 0; sequence < MESSAGES; sequence++)
            {
                message.putLong(WaitChildSupport.SEQUENCE_OFFSET, sequence);
                long result;
                while ((result = publisher.offer(message, 0, WaitChildSupport.MESSAGE_LENGTH, 0)) < 0)
                {
                    assertTrue(result == Publisher.BACK_PRESSURED || result == Publisher.ADMIN_ACTION,
                        "offer of message " + sequence + ": " + result);
                    backPressured++;
                    Thread.yield();
                }
            }
            final long elapsed = System.nanoTime() - start;
            final String[] done = subscriber.awaitWords("DONE", Duration.ofSeconds(120));
            assertEquals(MESSAGES, Long.parseLong(done[0]), "messages taken");

            final TopicStatus status = topic.status();
            final TopicStatus.PublisherStatus publisherStatus = status.publishers().stream()
                .filter(p -> p.id() == publisher.id()).findFirst().orElseThrow();
            final TopicStatus.SubscriberStatus subscriberStatus = status.subscribers().stream()
                .filter(s -> s.id() == subscriberId).findFirst().orElseThrow();
            System.out.printf("%s subscriber, %,d messages in %.2f s (%,d offers back-pressured): wakes issued %,d " +
                    "(%.3f%% of commits), skipped %,d; the subscriber slept %,d times, polls timed out %s%n",
                label, MESSAGES, elapsed / 1e9, backPressured, publisherStatus.wakesIssued(),
                100.0 * publisherStatus.wakesIssued() / MESSAGES, publisherStatus.wakesSkipped(),
                subscriberStatus.waits(), done[1]);
            subscriber.send("EXIT");
            assertEquals(0, subscriber.awaitExit(Duration.ofSeconds(30)));
            assertEquals(MESSAGES, publisherStatus.publishedMessages(), "published count in the slot");
            return new long[] {publisherStatus.wakesIssued(), publisherStatus.wakesSkipped(), subscriberStatus.waits()};
        }
    }
}
