package io.shmbus.impl.process;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.LossHandler;
import io.shmbus.MessageHandler;
import io.shmbus.MessageHeader;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;

/**
 * A child that subscribes and checks every message it gets from {@link PublisherMain} children.
 *
 * <p>Arguments ({@code key=value}): {@code dir}, {@code topic}, {@code spec}, {@code policy} ({@code tethered},
 * {@code untethered}, {@code durable}, or {@code demotable} / {@code detachable}: tethered / durable, demoted or
 * detached after {@code slowMs} without progress while holding publishers back, checked as untethered), {@code name}
 * (durable), {@code start} ({@code oldest} or {@code tail}), {@code publishers} (test publisher ids are 0 to this,
 * exclusive), {@code count} (messages each publishes), optionally {@code fromZero} (true: the first message of each
 * publisher must be sequence 0), {@code stopAfter} (leave after that many messages), {@code slowEvery} and
 * {@code slowMicros} (sleep that long every that many messages), {@code deadline} (seconds).
 *
 * <p>Checked for every message: the checksum (or the bytes, below 4 bytes), the length its sequence number
 * implies, the header's positions, and the same publisher slot for each test publisher. Tethered and durable:
 * each publisher's sequence goes up by exactly 1 (no loss, duplicate or reorder). Untethered: it goes up, and,
 * with one publisher, every gap is exactly the loss reported just before it. Any violation prints
 * {@code FAIL ...} and exits.
 *
 * <p>Prints {@code READY <slot> <position>} once attached, then polls until it has every message (tethered),
 * the last message of each publisher (untethered), {@code stopAfter} messages, or, after {@code DRAIN} on stdin,
 * until the ring stays empty; then prints one {@code PUB <id> <count> <checksum> <first> <last> <slot>} line per
 * publisher and {@code DONE <delivered> <lostMessages> <lostBytes> <lossEvents> <elapsedNs> <position>}.
 */
public final class SubscriberMain
{
    private SubscriberMain()
    {
    }

    public static void main(final String[] args)
    {
        ChildSupport.main(args, 120, SubscriberMain::run);
    }

    private static void run(final ChildArgs a)
    {
        final TopicOptions options = ChildSupport.options(a.get("spec"));
        final String policy = a.get("policy");
        // A demotable tethered subscriber may lose messages once demoted: it is checked as an untethered one.
        final boolean strict = !"untethered".equals(policy) && !"demotable".equals(policy) &&
            !"detachable".equals(policy);
        final int publishers = a.getInt("publishers");
        final long perPublisher = a.getLong("count", 0);
        final long stopAfter = a.getLong("stopAfter", 0);
        final Verifier verifier = new Verifier(
            options, publishers, strict, Boolean.parseBoolean(a.get("fromZero", "true")),
            a.getLong("slowEvery", 0), a.getLong("slowMicros", 0));

        SubscriberOptions subscriberOptions = switch (policy)
        {
            case "tethered" -> SubscriberOptions.tethered();
            case "untethered" -> SubscriberOptions.untethered().lossHandler(verifier);
            case "demotable" -> SubscriberOptions.tethered().lossHandler(verifier).slowConsumer(
                io.shmbus.SlowConsumerPolicy.DEMOTE, TimeUnit.MILLISECONDS.toNanos(a.getLong("slowMs", 500)));
            case "detachable" -> SubscriberOptions.durable(a.get("name")).holdLimitNs(-1).lossHandler(verifier)
                .slowConsumer(io.shmbus.SlowConsumerPolicy.DETACH,
                    TimeUnit.MILLISECONDS.toNanos(a.getLong("slowMs", 500)));
            // Exact resume across restarts: hold publishers back for as long as it is away, however slowly the
            // next reader JVM starts on a loaded machine (the default hold limit is 10 s).
            case "durable" -> SubscriberOptions.durable(a.get("name")).holdLimitNs(-1);
            default -> throw new IllegalArgumentException("policy " + policy);
        };
        subscriberOptions = subscriberOptions.startAt("tail".equals(a.get("start", "oldest")) ?
            SubscriberOptions.StartPosition.TAIL : SubscriberOptions.StartPosition.OLDEST);

        try (Bus bus = Bus.open(BusOptions.builder().directory(Path.of(a.get("dir"))).build()))
        {
            final Topic topic = bus.topic(a.get("topic"), options);
            final Subscriber subscriber = topic.subscriber(subscriberOptions);
            final long deliveredBefore = subscriber.deliveredMessages();
            verifier.minNext = subscriber.position();
            ChildSupport.out("READY " + subscriber.id() + " " + subscriber.position());

            final long target = stopAfter > 0 ? stopAfter : strict ? publishers * perPublisher : -1;
            final IdleStrategy idle = new BackoffIdleStrategy(
                20, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(200));
            final long start = System.nanoTime();
            boolean draining = false;
            int emptyPolls = 0;
            while (true)
            {
                if (target > 0 ? verifier.delivered >= target : verifier.sawLast(perPublisher))
                {
                    break;
                }
                final int limit = target > 0 ? (int)Math.min(64, target - verifier.delivered) : 64;
                final int polled = subscriber.poll(verifier, limit);
                if (polled > 0)
                {
                    emptyPolls = 0;
                    idle.reset();
                    continue;
                }
                if (!draining && ChildSupport.pollCommand("DRAIN"))
                {
                    draining = true;
                }
                if (draining)
                {
                    if (++emptyPolls >= 200)
                    {
                        if (strict)
                        {
                            ChildSupport.fail("stalled at position " + subscriber.position() + " after " +
                                verifier.delivered + " of " + target + " messages; last sequence per publisher " +
                                Arrays.toString(verifier.last));
                        }
                        break;
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    continue;
                }
                idle.idle();
            }
            final long elapsed = System.nanoTime() - start;

            if (subscriber.deliveredMessages() - deliveredBefore != verifier.delivered)
            {
                ChildSupport.fail("subscriber counts " + (subscriber.deliveredMessages() - deliveredBefore) +
                    " delivered messages, the handler saw " + verifier.delivered);
            }
            if (subscriber.lostMessages() != verifier.lostMessages || subscriber.lostBytes() != verifier.lostBytes)
            {
                ChildSupport.fail("subscriber counts " + subscriber.lostMessages() + " lost messages and " +
                    subscriber.lostBytes() + " lost bytes, the loss handler was told " + verifier.lostMessages +
                    " and " + verifier.lostBytes);
            }
            for (int p = 0; p < publishers; p++)
            {
                ChildSupport.out("PUB " + p + " " + verifier.count[p] + " " + verifier.checksum[p] + " " +
                    verifier.first[p] + " " + verifier.last[p] + " " + verifier.slot[p]);
            }
            final long position = subscriber.position();
            subscriber.close();
            ChildSupport.out("DONE " + verifier.delivered + " " + verifier.lostMessages + " " + verifier.lostBytes +
                " " + verifier.lossEvents + " " + elapsed + " " + position);
        }
    }

    /**
     * Checks each message and each reported loss.
     */
    static final class Verifier implements MessageHandler, LossHandler
    {
        private final int publishers;
        private final boolean strict;
        private final boolean fromZero;
        private final long slowEvery;
        private final long slowNanos;
        private final int max;
        private final int headerLength;
        private final boolean timestamps;
        private final UnsafeBuffer scratch;
        private final UnsafeBuffer expected;
        private final CRC32C crc = new CRC32C();
        final long[] count;
        final long[] checksum;
        final long[] first;
        final long[] last;
        final int[] slot;
        long delivered;
        long lostMessages;
        long lostBytes;
        long lossEvents;
        long pendingLoss;
        long pendingLossBytes;
        long minNext;

        Verifier(
            final TopicOptions options,
            final int publishers,
            final boolean strict,
            final boolean fromZero,
            final long slowEvery,
            final long slowMicros)
        {
            this.publishers = publishers;
            this.strict = strict;
            this.fromZero = fromZero;
            this.slowEvery = slowEvery;
            this.slowNanos = TimeUnit.MICROSECONDS.toNanos(slowMicros);
            this.max = options.maxMessageLength();
            this.timestamps = options.timestamps();
            this.headerLength = timestamps ? 32 : 16;
            this.scratch = new UnsafeBuffer(new byte[Math.max(8, max)]);
            this.expected = new UnsafeBuffer(new byte[Math.max(8, max)]);
            this.count = new long[publishers];
            this.checksum = new long[publishers];
            this.first = new long[publishers];
            this.last = new long[publishers];
            this.slot = new int[publishers];
            Arrays.fill(first, -1);
            Arrays.fill(last, -1);
            Arrays.fill(slot, -1);
        }

        boolean sawLast(final long perPublisher)
        {
            for (int p = 0; p < publishers; p++)
            {
                if (last[p] != perPublisher - 1)
                {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void onLoss(final long messages, final long bytes, final long fromPosition, final long toPosition)
        {
            if (messages < 0 || bytes <= 0 || bytes != toPosition - fromPosition || fromPosition < minNext)
            {
                ChildSupport.fail("bad loss report: " + messages + " messages, " + bytes + " bytes, from " +
                    fromPosition + " to " + toPosition + ", after a message that ended at " + minNext);
            }
            lossEvents++;
            lostMessages += messages;
            lostBytes += bytes;
            pendingLoss += messages;
            pendingLossBytes += bytes;
            minNext = toPosition;
        }

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length, final MessageHeader header)
        {
            final int type = header.type();
            final int p = TestMessages.publisherOf(type);
            if (p >= publishers)
            {
                ChildSupport.fail("message of unknown publisher " + p + " (type " + type + ") at position " +
                    header.position());
            }
            final long previous = last[p];
            final long sequence = TestMessages.sequenceOf(type, previous);
            if (strict)
            {
                if (previous >= 0 ? sequence != previous + 1 : fromZero && sequence != 0)
                {
                    ChildSupport.fail("publisher " + p + ": sequence " + sequence + " after " + previous +
                        " at position " + header.position() + " (loss, duplicate or reorder)");
                }
            }
            else if (publishers == 1)
            {
                final long gap = sequence - previous - 1;
                if (gap != pendingLoss)
                {
                    ChildSupport.fail("sequence " + sequence + " after " + previous + " skips " + gap +
                        " messages but the loss handler reported " + pendingLoss + " (" + pendingLossBytes +
                        " bytes) since; position " + header.position());
                }
                long lostRecordBytes = 0;
                for (long s = previous + 1; s < sequence; s++)
                {
                    lostRecordBytes += align(headerLength + TestMessages.length(p, s, max));
                }
                if (pendingLossBytes < lostRecordBytes || ((pendingLossBytes - lostRecordBytes) & 15) != 0)
                {
                    ChildSupport.fail("lost " + gap + " messages taking " + lostRecordBytes + " bytes of records " +
                        "but the loss handler reported " + pendingLossBytes + " bytes");
                }
            }
            pendingLoss = 0;
            pendingLossBytes = 0;

            final long sum = TestMessages.verify(
                buffer, offset, length, type, p, sequence, max, scratch, expected, crc);
            if (sum < 0)
            {
                ChildSupport.fail("publisher " + p + " sequence " + sequence + ": " +
                    (sum == TestMessages.BAD_LENGTH ? "length " + length + ", expected " +
                    TestMessages.length(p, sequence, max) : "checksum mismatch, length " + length) +
                    " at position " + header.position());
            }
            if (header.length() != length || header.position() < minNext ||
                header.nextPosition() != header.position() + align(headerLength + length))
            {
                ChildSupport.fail("publisher " + p + " sequence " + sequence + ": header position " +
                    header.position() + ", next " + header.nextPosition() + ", length " + header.length() + "/" +
                    length + ", previous message ended at " + minNext);
            }
            if (timestamps && header.timestampNs() <= 0)
            {
                ChildSupport.fail("no timestamp at position " + header.position());
            }
            if (slot[p] < 0)
            {
                slot[p] = header.publisherId();
            }
            else if (slot[p] != header.publisherId())
            {
                ChildSupport.fail("publisher " + p + " wrote from slot " + slot[p] + " and now from slot " +
                    header.publisherId());
            }
            minNext = header.nextPosition();
            if (first[p] < 0)
            {
                first[p] = sequence;
            }
            last[p] = sequence;
            count[p]++;
            checksum[p] += sum;
            delivered++;
            if (slowEvery > 0 && delivered % slowEvery == 0)
            {
                LockSupport.parkNanos(slowNanos);
            }
        }

        private static int align(final int recordLength)
        {
            return (recordLength + 15) & -16;
        }
    }
}
