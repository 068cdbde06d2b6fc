package io.shmbus.impl.liveness;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.TopicStatus;
import io.shmbus.impl.TestBus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A back-pressured publisher looks for dead peers in its way (every slot of the topic). Its own slot is among
 * them, and its own lock is held through the very description it probes with, which F_OFD_GETLK never
 * reports: the publisher must not take itself for dead, repair its own slot and so drop its own lock.
 */
class SelfProbeTest
{
    @Test
    void backPressuredPublisherDoesNotRepairItself() throws Exception
    {
        try (TestBus test = TestBus.create("selfprobe"))
        {
            final Topic topic = test.bus().topic(
                "t", TopicOptions.builder().capacityBytes(4096).maxMessageLength(64).build());
            final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
            final Publisher publisher = topic.publisher(PublisherOptions.exclusive());
            final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
            int backPressured = 0;
            for (int i = 0; i < 1000 && backPressured < 5; i++)
            {
                final long result = publisher.offer(message, 0, 64);
                if (result == Publisher.BACK_PRESSURED || result == Publisher.ADMIN_ACTION)
                {
                    backPressured++;
                    Thread.sleep(2); // let the liveness check fall due, so the sweep runs
                }
            }
            assertTrue(backPressured >= 5, "the ring filled up");

            final TopicStatus status = topic.status();
            assertEquals(0, status.repairs(), "no repair: nobody died");
            assertEquals(0, status.reclaims(), "no slot reclaimed: nobody died");
            assertTrue(status.publishers().get(0).alive(), "the publisher still holds its lock");
            assertTrue(status.subscribers().get(0).alive(), "the subscriber still holds its lock");
            assertTrue(subscriber.poll((buffer, offset, length, header) -> { }, 64) > 0, "the messages are there");
        }
    }
}
