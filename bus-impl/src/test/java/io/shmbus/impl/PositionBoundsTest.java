package io.shmbus.impl;

import io.shmbus.Claim;
import io.shmbus.MessageHandler;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicCorruptedException;
import io.shmbus.TopicOptions;
import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.layout.SubscriberSlotDescriptor;
import io.shmbus.impl.ring.Ring;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Extreme values swept into every position word of a live topic, one word and one value at a time on a fresh
 * topic: no public call may then return a negative value other than the documented status codes, report a
 * negative count, or throw anything but {@link TopicCorruptedException}. The values are the ones arithmetic
 * overflows on (a tail near {@code Long.MAX_VALUE}, where a claim's end wraps negative), just past the documented
 * bound of 2^62, negative and misaligned ones.
 */
class PositionBoundsTest
{
    private static final TopicOptions OPTIONS = TopicOptions.builder()
        .capacityBytes(64 * 1024)
        .maxMessageLength(1024)
        .maxPublishers(4)
        .maxSubscribers(8)
        .build();
    private static final long[] VALUES = {
        Long.MAX_VALUE,
        9_223_372_036_854_775_792L, // Long.MAX_VALUE rounded down to a record boundary
        Long.MAX_VALUE - (1 << 20) + 1 - 15,
        Ring.MAX_POSITION + 16,
        Long.MIN_VALUE,
        -16,
        -1,
        17,
    };
    private static final long[] STATUSES = {
        Publisher.BACK_PRESSURED, Publisher.NOT_CONNECTED, Publisher.ADMIN_ACTION, Publisher.CLOSED};
    private static final MessageHandler IGNORE = (buffer, offset, length, header) -> { };
    private static final long WAIT_NS = TimeUnit.MILLISECONDS.toNanos(20);

    /** Which word to corrupt: in the control region, or in the slot of a durable subscriber that is away. */
    private enum Word
    {
        TAIL, CLEAN_LIMIT, CLEAN_INTENT, CLEAN_COUNT, CLEAN_PENDING, DURABLE_POSITION, DURABLE_MESSAGE_INDEX
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void extremePositionsComeBackAsCorruptionNeverAsValues()
    {
        final List<String> failures = new ArrayList<>();
        int corruptionsReported = 0;
        int cases = 0;
        try (TestBus bus = TestBus.create("position-bounds"))
        {
            for (final Word word : Word.values())
            {
                for (final long value : VALUES)
                {
                    final String name = "t" + cases++;
                    corruptionsReported += sweep(bus, name, word, value, failures);
                    bus.bus().deleteTopic(name);
                }
            }
        }
        assertEquals(List.of(), failures, "calls that returned a value outside the contract");
        assertTrue(corruptionsReported > 0, "some corruption was reported");
        System.out.printf("%d cases, %d calls reported TopicCorruptedException%n", cases, corruptionsReported);
    }

    private static int sweep(
        final TestBus bus, final String name, final Word word, final long value, final List<String> failures)
    {
        final String label = word + "=" + value + ": ";
        int corrupt = 0;
        try (Topic topic = bus.bus().topic(name, OPTIONS))
        {
            final Ring ring = ((ShmTopic)topic).ring();
            final UnsafeBuffer control = ring.control();
            final Subscriber tethered = topic.subscriber(SubscriberOptions.tethered());
            final Subscriber untethered = topic.subscriber(SubscriberOptions.untethered());
            final Subscriber away = topic.subscriber(SubscriberOptions.durable("away"));
            final int awaySlot = ring.subscriberSlot(away.id());
            final Publisher shared = topic.publisher(PublisherOptions.shared());
            final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
            for (int i = 0; i < 10; i++)
            {
                assertTrue(shared.offer(message, 0, 64) > 0, "set-up offer");
            }
            tethered.poll(IGNORE, 100);
            untethered.poll(IGNORE, 100);
            away.poll(IGNORE, 5);
            away.close();

            switch (word)
            {
                case TAIL -> control.putLongVolatile(ControlDescriptor.TAIL_OFFSET, value);
                case CLEAN_LIMIT -> control.putLongVolatile(ControlDescriptor.CLEAN_LIMIT_OFFSET, value);
                case CLEAN_INTENT -> control.putLongVolatile(ControlDescriptor.CLEAN_INTENT_OFFSET, value);
                case CLEAN_COUNT -> control.putLongVolatile(ControlDescriptor.CLEAN_COUNT_OFFSET, value);
                case CLEAN_PENDING -> control.putLongVolatile(ControlDescriptor.CLEAN_PENDING_OFFSET, value);
                case DURABLE_POSITION ->
                    control.putLongVolatile(awaySlot + SubscriberSlotDescriptor.POSITION_OFFSET, value);
                case DURABLE_MESSAGE_INDEX ->
                    control.putLongVolatile(awaySlot + SubscriberSlotDescriptor.MESSAGE_INDEX_OFFSET, value);
                default -> throw new IllegalStateException(word.name());
            }

            // The README's retry loop, bounded: it must meet back pressure or corruption, never run on for ever.
            corrupt += result(label + "offer loop", failures, () ->
            {
                long last = 0;
                for (int i = 0; i < 20_000; i++)
                {
                    last = shared.offer(message, 0, 64);
                    if (last < 0)
                    {
                        return last;
                    }
                }
                return last;
            });
            corrupt += result(label + "tryClaim", failures, () ->
            {
                final Claim claim = new Claim();
                final long result = shared.tryClaim(64, claim);
                if (result > 0)
                {
                    claim.commit();
                }
                return result;
            });
            corrupt += result(label + "offerBlocking", failures, () -> shared.offerBlocking(message, 0, 64, WAIT_NS));
            corrupt += result(label + "tethered poll", failures, () -> tethered.poll(IGNORE, 1000));
            corrupt += result(label + "timed poll", failures, () -> tethered.poll(IGNORE, 1000, WAIT_NS));
            corrupt += result(label + "untethered poll", failures, () -> untethered.poll(IGNORE, 1000));
            corrupt += result(label + "untethered losses", failures,
                () -> Math.min(untethered.lostMessages(), untethered.lostBytes()));
            corrupt += result(label + "status", failures, () -> topic.status().subscribers().size());
            for (final SubscriberOptions options : List.of(
                SubscriberOptions.tethered(),
                SubscriberOptions.tethered().startAt(SubscriberOptions.StartPosition.OLDEST),
                SubscriberOptions.untethered(),
                SubscriberOptions.durable("away")))
            {
                corrupt += result(label + "join " + options, failures, () ->
                {
                    try (Subscriber joined = topic.subscriber(options))
                    {
                        final long polled = joined.poll(IGNORE, 1000);
                        return Math.min(Math.min(polled, joined.position()),
                            Math.min(joined.lostMessages(), joined.lostBytes()));
                    }
                });
            }
            shared.close();
            corrupt += result(label + "exclusive offer", failures, () ->
            {
                try (Publisher exclusive = topic.publisher(PublisherOptions.exclusive()))
                {
                    long last = 0;
                    for (int i = 0; i < 20_000 && last >= 0; i++)
                    {
                        last = exclusive.offer(message, 0, 64);
                    }
                    return last;
                }
            });
        }
        catch (final TopicCorruptedException ex)
        {
            corrupt++; // closing a participant of the corrupted topic may report it too
        }
        return corrupt;
    }

    /**
     * Run one call: a TopicCorruptedException counts 1; a value that is negative and not a status code, or any
     * other exception, is a failure.
     */
    private static int result(final String what, final List<String> failures, final LongSupplier call)
    {
        try
        {
            final long value = call.getAsLong();
            if (value < 0 && !isStatus(value))
            {
                failures.add(what + " returned " + value);
            }
            return 0;
        }
        catch (final TopicCorruptedException ex)
        {
            return 1;
        }
        catch (final RuntimeException | Error ex)
        {
            failures.add(what + " threw " + ex);
            return 0;
        }
    }

    private static boolean isStatus(final long value)
    {
        for (final long status : STATUSES)
        {
            if (status == value)
            {
                return true;
            }
        }
        return false;
    }
}
