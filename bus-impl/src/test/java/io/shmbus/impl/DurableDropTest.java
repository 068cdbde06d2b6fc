package io.shmbus.impl;

import io.shmbus.BusException;
import io.shmbus.MessageHandler;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Durable subscriptions go away: dropped by name (refused while attached), or expired after a set absence; a
 * topic whose durable names change (one per run) never runs out of slots; and when slots do run out, the error
 * names who holds them.
 */
class DurableDropTest
{
    private static final TopicOptions OPTIONS = TopicOptions.builder()
        .capacityBytes(16 * 1024)
        .maxMessageLength(64)
        .maxPublishers(2)
        .maxSubscribers(4)
        .build();
    private static final MessageHandler IGNORE = (buffer, offset, length, header) -> { };

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void durableNamesFarPastMaxSubscribersComeAndGo()
    {
        try (TestBus bus = TestBus.create("durable-drop");
             Topic topic = bus.bus().topic("runs", OPTIONS);
             Publisher publisher = topic.publisher(PublisherOptions.shared()))
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[32]);
            for (int run = 0; run < 50; run++)
            {
                final String name = "strategy-run-" + run;
                try (Subscriber subscriber = topic.subscriber(SubscriberOptions.durable(name)))
                {
                    assertTrue(publisher.offer(message, 0, 32) > 0, "run " + run);
                    assertEquals(1, subscriber.poll(IGNORE, 10), "run " + run);
                    final BusException attached = assertThrows(BusException.class, () -> topic.dropDurable(name));
                    assertTrue(attached.getMessage().contains("is attached"), attached.getMessage());
                }
                assertEquals(1, topic.status().subscribers().size(), "away, its slot is kept: run " + run);
                assertTrue(topic.dropDurable(name), "dropped: run " + run);
                assertEquals(0, topic.status().subscribers().size(), "slot freed: run " + run);
                assertFalse(topic.dropDurable(name), "dropped once only: run " + run);
            }
            assertFalse(publisher.isConnected(), "no subscriber is counted any more");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aDroppedOrExpiredNameStartsAfreshAndFullSlotsAreNamed() throws Exception
    {
        try (TestBus bus = TestBus.create("durable-expire");
             Topic topic = bus.bus().topic("expiring", OPTIONS);
             Publisher publisher = topic.publisher(PublisherOptions.shared()))
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[32]);
            for (int i = 0; i < 4; i++)
            {
                final SubscriberOptions options = i == 0 ?
                    SubscriberOptions.durable("short-lived").expireAfterNs(TimeUnit.MILLISECONDS.toNanos(200)) :
                    SubscriberOptions.durable("kept-" + i);
                topic.subscriber(options).close();
            }
            assertTrue(publisher.offer(message, 0, 32) > 0);

            // All four slots are held by subscriptions that are away, and the first has not expired yet.
            final BusException full = assertThrows(BusException.class,
                () -> topic.subscriber(SubscriberOptions.tethered()));
            assertTrue(full.getMessage().contains("no free subscriber slot") &&
                full.getMessage().contains("durable 'kept-1' away") &&
                full.getMessage().contains("durable 'short-lived' away"), full.getMessage());

            Thread.sleep(400);
            try (Subscriber tethered = topic.subscriber(SubscriberOptions.tethered()))
            {
                assertEquals(4, topic.status().subscribers().size(), "the expired slot was taken by the joiner");
                assertTrue(tethered.position() > 0);
            }
            // The expired name is unknown now: it starts afresh at the tail, not at its old position 0.
            try (Subscriber again = topic.subscriber(SubscriberOptions.durable("short-lived")))
            {
                assertEquals(publisher.position(), again.position(), "a new subscription, from the tail");
            }
            assertTrue(topic.dropDurable("kept-2"));
            try (Subscriber kept = topic.subscriber(SubscriberOptions.durable("kept-3")))
            {
                assertEquals(0, kept.position(), "a kept subscription resumes where it was");
                assertEquals(1, kept.poll(IGNORE, 10));
            }
        }
    }
}
