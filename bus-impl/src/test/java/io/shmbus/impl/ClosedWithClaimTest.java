package io.shmbus.impl;

import io.shmbus.Claim;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A publisher closed with a claim neither committed nor aborted (the code between {@code tryClaim} and
 * {@code commit} threw) must not stop the stream: its claim becomes padding at close, so a subscriber waiting at
 * it goes on to what another publisher publishes next, and the abandoned claim is never delivered.
 */
class ClosedWithClaimTest
{
    private static final TopicOptions OPTIONS = TopicOptions.builder()
        .capacityBytes(64 * 1024)
        .maxMessageLength(1024)
        .maxPublishers(4)
        .maxSubscribers(4)
        .build();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"exclusive", "shared"})
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void abandonedClaimBecomesPaddingAtClose(final String mode)
    {
        try (TestBus bus = TestBus.create("closed-claim"); Topic topic = bus.bus().topic("t", OPTIONS))
        {
            final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
            final List<Integer> received = new ArrayList<>();
            final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
            final Publisher first = topic.publisher(
                mode.equals("exclusive") ? PublisherOptions.exclusive() : PublisherOptions.shared());
            message.putInt(0, 1);
            assertTrue(first.offer(message, 0, 8) > 0);
            final Claim claim = new Claim();
            assertTrue(first.tryClaim(8, claim) > 0);
            claim.buffer().putInt(claim.offset(), 2); // written, never committed
            first.close();

            final Publisher second = topic.publisher(PublisherOptions.shared());
            message.putInt(0, 3);
            assertTrue(second.offer(message, 0, 8) > 0);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (received.size() < 2 && System.nanoTime() < deadline)
            {
                subscriber.poll((buffer, offset, length, header) -> received.add(buffer.getInt(offset)), 10);
            }
            assertEquals(List.of(1, 3), received, "the abandoned claim is skipped, the stream goes on");
            assertTrue(topic.status().repairs() >= 1, "counted as a repair");
        }
    }
}
