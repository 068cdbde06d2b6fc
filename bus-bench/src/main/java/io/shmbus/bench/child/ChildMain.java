package io.shmbus.bench.child;

import io.shmbus.TopicOptions;
import io.shmbus.bench.Variant;
import io.shmbus.bench.link.AeronLink;
import io.shmbus.bench.link.AeronUdpLink;
import io.shmbus.bench.link.AgronaRingLink;
import io.shmbus.bench.link.FloorLink;
import io.shmbus.bench.link.Link;
import io.shmbus.bench.link.ShmbusLink;
import io.shmbus.bench.link.SocketLink;
import io.shmbus.impl.process.ChildArgs;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * One side of one measurement, in its own JVM, started by the harness: builds its {@link Link}, says
 * {@code READY}, waits for {@code GO} when it is the side that drives, runs its role, prints one
 * {@code RESULT} line (and a {@code HIST} line with the latency histogram), then waits for {@code QUIT}.
 *
 * <p>Every message starts with a sequence number (8 bytes), a phase (4 bytes: 0 warm-up, 1 measured,
 * 2 stop) and the sending producer's index (4 bytes); receivers check the sequence of each producer.
 */
public final class ChildMain
{
    static final int SEQ_OFFSET = 0;
    static final int PHASE_OFFSET = 8;
    static final int SOURCE_OFFSET = 12;
    static final int WARMUP = 0;
    static final int MEASURED = 1;
    static final int STOP = 2;
    static final long STOP_SEQ = -1;
    static final long HIGHEST_NS = 60_000_000_000L;
    static final int MAX_PRODUCERS = 8;

    private ChildMain()
    {
    }

    /**
     * @param args {@code key=value} pairs: role, variant, dir, size, capacity, maxLength, create, and the
     *             role's own.
     */
    public static void main(final String[] args)
    {
        final ChildArgs params = new ChildArgs(args);
        Control.start(params.getLong("timeoutMs", 120_000));
        int status = 0;
        try
        {
            run(params);
        }
        catch (final Throwable ex)
        {
            ex.printStackTrace();
            System.out.println("ERROR " + String.valueOf(ex).replace('\n', ' '));
            System.out.flush();
            status = 1;
        }
        System.exit(status);
    }

    private static void run(final ChildArgs params) throws Exception
    {
        final Variant variant = Variant.of(params.get("variant"));
        final String role = params.get("role");
        if ("bridge".equals(role))
        {
            BridgeChild.run(params); // the bridged cross-host path: this side's bridge out and in
            return;
        }
        if (role.startsWith("journal-"))
        {
            JournalChild.run(variant, role, params);
            Control.awaitQuit();
            return;
        }
        if (role.startsWith("stall-"))
        {
            StallChild.run(role, params);
            return;
        }
        if (role.startsWith("trading-"))
        {
            TradingChild.run(variant, role, params);
            Control.awaitQuit();
            return;
        }
        final String[] streams = switch (role)
        {
            case "ping" -> new String[]{"pong", "ping"};
            case "pong" -> new String[]{"ping", "pong"};
            case "producer", "idle-pub" -> new String[]{null, "data"};
            case "consumer", "idle-sub" -> new String[]{"data", null};
            default -> throw new IllegalArgumentException("unknown role " + role);
        };
        try (Link link = link(variant, params, streams[0], streams[1]))
        {
            String ready = "READY pid=" + ProcessHandle.current().pid();
            if (link instanceof SocketLink socket && socket.port() != 0)
            {
                ready += " port=" + socket.port();
            }
            say(ready);
            if (link instanceof SocketLink socket)
            {
                socket.accept();
            }
            final String result = switch (role)
            {
                case "ping" -> ping(link, params);
                case "pong" -> pong(link);
                case "producer" -> producer(link, params);
                case "consumer" -> consumer(link, params);
                case "idle-pub" -> idlePublisher(link, params);
                default -> idleSubscriber(link);
            };
            final String counters = link.counters();
            say("RESULT role=" + role + " " + result + (counters.isEmpty() ? "" : " " + counters));
            Control.awaitQuit();
        }
    }

    static void say(final String line)
    {
        System.out.println(line);
        System.out.flush();
    }

    private static Link link(final Variant variant, final ChildArgs params, final String in, final String out)
    {
        final String dir = params.get("dir");
        final boolean create = params.flag("create");
        final int capacity = params.getInt("capacity");
        if (variant == Variant.AERON_UDP)
        {
            return new AeronUdpLink(dir + "/aeron", in, out);
        }
        return switch (variant.family())
        {
            case FLOOR -> new FloorLink(dir, create, in, out);
            case SHMBUS -> new ShmbusLink(variant, Path.of(dir, "bus"), in, out, TopicOptions.builder()
                .capacityBytes(capacity)
                .maxMessageLength(params.getInt("maxLength"))
                .build());
            case AERON -> new AeronLink(variant, dir + "/aeron", create, params.getInt("aeronTermLength", capacity),
                streamId(in), streamId(out));
            case AGRONA -> new AgronaRingLink(variant, dir, create, capacity, in, out);
            case SOCKET -> new SocketLink(variant, Path.of(dir), create, params.getInt("port", 0),
                params.getInt("size"));
            case JOURNAL ->
                throw new IllegalArgumentException(variant.id() + " is not a link; its roles are journal-*");
        };
    }

    private static int streamId(final String name)
    {
        return null == name ? 0 : switch (name)
        {
            case "ping" -> 1001;
            case "pong" -> 1002;
            default -> 1003;
        };
    }

    private static UnsafeBuffer messageBuffer(final int size)
    {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(size, 16)));
    }

    // ---------------------------------------------------------------------------------------------- round trip

    private static final class PingSink implements Link.Sink
    {
        long seq;

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            seq = buffer.getLong(offset + SEQ_OFFSET);
        }
    }

    private static String ping(final Link link, final ChildArgs params)
    {
        final int size = params.getInt("size");
        final PingSink sink = new PingSink();
        link.sink(sink);
        final UnsafeBuffer out = messageBuffer(size);
        final Histogram histogram = new Histogram(HIGHEST_NS, 3);
        final Meter meter = new Meter();
        Control.awaitGo();

        long seq = 0;
        long deadline = System.nanoTime() + params.getLong("warmupMs", 1000) * 1_000_000L;
        final long warmupCount = params.getLong("warmupCount", Long.MAX_VALUE);
        for (long i = 0; i < warmupCount; i++)
        {
            out.putLong(SEQ_OFFSET, ++seq);
            out.putInt(PHASE_OFFSET, WARMUP);
            link.send(out, size);
            while (sink.seq != seq)
            {
                link.receive(1);
            }
            if (System.nanoTime() - deadline > 0)
            {
                break;
            }
        }

        final long measureCount = params.getLong("measureCount", Long.MAX_VALUE);
        long count = 0;
        meter.start();
        deadline = System.nanoTime() + params.getLong("measureMs", 1000) * 1_000_000L;
        while (count < measureCount)
        {
            final long start = System.nanoTime();
            out.putLong(SEQ_OFFSET, ++seq);
            out.putInt(PHASE_OFFSET, MEASURED);
            link.send(out, size);
            while (sink.seq != seq)
            {
                link.receive(1);
            }
            final long end = System.nanoTime();
            histogram.recordValue(Math.min(end - start, HIGHEST_NS));
            count++;
            if (end - deadline > 0)
            {
                break;
            }
        }
        meter.stop();

        out.putLong(SEQ_OFFSET, STOP_SEQ);
        out.putInt(PHASE_OFFSET, STOP);
        link.send(out, size);
        while (sink.seq != STOP_SEQ)
        {
            link.receive(1);
        }
        say("HIST " + encode(histogram));
        return "messages=" + count + " " + meter.fields();
    }

    private static final class EchoSink implements Link.Sink
    {
        final UnsafeBuffer echo = messageBuffer(1 << 17);
        final Meter meter = new Meter();
        int length;
        long seq;

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            echo.putBytes(0, buffer, offset, length);
            this.length = length;
            seq = buffer.getLong(offset + SEQ_OFFSET);
            if (length >= 16)
            {
                final int phase = buffer.getInt(offset + PHASE_OFFSET);
                if (phase == MEASURED)
                {
                    meter.start();
                }
                else if (phase == STOP)
                {
                    meter.stop();
                }
            }
        }
    }

    private static String pong(final Link link)
    {
        final EchoSink sink = new EchoSink();
        link.sink(sink);
        long count = 0;
        while (true)
        {
            link.receive(1);
            link.send(sink.echo, sink.length);
            count++;
            if (sink.seq == STOP_SEQ)
            {
                break;
            }
        }
        return "messages=" + count + " " + sink.meter.fields();
    }

    // ---------------------------------------------------------------------------------------------- one way

    private static String producer(final Link link, final ChildArgs params)
    {
        final int size = params.getInt("size");
        final UnsafeBuffer out = messageBuffer(size);
        out.putInt(SOURCE_OFFSET, params.getInt("source", 0));
        final Meter meter = new Meter();
        Control.awaitGo();

        final long[] refused = new long[1];
        final long[] seq = new long[1];
        send(link, out, size, WARMUP, params.getLong("warmupMs", 1000), params.getLong("warmupCount", Long.MAX_VALUE),
            seq, refused);
        final long refusedInWarmup = refused[0];
        meter.start();
        final long sent = send(link, out, size, MEASURED, params.getLong("measureMs", 1000),
            params.getLong("measureCount", Long.MAX_VALUE), seq, refused);
        meter.stop();
        out.putLong(SEQ_OFFSET, seq[0]);
        out.putInt(PHASE_OFFSET, STOP);
        link.send(out, size);
        return "messages=" + sent + " refused=" + (refused[0] - refusedInWarmup) + " " + meter.fields();
    }

    private static long send(
        final Link link,
        final UnsafeBuffer out,
        final int size,
        final int phase,
        final long durationMs,
        final long maxCount,
        final long[] seq,
        final long[] refused)
    {
        final long deadline = System.nanoTime() + durationMs * 1_000_000L;
        long sequence = seq[0];
        long refusals = 0;
        long sent = 0;
        out.putInt(PHASE_OFFSET, phase);
        while (sent < maxCount)
        {
            out.putLong(SEQ_OFFSET, sequence++);
            refusals += link.send(out, size);
            sent++;
            if ((sent & 255) == 0 && System.nanoTime() - deadline > 0)
            {
                break;
            }
        }
        seq[0] = sequence;
        refused[0] += refusals;
        return sent;
    }

    private static final class CountingSink implements Link.Sink
    {
        final long[] expected = new long[MAX_PRODUCERS];
        final Meter meter = new Meter();
        long measured;
        long bytes;
        long errors;
        int stops;

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            final long seq = buffer.getLong(offset + SEQ_OFFSET);
            final int phase = buffer.getInt(offset + PHASE_OFFSET);
            final int source = buffer.getInt(offset + SOURCE_OFFSET);
            if (phase == STOP)
            {
                stops++;
                return;
            }
            if (expected[source] != seq)
            {
                errors++;
            }
            expected[source] = seq + 1;
            if (phase == MEASURED)
            {
                meter.start();
                measured++;
                bytes += length;
            }
        }
    }

    private static String consumer(final Link link, final ChildArgs params)
    {
        final int producers = params.getInt("producers", 1);
        final int limit = params.getInt("pollLimit", 256);
        final CountingSink sink = new CountingSink();
        link.sink(sink);
        while (sink.stops < producers)
        {
            link.receive(limit);
        }
        sink.meter.stop();
        return "messages=" + sink.measured + " bytes=" + sink.bytes + " errors=" + sink.errors + " " +
            sink.meter.fields();
    }

    // ---------------------------------------------------------------------------------------------- idle

    private static String idlePublisher(final Link link, final ChildArgs params)
    {
        final UnsafeBuffer out = messageBuffer(params.getInt("size"));
        out.putLong(SEQ_OFFSET, 0);
        out.putInt(PHASE_OFFSET, WARMUP);
        Control.awaitGo(1); // the subscriber has joined
        link.send(out, params.getInt("size"));
        Control.awaitGo(2); // the watch window is over
        out.putLong(SEQ_OFFSET, 1);
        out.putInt(PHASE_OFFSET, STOP);
        link.send(out, params.getInt("size"));
        return "messages=2";
    }

    private static String idleSubscriber(final Link link) throws Exception
    {
        final CountingSink sink = new CountingSink();
        link.sink(sink);
        link.receive(1);
        final String thread = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
        final Meter meter = new Meter();
        meter.start();
        say("WAITING tid=" + thread.substring(thread.lastIndexOf('/') + 1));
        while (sink.stops == 0)
        {
            link.receive(1);
        }
        meter.stop();
        return "messages=1 " + meter.fields();
    }

    private static String encode(final Histogram histogram)
    {
        final ByteBuffer bytes = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        final int length = histogram.encodeIntoCompressedByteBuffer(bytes);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(bytes.array(), length));
    }
}
