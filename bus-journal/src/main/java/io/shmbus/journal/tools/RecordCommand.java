package io.shmbus.journal.tools;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Topic;
import io.shmbus.journal.Durability;
import io.shmbus.journal.JournalFormat;
import io.shmbus.journal.Recorder;
import io.shmbus.journal.RecorderOptions;
import io.shmbus.journal.Retention;
import org.agrona.concurrent.BackoffIdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code record TOPIC DIR}: record a topic into a journal until interrupted (or for a given time).
 */
@Command(name = "record", mixinStandardHelpOptions = true,
    description = "Record a topic into a journal directory (on a disk) until interrupted.")
public final class RecordCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "topic name")
    String topicName;

    @Parameters(index = "1", description = "journal directory")
    Path journal;

    @Option(names = { "-d", "--dir" }, description = "bus directory (default: /dev/shm/shmbus-<user>)")
    Path busDirectory;

    @Option(names = "--durability", defaultValue = "none", description = "none, segment or every:N")
    String durability;

    @Option(names = "--segment-bytes", defaultValue = "1073741824", description = "segment file size (new journal)")
    long segmentBytes;

    @Option(names = "--chunk-bytes", defaultValue = "67108864", description = "mapping window")
    long chunkBytes;

    @Option(names = "--name", defaultValue = RecorderOptions.DEFAULT_SUBSCRIBER_NAME,
        description = "durable subscriber name")
    String name;

    @Option(names = "--hold-limit-ms", defaultValue = "10000",
        description = "how long the topic waits for a recorder that is away; negative: for ever")
    long holdLimitMs;

    @Option(names = "--duration-s", defaultValue = "0", description = "stop after this long (0: until interrupted)")
    long durationS;

    @Option(names = "--keep-segments", defaultValue = "0",
        description = "retention: keep at most this many segments, the one being written included (0: all)")
    int keepSegments;

    @Option(names = "--keep-bytes", defaultValue = "0",
        description = "retention: keep at most this many bytes of segments, e.g. 20g (0: all)")
    String keepBytes;

    @Option(names = "--keep-age", description = "retention: remove segments whose newest record is older, e.g. " +
        "36h, 7d, PT90M")
    String keepAge;

    @Override
    public Integer call() throws Exception
    {
        final BusOptions.Builder bus = BusOptions.builder();
        if (null != busDirectory)
        {
            bus.directory(busDirectory);
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        final Thread[] worker = new Thread[1];
        final Thread hook = new Thread(() ->
        {
            worker[0].interrupt();
            try
            {
                stopped.await(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ignore)
            {
                Thread.currentThread().interrupt();
            }
        }, "record-stop");
        worker[0] = Thread.currentThread();
        final Retention retention;
        try
        {
            retention = Retention.none().maxSegments(keepSegments).maxBytes(Retention.parseSize(keepBytes))
                .maxAgeNs(null == keepAge ? 0 : Retention.parseDuration(keepAge));
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("shmbus record: " + ex.getMessage());
            return 2;
        }
        try (Bus b = Bus.open(bus.build()))
        {
            final Topic topic = b.openTopic(topicName);
            final RecorderOptions options = RecorderOptions.of(journal)
                .format(java.nio.file.Files.exists(journal.resolve("journal.meta")) ? null : JournalFormat.builder()
                    .segmentLengthBytes(segmentBytes).maxMessageLength(topic.options().maxMessageLength()).build())
                .chunkLengthBytes(chunkBytes).durability(Durability.parse(durability)).subscriberName(name)
                .holdLimitNs(holdLimitMs < 0 ? -1 : TimeUnit.MILLISECONDS.toNanos(holdLimitMs))
                .retention(retention);
            Runtime.getRuntime().addShutdownHook(hook);
            final long end = durationS > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(durationS) : Long.MAX_VALUE;
            try (Recorder recorder = Recorder.start(topic, options))
            {
                System.out.println("recording " + topicName + " into " + journal + " from journal position " +
                    recorder.journalPosition() + " (" + retention + ")");
                recorder.run(() -> !Thread.currentThread().isInterrupted() && System.nanoTime() < end,
                    new BackoffIdleStrategy(10, 20, 1_000, 1_000_000));
                System.out.println("recorded " + recorder.recordedMessages() + " messages; journal position " +
                    recorder.journalPosition());
            }
            return 0;
        }
        catch (final RuntimeException ex)
        {
            System.err.println("shmbus record: " + ex.getMessage());
            return 1;
        }
        finally
        {
            stopped.countDown();
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException shuttingDown)
            {
                // the hook is running
            }
        }
    }
}
