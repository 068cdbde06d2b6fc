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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The wrap at the ring's end, in one process: the tail is driven to every 16-byte offset from the ring's end
 * back to past the largest record, and at each one a message of 0, 1, max - 1 and max bytes is published, by
 * offer and by tryClaim, for exclusive and shared publishers, tethered and untethered subscribers, with and
 * without timestamps (a 16- or 32-byte record header). Each message must arrive intact, at the position the
 * wrap rule gives (at the tail, or after padding at the start of the next lap), and an empty ring must take it
 * at the first try.
 */
class WrapAroundTest
{
    private static final int CAPACITY = 4096;
    private static final int MAX = CAPACITY / 8;
    private static final int ALIGNMENT = 16;

    static Stream<Arguments> combinations()
    {
        final List<Arguments> combinations = new ArrayList<>();
        for (final boolean exclusive : new boolean[]{true, false})
        {
            for (final boolean tethered : new boolean[]{true, false})
            {
                for (final boolean timestamps : new boolean[]{false, true})
                {
                    combinations.add(Arguments.of(exclusive, tethered, timestamps));
                }
            }
        }
        return combinations.stream();
    }

    /** A message the subscriber must see next. */
    private record Expected(int type, byte[] body, long position, long nextPosition)
    {
    }

    @ParameterizedTest(name = "exclusive={0} tethered={1} timestamps={2}")
    @MethodSource("combinations")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everySizeAtEveryOffsetNearTheEnd(final boolean exclusive, final boolean tethered, final boolean timestamps)
    {
        try (TestBus test = TestBus.create("wrap"))
        {
            final Topic topic = test.bus().topic("wrap", TopicOptions.builder()
                .capacityBytes(CAPACITY).maxMessageLength(MAX).timestamps(timestamps).build());
            final Subscriber subscriber = topic.subscriber(
                tethered ? SubscriberOptions.tethered() : SubscriberOptions.untethered());
            final Publisher publisher = topic.publisher(
                exclusive ? PublisherOptions.exclusive() : PublisherOptions.shared());
            final Driver driver = new Driver(publisher, subscriber, timestamps ? 32 : 16);

            final int[] sizes = {0, 1, MAX - 1, MAX};
            final int farthest = driver.maxRecord / ALIGNMENT + 1;
            int cases = 0;
            for (int k = 0; k <= farthest; k++)
            {
                final int target = (CAPACITY - k * ALIGNMENT) & (CAPACITY - 1);
                for (final int size : sizes)
                {
                    for (final boolean claim : new boolean[]{false, true})
                    {
                        driver.driveTo(target);
                        assertEquals(target, (int)publisher.position() & (CAPACITY - 1));
                        driver.publish(size, claim);
                        cases++;
                    }
                }
            }
            assertEquals(0, subscriber.lostMessages(), "nothing may be lost: the subscriber keeps up");
            assertTrue(publisher.position() > 10L * CAPACITY, "the ring wrapped many times: " + publisher.position());
            assertEquals(driver.published, subscriber.deliveredMessages());
            assertEquals((farthest + 1) * sizes.length * 2, cases);
        }
    }

    /**
     * Publishes fillers to move the tail, and checks that the subscriber gets exactly what was published.
     */
    private static final class Driver
    {
        private final Publisher publisher;
        private final Subscriber subscriber;
        private final int headerLength;
        private final int minRecord;
        private final int maxRecord;
        private final UnsafeBuffer source = new UnsafeBuffer(new byte[MAX]);
        private final Claim claim = new Claim();
        private final Random random = new Random(42);
        private final ArrayDeque<Expected> expected = new ArrayDeque<>();
        private long published;
        private int type;

        Driver(final Publisher publisher, final Subscriber subscriber, final int headerLength)
        {
            this.publisher = publisher;
            this.subscriber = subscriber;
            this.headerLength = headerLength;
            this.minRecord = align(headerLength);
            this.maxRecord = align(headerLength + MAX);
        }

        /**
         * Publish fillers until the tail's ring index is {@code target}; a filler never wraps, except when 16
         * bytes are left before the end and the smallest record takes 32.
         */
        void driveTo(final int target)
        {
            for (int guard = 0; guard < 1000; guard++)
            {
                final int tail = (int)publisher.position() & (CAPACITY - 1);
                final int remaining = (target - tail) & (CAPACITY - 1);
                if (remaining == 0)
                {
                    return;
                }
                final int toEnd = CAPACITY - tail;
                int step = Math.min(remaining, toEnd);
                if (step < minRecord)
                {
                    step = toEnd >= minRecord ? toEnd : -1;
                }
                if (step < 0)
                {
                    publish(0, false); // wraps: padding over the last 16 bytes
                    continue;
                }
                int record = Math.min(step, maxRecord);
                if (step - record != 0 && step - record < minRecord)
                {
                    record = step - minRecord;
                }
                publish(record - headerLength, false);
            }
            fail("could not drive the tail to index " + target);
        }

        void publish(final int length, final boolean useClaim)
        {
            final byte[] body = new byte[length];
            random.nextBytes(body);
            final int messageType = ++type;
            final long tail = publisher.position();
            final int index = (int)tail & (CAPACITY - 1);
            final int aligned = align(headerLength + length);
            final long position = aligned > CAPACITY - index ? tail + (CAPACITY - index) : tail;
            final long result;
            if (useClaim)
            {
                result = publisher.tryClaim(length, claim);
                assertTrue(result > 0, "an empty ring refused a claim of " + length + " bytes at index " + index +
                    ": " + result);
                assertEquals(position, claim.position(), "claim position at index " + index);
                claim.buffer().putBytes(claim.offset(), body);
                claim.type(messageType).commit();
            }
            else
            {
                source.putBytes(0, body);
                result = publisher.offer(source, 0, length, messageType);
                assertTrue(result > 0, "an empty ring refused " + length + " bytes at index " + index + ": " + result);
            }
            assertEquals(position + aligned, result, "position after " + length + " bytes at index " + index);
            published++;
            expected.add(new Expected(messageType, body, position, result));
            drain();
        }

        private void drain()
        {
            for (int polls = 0; polls < 10 && !expected.isEmpty(); polls++)
            {
                subscriber.poll((buffer, offset, length, header) ->
                {
                    final Expected next = expected.poll();
                    if (null == next)
                    {
                        fail("unexpected message of type " + header.type() + " at " + header.position());
                    }
                    final String what = "message " + next.type() + " (" + next.body().length + " bytes at position " +
                        next.position() + ", index " + (next.position() & (CAPACITY - 1)) + ")";
                    assertEquals(next.type(), header.type(), what + ": type");
                    assertEquals(next.position(), header.position(), what + ": position");
                    assertEquals(next.nextPosition(), header.nextPosition(), what + ": next position");
                    assertEquals(next.body().length, length, what + ": length");
                    assertEquals(publisher.id(), header.publisherId(), what + ": publisher id");
                    final byte[] got = new byte[length];
                    buffer.getBytes(offset, got);
                    assertArrayEquals(next.body(), got, what + ": body");
                }, 100);
            }
            assertTrue(expected.isEmpty(), "not delivered: " + expected);
            assertEquals(0, subscriber.poll((buffer, offset, length, header) ->
                fail("unexpected message of type " + header.type() + " at " + header.position()), 100));
        }

        private static int align(final int length)
        {
            return (length + ALIGNMENT - 1) & -ALIGNMENT;
        }
    }
}
