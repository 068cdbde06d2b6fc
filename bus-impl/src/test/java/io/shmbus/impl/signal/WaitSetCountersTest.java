package io.shmbus.impl.signal;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.TopicStatus;
import io.shmbus.WaitSet;
import io.shmbus.WaitStrategy;
import io.shmbus.impl.TestBus;
import io.shmbus.impl.platform.Linux;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A wait set's sleeps ({@code futex_waitv}) count in each subscriber's slot as the subscriber's own sleeps do:
 * {@code waits} for every sleep, {@code waitTimeouts} for a wait that ended by timeout.
 */
class WaitSetCountersTest
{
    private static final TopicOptions OPTIONS = TopicOptions.builder().capacityBytes(4096).maxMessageLength(64).build();

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void waitSetSleepsAndTimeoutsAreCounted() throws Exception
    {
        assumeTrue(Linux.futexWaitvSupported(), "futex_waitv (Linux 5.16+) is not available");
        try (TestBus bus = TestBus.create("waitset-counters");
             Topic a = bus.bus().topic("a", OPTIONS);
             Topic b = bus.bus().topic("b", OPTIONS);
             Subscriber sa = a.subscriber(SubscriberOptions.tethered().waitStrategy(WaitStrategy.futex()));
             Subscriber sb = b.subscriber(SubscriberOptions.tethered().waitStrategy(WaitStrategy.futex()));
             Publisher pb = b.publisher(PublisherOptions.exclusive());
             WaitSet set = bus.bus().waitSet(sa, sb))
        {
            assertEquals(0, set.await(TimeUnit.MILLISECONDS.toNanos(50)), "nothing to read");
            for (final Topic topic : new Topic[] {a, b})
            {
                final TopicStatus.SubscriberStatus status = topic.status().subscribers().get(0);
                assertTrue(status.waits() >= 1, topic.name() + " waits " + status.waits());
                assertEquals(1, status.waitTimeouts(), topic.name() + " timeouts");
            }
            final long waitsBefore = b.status().subscribers().get(0).waits();
            final Thread late = new Thread(() ->
            {
                try
                {
                    Thread.sleep(100);
                }
                catch (final InterruptedException ignore)
                {
                    Thread.currentThread().interrupt();
                }
                pb.offer(new UnsafeBuffer(new byte[8]), 0, 8);
            });
            late.start();
            assertEquals(1, set.await(TimeUnit.SECONDS.toNanos(10)), "woken by the message on b");
            late.join();
            assertTrue(set.isReady(1));
            final TopicStatus.SubscriberStatus status = b.status().subscribers().get(0);
            assertTrue(status.waits() > waitsBefore, "slept again: " + status.waits());
            assertEquals(1, status.waitTimeouts(), "no new timeout");
        }
    }
}
