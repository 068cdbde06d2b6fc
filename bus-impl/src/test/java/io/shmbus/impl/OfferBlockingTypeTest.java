package io.shmbus.impl;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code offerBlocking} with a message type carries the type, as {@code offer} does, also when it had to wait for
 * room first; without one the type is 0.
 */
class OfferBlockingTypeTest
{
    @Test
    void theTypeTravelsWithABlockingOffer()
    {
        final TopicOptions options = TopicOptions.builder().capacityBytes(4096).maxMessageLength(256).build();
        try (TestBus bus = TestBus.create("offer-blocking-type");
             Topic topic = bus.bus().topic("typed", options);
             Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
             Publisher publisher = topic.publisher(PublisherOptions.shared()))
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[200]);
            final long timeoutNs = TimeUnit.SECONDS.toNanos(5);
            final int[] types = new int[64];
            final int[] count = {0};
            // Fill the ring so that later blocking offers must wait for the subscriber, which reads in between.
            long offered = 0;
            while (publisher.offer(message, 0, 200, 7) > 0)
            {
                offered++;
            }
            final long filled = offered;
            final Thread reader = new Thread(() ->
            {
                while (count[0] < filled + 2)
                {
                    subscriber.poll((b, o, l, h) -> types[Math.min(count[0]++, types.length - 1)] = h.type(), 1,
                        TimeUnit.MILLISECONDS.toNanos(100));
                }
            });
            reader.start();
            assertTrue(publisher.offerBlocking(message, 0, 200, 42, timeoutNs) > 0, "typed, after waiting for room");
            assertTrue(publisher.offerBlocking(message, 0, 200, timeoutNs) > 0, "untyped");
            reader.join(TimeUnit.SECONDS.toMillis(10));
            assertEquals(offered + 2, count[0]);
            assertEquals(7, types[(int)offered - 1]);
            assertEquals(42, types[(int)offered]);
            assertEquals(0, types[(int)offered + 1]);
        }
        catch (final InterruptedException ex)
        {
            throw new AssertionError(ex);
        }
    }
}
