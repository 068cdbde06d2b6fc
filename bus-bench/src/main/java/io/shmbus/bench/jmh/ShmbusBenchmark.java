package io.shmbus.bench.jmh;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Claim;
import io.shmbus.MessageHandler;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.WaitStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Single-operation costs of shmbus in one thread: publishing alone (a topic that does not require a
 * subscriber, so the ring recycles itself), and publish-then-poll pairs with a tethered busy-spin subscriber
 * in the same thread. Polling one message costs about {@code offerThenPoll - offer}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class ShmbusBenchmark
{
    private static final int LENGTH = 32;

    private Path directory;
    private Bus bus;
    private Topic lonely;
    private Topic paired;
    private Publisher lonelyPublisher;
    private Publisher pairedPublisher;
    private Subscriber subscriber;
    private final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(LENGTH));
    private final Claim claim = new Claim();
    private long sum;
    private final MessageHandler handler = (buffer, offset, length, header) -> sum += buffer.getLong(offset);

    /**
     * Create the topics in a fresh directory under /dev/shm.
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        directory = Files.createTempDirectory(Path.of("/dev/shm"), "shmbus-jmh-");
        bus = Bus.open(BusOptions.builder().directory(directory).build());
        final TopicOptions options = TopicOptions.builder().capacityBytes(4 << 20).maxMessageLength(4096).build();
        lonely = bus.topic("lonely", options.toBuilder().requireSubscriber(false).build());
        lonelyPublisher = lonely.publisher(PublisherOptions.exclusive());
        paired = bus.topic("paired", options);
        subscriber = paired.subscriber(SubscriberOptions.tethered().waitStrategy(WaitStrategy.busySpin()));
        pairedPublisher = paired.publisher(PublisherOptions.exclusive());
    }

    /**
     * Close everything and remove the directory.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        bus.close();
        try (Stream<Path> paths = Files.walk(directory))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * @return the position.
     */
    @Benchmark
    public long offer()
    {
        message.putLong(0, sum);
        return lonelyPublisher.offer(message, 0, LENGTH);
    }

    /**
     * @return the position.
     */
    @Benchmark
    public long tryClaimCommit()
    {
        final long result = lonelyPublisher.tryClaim(LENGTH, claim);
        if (result > 0)
        {
            claim.buffer().putLong(0, result);
            claim.commit();
        }
        return result;
    }

    /**
     * @return messages polled.
     */
    @Benchmark
    public int offerThenPoll()
    {
        message.putLong(0, sum);
        pairedPublisher.offer(message, 0, LENGTH);
        return subscriber.poll(handler, 1);
    }

    /**
     * @return messages polled.
     */
    @Benchmark
    public int tryClaimCommitThenPoll()
    {
        final long result = pairedPublisher.tryClaim(LENGTH, claim);
        if (result > 0)
        {
            claim.buffer().putLong(0, result);
            claim.commit();
        }
        return subscriber.poll(handler, 1);
    }

    /**
     * @param blackhole sink.
     */
    @Benchmark
    public void pollEmpty(final Blackhole blackhole)
    {
        blackhole.consume(subscriber.poll(handler, 1));
    }
}
