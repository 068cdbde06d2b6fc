package io.shmbus.bench.child;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.MessageHandler;
import io.shmbus.impl.process.ChildArgs;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.bench.Variant;
import io.shmbus.journal.Durability;
import io.shmbus.journal.Journal;
import io.shmbus.journal.JournalFormat;
import io.shmbus.journal.JournalReader;
import io.shmbus.journal.JournalWriter;
import io.shmbus.journal.Recorder;
import io.shmbus.journal.RecorderOptions;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.shmbus.bench.child.ChildMain.say;

/**
 * The roles of the journal scenario, each in a child JVM of its own, writing under {@code journalDir} (a disk
 * directory that the harness removes after the run):
 * <ul>
 *     <li>{@code journal-append}: append {@code messages} messages of {@code size} bytes, then read them all
 *     back, with bus-journal's {@link JournalWriter} and {@link JournalReader} (each record with the topic
 *     position, publisher id, type and timestamp a {@link Recorder} would give it), or with Chronicle Queue's
 *     appender and tailer (the same bytes as one excerpt each);</li>
 *     <li>{@code journal-recorder}: a {@link Recorder} of a shmbus topic that a producer JVM publishes to at full
 *     rate; reports its largest lag behind the topic's tail and how long it took to catch up after the producer
 *     stopped;</li>
 *     <li>{@code journal-rss}: write a journal many mapping windows long, then replay it while a thread samples
 *     the process's VmRSS.</li>
 * </ul>
 */
final class JournalChild
{
    private static final int PUBLISHER_ID = 1;
    private static final int TYPE = 7;
    private static final int POLL_LIMIT = 256;

    private JournalChild()
    {
    }

    static void run(final Variant variant, final String role, final ChildArgs params) throws Exception
    {
        final Path dir = Path.of(params.get("journalDir"));
        Files.createDirectories(dir);
        final String result = switch (role)
        {
            case "journal-append" -> variant == Variant.CHRONICLE ? chronicle(dir, params) : journal(dir, params);
            case "journal-recorder" -> recorder(dir, params);
            case "journal-rss" -> rss(dir, params);
            default -> throw new IllegalArgumentException("unknown role " + role);
        };
        say("RESULT role=" + role + " " + result);
    }

    private static JournalFormat format(final ChildArgs params)
    {
        return JournalFormat.builder()
            .segmentLengthBytes(params.getLong("segmentBytes", JournalFormat.DEFAULT_SEGMENT_LENGTH_BYTES))
            .maxMessageLength(params.getInt("maxLength"))
            .build();
    }

    // ------------------------------------------------------------------------------------------ append, replay

    private static String journal(final Path dir, final ChildArgs params)
    {
        final int size = params.getInt("size");
        final long messages = params.getLong("messages", 1_000_000);
        final long window = params.getLong("windowBytes", JournalWriter.DEFAULT_CHUNK_LENGTH_BYTES);
        final UnsafeBuffer payload = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(size, 16)));
        final Path journalDir = dir.resolve("journal");
        say("READY pid=" + ProcessHandle.current().pid());
        Control.awaitGo();

        final Meter append = new Meter();
        long bytes;
        try (JournalWriter writer = JournalWriter.open(journalDir, format(params), "bench", window, Durability.none()))
        {
            final long frame = topicFrame(size);
            long topicPosition = 0;
            long timestampNs = System.currentTimeMillis() * 1_000_000L;
            append.start();
            for (long seq = 0; seq < messages; seq++)
            {
                payload.putLong(0, seq);
                writer.append(payload, 0, size, topicPosition, (int)frame, TYPE, PUBLISHER_ID, timestampNs++);
                topicPosition += frame;
            }
            append.stop();
            bytes = writer.position();
        }

        final Meter replay = new Meter();
        final long[] seen = new long[3]; // messages, payload bytes, sequence errors
        final MessageHandler handler = (buffer, offset, length, header) ->
        {
            if (buffer.getLong(offset) != seen[0])
            {
                seen[2]++;
            }
            seen[0]++;
            seen[1] += length;
        };
        try (Journal journal = Journal.open(journalDir, window);
            JournalReader reader = journal.reader(journal.startPosition()))
        {
            replay.start();
            while (seen[0] < messages)
            {
                if (reader.poll(handler, POLL_LIMIT) == 0)
                {
                    throw new IllegalStateException("journal ended after " + seen[0] + " of " + messages + " messages");
                }
            }
            replay.stop();
        }
        return fields(messages, bytes, append, replay, seen);
    }

    /** What a topic record of this length takes in the topic: the positions a Recorder would write. */
    private static long topicFrame(final int size)
    {
        return (size + 32 + 7) & ~7L;
    }

    private static String chronicle(final Path dir, final ChildArgs params)
    {
        final int size = params.getInt("size");
        final long messages = params.getLong("messages", 1_000_000);
        final Bytes<?> payload = Bytes.allocateDirect(Math.max(size, 16));
        final Path queueDir = dir.resolve("chronicle");
        say("READY pid=" + ProcessHandle.current().pid());
        Control.awaitGo();

        final Meter append = new Meter();
        final Meter replay = new Meter();
        final long[] seen = new long[3];
        try (ChronicleQueue queue = ChronicleQueue.singleBuilder(queueDir).build())
        {
            try (ExcerptAppender appender = queue.createAppender())
            {
                append.start();
                for (long seq = 0; seq < messages; seq++)
                {
                    payload.writeLong(0, seq);
                    payload.readPositionRemaining(0, size);
                    appender.writeBytes(payload);
                }
                append.stop();
            }
            try (ExcerptTailer tailer = queue.createTailer())
            {
                tailer.toStart();
                replay.start();
                while (seen[0] < messages)
                {
                    try (DocumentContext dc = tailer.readingDocument())
                    {
                        if (!dc.isPresent())
                        {
                            throw new IllegalStateException("queue ended after " + seen[0] + " of " + messages +
                                " messages");
                        }
                        final Bytes<?> in = dc.wire().bytes();
                        if (in.readLong(in.readPosition()) != seen[0])
                        {
                            seen[2]++;
                        }
                        seen[0]++;
                        seen[1] += in.readRemaining();
                    }
                }
                replay.stop();
            }
        }
        payload.releaseLast();
        return fields(messages, directoryBytes(queueDir), append, replay, seen);
    }

    private static String fields(
        final long messages, final long fileBytes, final Meter append, final Meter replay, final long[] seen)
    {
        return "messages=" + messages + " fileBytes=" + fileBytes + " appendWallNs=" + append.wallNs +
            " appendCpuNs=" + append.cpuNs + " appendAllocBytes=" + append.allocBytes + " replayMessages=" + seen[0] +
            " replayBytes=" + seen[1] + " replayErrors=" + seen[2] + " replayWallNs=" + replay.wallNs +
            " replayAllocBytes=" + replay.allocBytes;
    }

    private static long directoryBytes(final Path dir)
    {
        try (var files = Files.walk(dir))
        {
            return files.filter(Files::isRegularFile).mapToLong(p ->
            {
                try
                {
                    return Files.size(p);
                }
                catch (final IOException ex)
                {
                    return 0;
                }
            }).sum();
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    // ------------------------------------------------------------------------------------------ recorder

    private static String recorder(final Path dir, final ChildArgs params)
    {
        final TopicOptions options = TopicOptions.builder()
            .capacityBytes(params.getInt("capacity"))
            .maxMessageLength(params.getInt("maxLength"))
            .build();
        try (Bus bus = Bus.open(BusOptions.builder().directory(Path.of(params.get("dir"), "bus")).build());
            Topic topic = bus.topic("data", options);
            Recorder recorder = Recorder.start(topic, RecorderOptions.of(dir.resolve("recorded"))
                .durability(Durability.none())
                .chunkLengthBytes(params.getLong("windowBytes", JournalWriter.DEFAULT_CHUNK_LENGTH_BYTES))
                .format(format(params))))
        {
            say("READY pid=" + ProcessHandle.current().pid());
            final Meter meter = new Meter();
            long maxLag = 0;
            long drainStart = 0;
            long drainNs = -1;
            int polls = 0;
            long lastSampleNs = System.nanoTime();
            while (true)
            {
                final int n = recorder.poll();
                if (n > 0)
                {
                    meter.start();
                }
                // The topic's tail is read at most once a millisecond while the producer runs (reading the
                // status is not free), and at every check once it has stopped, to see the catch-up end.
                if (((++polls & 1023) == 0 || n == 0) &&
                    (0 != drainStart || System.nanoTime() - lastSampleNs >= 1_000_000L))
                {
                    lastSampleNs = System.nanoTime();
                    final long lag = topic.status().tail() - recorder.topicPosition();
                    maxLag = Math.max(maxLag, lag);
                    if (0 == drainStart && Control.goes() > 0)
                    {
                        drainStart = System.nanoTime();
                    }
                    if (0 != drainStart && lag <= 0)
                    {
                        drainNs = System.nanoTime() - drainStart;
                        break;
                    }
                }
                if (n == 0)
                {
                    Thread.onSpinWait();
                }
            }
            meter.stop();
            return "messages=" + recorder.recordedMessages() + " maxLagBytes=" + maxLag + " drainNs=" + drainNs +
                " journalBytes=" + recorder.journalPosition() + " " + meter.fields();
        }
    }

    // ------------------------------------------------------------------------------------------ resident memory

    private static String rss(final Path dir, final ChildArgs params) throws Exception
    {
        final int size = params.getInt("size");
        final long journalBytes = params.getLong("journalBytes", 256L << 20);
        final long window = params.getLong("windowBytes", 4L << 20);
        final int passes = params.getInt("passes", 2);
        final UnsafeBuffer payload = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(size, 16)));
        final Path journalDir = dir.resolve("journal");
        say("READY pid=" + ProcessHandle.current().pid());
        Control.awaitGo();

        long messages = 0;
        long written;
        try (JournalWriter writer = JournalWriter.open(journalDir, format(params), "bench", window, Durability.none()))
        {
            final long frame = topicFrame(size);
            long timestampNs = System.currentTimeMillis() * 1_000_000L;
            while (writer.position() < journalBytes)
            {
                payload.putLong(0, messages);
                writer.append(payload, 0, size, messages * frame, (int)frame, TYPE, PUBLISHER_ID, timestampNs++);
                messages++;
            }
            written = writer.position();
        }
        System.gc();
        final long baseline = vmRss();
        final AtomicLong peak = new AtomicLong(baseline);
        final AtomicBoolean sampling = new AtomicBoolean(true);
        final Thread sampler = new Thread(() ->
        {
            while (sampling.get())
            {
                peak.accumulateAndGet(vmRss(), Math::max);
                try
                {
                    Thread.sleep(2);
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
            }
        }, "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();

        final Meter replay = new Meter();
        final long[] seen = new long[3];
        final MessageHandler handler = (buffer, offset, length, header) ->
        {
            seen[0]++;
            seen[1] += length;
        };
        long mappedMax = 0;
        replay.start();
        try (Journal journal = Journal.open(journalDir, window))
        {
            for (int pass = 0; pass < passes; pass++)
            {
                try (JournalReader reader = journal.reader(journal.startPosition()))
                {
                    long delivered = 0;
                    while (delivered < messages)
                    {
                        final int n = reader.poll(handler, POLL_LIMIT);
                        if (n == 0)
                        {
                            throw new IllegalStateException("journal ended after " + delivered + " of " + messages);
                        }
                        delivered += n;
                        mappedMax = Math.max(mappedMax, reader.mappedBytes());
                    }
                }
            }
        }
        replay.stop();
        sampling.set(false);
        sampler.join();
        peak.accumulateAndGet(vmRss(), Math::max);
        return "messages=" + messages + " passes=" + passes + " journalBytes=" + written + " windowBytes=" + window +
            " baselineRssBytes=" + baseline + " peakRssBytes=" + peak.get() + " readerMappedMaxBytes=" + mappedMax +
            " replayMessages=" + seen[0] + " replayBytes=" + seen[1] + " replayWallNs=" + replay.wallNs;
    }

    /**
     * @return this process's resident set in bytes, from the VmRSS line of /proc/self/status.
     */
    static long vmRss()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
            {
                if (line.startsWith("VmRSS:"))
                {
                    return parseKb(line) * 1024;
                }
            }
        }
        catch (final IOException ignore)
        {
            // reported as 0
        }
        return 0;
    }

    /**
     * @param line a /proc status line such as {@code VmRSS:     12345 kB}.
     * @return the number in it.
     */
    static long parseKb(final String line)
    {
        final String value = line.substring(line.indexOf(':') + 1).trim();
        final int space = value.indexOf(' ');
        return Long.parseLong(space < 0 ? value : value.substring(0, space));
    }
}
