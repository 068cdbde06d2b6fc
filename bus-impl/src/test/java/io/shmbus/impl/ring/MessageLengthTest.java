package io.shmbus.impl.ring;

import io.shmbus.Claim;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.impl.TestBus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lengths and ranges a publisher is handed: too long, negative, or outside the caller's buffer. Each is refused
 * with an IllegalArgumentException (or IndexOutOfBoundsException for a range outside the caller's buffer) naming the
 * numbers, before the ring is touched: the topic goes on working for everyone, and nothing half-claimed is left
 * in the ring. Each case prints {@code BAD INPUT <case> -> <exception>}.
 */
class MessageLengthTest
{
    @Test
    @Timeout(30)
    void badLengthsAreRefusedAndLeaveTheTopicWorking()
    {
        for (final boolean exclusive : new boolean[]{true, false})
        {
            try (TestBus test = TestBus.create("lengths"))
            {
                final Topic topic = test.bus().topic("t", TopicOptions.builder()
                    .capacityBytes(64 * 1024).maxMessageLength(1024).build());
                final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
                final Publisher publisher = topic.publisher(exclusive ? PublisherOptions.exclusive() :
                    PublisherOptions.shared());
                final UnsafeBuffer big = new UnsafeBuffer(new byte[4096]);
                final UnsafeBuffer small = new UnsafeBuffer(new byte[16]);
                final Claim claim = new Claim();
                final Object[][] cases = {
                    {"offer of 1025 bytes, max 1024", (Executable)() -> publisher.offer(big, 0, 1025),
                        IllegalArgumentException.class, "1025", "1024"},
                    {"offer of Integer.MAX_VALUE bytes", (Executable)() -> publisher.offer(big, 0, Integer.MAX_VALUE),
                        IllegalArgumentException.class, "2147483647", "1024"},
                    {"offer of -1 bytes", (Executable)() -> publisher.offer(big, 0, -1),
                        IllegalArgumentException.class, "-1", "1024"},
                    {"tryClaim of 1025 bytes", (Executable)() -> publisher.tryClaim(1025, claim),
                        IllegalArgumentException.class, "1025", "1024"},
                    {"tryClaim of -1 bytes", (Executable)() -> publisher.tryClaim(-1, claim),
                        IllegalArgumentException.class, "-1", "1024"},
                    {"tryClaim of Integer.MIN_VALUE bytes", (Executable)() ->
                        publisher.tryClaim(Integer.MIN_VALUE, claim),
                        IllegalArgumentException.class, "-2147483648"},
                    {"offer of 100 bytes from a 16-byte buffer", (Executable)() -> publisher.offer(small, 0, 100),
                        IndexOutOfBoundsException.class, "100", "16"},
                    {"offer from offset -8", (Executable)() -> publisher.offer(big, -8, 8),
                        IndexOutOfBoundsException.class, "-8"},
                    {"offer from offset 4090, 8 bytes, of a 4096-byte buffer",
                        (Executable)() -> publisher.offer(big, 4090, 8), IndexOutOfBoundsException.class, "4090"},
                };
                for (final Object[] c : cases)
                {
                    @SuppressWarnings("unchecked")
                    final Class<? extends Throwable> type = (Class<? extends Throwable>)c[2];
                    final Throwable ex = assertThrows(type, (Executable)c[1], (String)c[0]);
                    for (int i = 3; i < c.length; i++)
                    {
                        assertTrue(ex.getMessage().contains((String)c[i]), c[0] + ": " + ex.getMessage());
                    }
                    if (exclusive)
                    {
                        System.out.println("BAD INPUT " + c[0] + " -> " + ex.getClass().getSimpleName() + ": " +
                            ex.getMessage());
                    }
                    assertFalse(claim.isActive());
                }
                assertEquals(0, topic.status().tail(), "nothing was claimed by a refused call");

                // The topic works: the boundaries are accepted, every message arrives.
                final List<Integer> lengths = new ArrayList<>();
                assertTrue(publisher.offer(big, 0, 1024) > 0);
                assertTrue(publisher.offer(big, 0, 0) > 0);
                assertTrue(publisher.offer(big, 4096 - 1024, 1024) > 0);
                assertTrue(publisher.tryClaim(1024, claim) > 0);
                claim.commit();
                assertEquals(4, subscriber.poll((b, o, l, h) -> lengths.add(l), 10));
                assertEquals(List.of(1024, 0, 1024, 1024), lengths);
            }
        }
    }
}
