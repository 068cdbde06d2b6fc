package io.shmbus.bench.child;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.MessageHandler;
import io.shmbus.MessageHeader;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.impl.process.ChildArgs;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * One JVM of the stall scenario, on one topic ({@code ringBytes}, shared publishers, tethered subscribers):
 *
 * <ul>
 *   <li>{@code stall-pub} publishes as fast as it can from the first {@code GO} (warm-up), counts what it
 *       publishes from the second (the measured window) until the third, then publishes a last message that says
 *       how many came before it and reports;</li>
 *   <li>{@code stall-sub} (joined before any publisher starts) reads until every publisher's last message, checks
 *       each publisher's messages arrive once each, in order and intact, and measures the rate at which it
 *       received the measured messages of the publishers it is told to time;</li>
 *   <li>{@code stall-join} from its first {@code GO} to its second (the measured window) joins the topic again
 *       and again as a tethered subscriber from the oldest message and closes at once, counting the joins that
 *       succeed and fail and timing the longest; it also reads the topic's takeover count at both ends of its
 *       window.</li>
 * </ul>
 *
 * <p>A message is {@code size} bytes: sequence (8), phase (4), publisher (4), then a check word per 8 bytes
 * derived from the sequence and publisher.
 */
final class StallChild
{
    static final String TOPIC = "stall";
    static final int FINAL = 3;
    private static final int CHECK_OFFSET = 16;
    private static final int MAX_PUBLISHERS = 8;
    private static final long JOIN_PAUSE_NS = 2_000_000;

    private StallChild()
    {
    }

    static void run(final String role, final ChildArgs params)
    {
        final TopicOptions options = TopicOptions.builder()
            .capacityBytes(params.getInt("ringBytes"))
            .maxMessageLength(params.getInt("maxLength"))
            .build();
        try (Bus bus = Bus.open(BusOptions.builder().directory(Path.of(params.get("dir"), "bus")).build()))
        {
            final Topic topic = bus.topic(TOPIC, options);
            final String result = switch (role)
            {
                case "stall-pub" -> publish(topic, params);
                case "stall-sub" -> subscribe(topic, params);
                case "stall-join" -> join(topic);
                default -> throw new IllegalArgumentException("unknown role " + role);
            };
            ChildMain.say("RESULT role=" + role + " " + result);
            Control.awaitQuit();
        }
    }

    /**
     * @param seq    a message's sequence.
     * @param source its publisher.
     * @param index  which check word (from 0).
     * @return the word expected there.
     */
    static long check(final long seq, final int source, final int index)
    {
        return (seq * 0x9E3779B97F4A7C15L) ^ ((long)source << 56) ^ (index * 0xC2B2AE3D27D4EB4FL);
    }

    private static String publish(final Topic topic, final ChildArgs params)
    {
        final int size = params.getInt("size");
        final int source = params.getInt("source");
        final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
        final Meter meter = new Meter();
        long refused = 0;
        long measured = 0;
        long seq = 0;
        try (Publisher publisher = topic.publisher(PublisherOptions.shared()))
        {
            ChildMain.say("READY pid=" + ProcessHandle.current().pid());
            Control.awaitGo(1);
            int phase = ChildMain.WARMUP;
            while (true)
            {
                if ((seq & 63) == 0)
                {
                    final int goes = Control.goes();
                    if (goes >= FINAL)
                    {
                        break;
                    }
                    if (goes == 2 && phase == ChildMain.WARMUP)
                    {
                        phase = ChildMain.MEASURED;
                        meter.start();
                    }
                }
                fill(out, seq, phase, source, size);
                refused += offer(publisher, out, size);
                if (phase == ChildMain.MEASURED)
                {
                    measured++;
                }
                seq++;
            }
            meter.stop();
            fill(out, seq, ChildMain.STOP, source, size);
            offer(publisher, out, size);
        }
        return "source=" + source + " messages=" + measured + " total=" + seq + " refused=" + refused + " " +
            meter.fields();
    }

    private static void fill(final UnsafeBuffer out, final long seq, final int phase, final int source, final int size)
    {
        out.putLong(ChildMain.SEQ_OFFSET, seq);
        out.putInt(ChildMain.PHASE_OFFSET, phase);
        out.putInt(ChildMain.SOURCE_OFFSET, source);
        for (int i = 0; CHECK_OFFSET + 8 * i + 8 <= size; i++)
        {
            out.putLong(CHECK_OFFSET + 8 * i, check(seq, source, i));
        }
    }

    private static long offer(final Publisher publisher, final UnsafeBuffer out, final int size)
    {
        long refused = 0;
        long result;
        while ((result = publisher.offer(out, 0, size)) <= 0)
        {
            if (result == Publisher.CLOSED)
            {
                throw new IllegalStateException("publisher closed");
            }
            refused++;
            Thread.onSpinWait();
        }
        return refused;
    }

    /**
     * Every publisher's messages checked as they arrive, and the rate of the timed publishers' measured ones.
     */
    static final class Checker implements MessageHandler
    {
        final SequenceCheck[] sequences = new SequenceCheck[MAX_PUBLISHERS];
        final long[] finals = new long[MAX_PUBLISHERS];
        final int timed;
        final int size;
        long measured;
        long firstMeasuredNs;
        long lastMeasuredNs;
        long wrongLength;
        int stops;

        Checker(final int timed, final int size)
        {
            this.timed = timed;
            this.size = size;
            for (int i = 0; i < MAX_PUBLISHERS; i++)
            {
                sequences[i] = new SequenceCheck();
                finals[i] = -1;
            }
        }

        @Override
        public void onMessage(
            final DirectBuffer buffer, final int offset, final int length, final MessageHeader header)
        {
            accept(buffer, offset, length);
        }

        void accept(final DirectBuffer buffer, final int offset, final int length)
        {
            if (length != size)
            {
                wrongLength++;
                return;
            }
            final long seq = buffer.getLong(offset + ChildMain.SEQ_OFFSET);
            final int phase = buffer.getInt(offset + ChildMain.PHASE_OFFSET);
            final int source = buffer.getInt(offset + ChildMain.SOURCE_OFFSET);
            if (source < 0 || source >= MAX_PUBLISHERS)
            {
                wrongLength++;
                return;
            }
            final SequenceCheck check = sequences[source];
            if (!check.accept(seq))
            {
                return;
            }
            for (int i = 0; CHECK_OFFSET + 8 * i + 8 <= length; i++)
            {
                if (buffer.getLong(offset + CHECK_OFFSET + 8 * i) != check(seq, source, i))
                {
                    check.misread();
                    break;
                }
            }
            if (phase == ChildMain.STOP)
            {
                finals[source] = seq;
                stops++;
            }
            else if (phase == ChildMain.MEASURED && source < timed)
            {
                final long now = System.nanoTime();
                if (measured++ == 0)
                {
                    firstMeasuredNs = now;
                }
                lastMeasuredNs = now;
            }
        }

        /**
         * @param publishers how many publishers there were.
         * @return the errors: lost, duplicated, misread, messages after a publisher's last, wrong lengths.
         */
        long errors(final int publishers)
        {
            long errors = wrongLength;
            for (int i = 0; i < publishers; i++)
            {
                // the last message carries the count before it: every number up to it, and nothing after
                errors += sequences[i].errors() + Math.max(0, sequences[i].next() - finals[i] - 1);
            }
            return errors;
        }

        String describe(final int publishers)
        {
            final StringBuilder sb = new StringBuilder();
            for (int i = 0; i < publishers; i++)
            {
                sb.append(" received").append(i).append('=').append(sequences[i].received())
                    .append(" last").append(i).append('=').append(finals[i]);
            }
            return "errors=" + errors(publishers) + " measured=" + measured + " measuredNs=" +
                (lastMeasuredNs - firstMeasuredNs) + sb;
        }
    }

    private static String subscribe(final Topic topic, final ChildArgs params)
    {
        final int publishers = params.getInt("publishers");
        final Checker checker = new Checker(params.getInt("timed"), params.getInt("size"));
        try (Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered()))
        {
            ChildMain.say("READY pid=" + ProcessHandle.current().pid());
            while (checker.stops < publishers)
            {
                if (subscriber.poll(checker, 256) == 0)
                {
                    Thread.onSpinWait();
                }
            }
        }
        return checker.describe(publishers);
    }

    private static String join(final Topic topic)
    {
        ChildMain.say("READY pid=" + ProcessHandle.current().pid());
        Control.awaitGo(1);
        final long takeoversBefore = topic.status().takeovers();
        long joins = 0;
        long failed = 0;
        long maxNs = 0;
        String firstFailure = "none";
        final SubscriberOptions options = SubscriberOptions.tethered().startAt(SubscriberOptions.StartPosition.OLDEST);
        while (Control.goes() < 2)
        {
            final long started = System.nanoTime();
            try (Subscriber ignored = topic.subscriber(options))
            {
                joins++;
            }
            catch (final RuntimeException ex)
            {
                failed++;
                if (failed == 1)
                {
                    firstFailure = String.valueOf(ex).replaceAll("\\s+", "_");
                }
            }
            maxNs = Math.max(maxNs, System.nanoTime() - started);
            LockSupport.parkNanos(JOIN_PAUSE_NS);
        }
        final long takeoversAfter = topic.status().takeovers();
        return "joins=" + joins + " failedJoins=" + failed + " maxJoinNs=" + maxNs + " takeoversBefore=" +
            takeoversBefore + " takeoversAfter=" + takeoversAfter + " firstFailure=" + firstFailure;
    }
}
