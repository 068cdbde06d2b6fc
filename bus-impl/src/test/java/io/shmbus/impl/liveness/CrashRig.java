package io.shmbus.impl.liveness;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.TopicStatus;
import io.shmbus.impl.TestBus;
import io.shmbus.impl.process.ChildGroup;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.ChildSupport;
import io.shmbus.impl.process.HaltingPublisherMain;
import io.shmbus.impl.process.TestMessages;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32C;

/**
 * One crash test's world: a fresh bus directory under /dev/shm with one topic, created by this JVM before any child
 * starts, the child JVMs of the test, a topic handle for {@code status()} and a {@link TopicProbe}. Closing it
 * kills every child still running and removes the directory.
 *
 * <p>This JVM opens the topic once, at the start, when nobody can have died yet: opening a topic repairs the
 * slots of dead participants, and the tests want to see the survivors do that, not the test.
 */
final class CrashRig implements AutoCloseable
{
    static final Duration START = Duration.ofSeconds(60);
    static final Duration RUN = Duration.ofSeconds(60);
    static final String TOPIC = "crash";
    /**
     * Flags for the children of crash tests: no logging (configuring Logback costs a child more CPU than anything
     * else it does) and a light JIT. Starting JVMs is most of what these tests spend.
     */
    static final List<String> LEAN_JVM = List.of(
        "-Dslf4j.provider=org.slf4j.helpers.NOP_FallbackServiceProvider",
        "-XX:TieredStopAtLevel=1",
        "-XX:CICompilerCount=1",
        "-XX:-UsePerfData",
        "-Xmx64m");

    final Path directory;
    final TopicOptions options;
    final String spec;
    final ChildGroup children = new ChildGroup();
    final Bus bus;
    final Topic topic;
    final TopicProbe probe;

    CrashRig(final String label, final TopicOptions options)
    {
        this.directory = TestBus.newDirectory(label);
        this.options = options;
        this.spec = ChildSupport.spec(options);
        Bus openedBus = null;
        Topic openedTopic = null;
        try
        {
            openedBus = Bus.open(BusOptions.builder().directory(directory).build());
            openedTopic = openedBus.topic(TOPIC, options);
            this.probe = new TopicProbe(directory, TOPIC);
        }
        catch (final RuntimeException | Error ex)
        {
            if (null != openedBus)
            {
                openedBus.close();
            }
            TestBus.delete(directory);
            throw ex;
        }
        this.bus = openedBus;
        this.topic = openedTopic;
    }

    /**
     * @param extra more {@code key=value} arguments.
     * @return the arguments every child gets (bus, topic, settings, deadline), then the extra ones.
     */
    String[] args(final String... extra)
    {
        final List<String> args = new ArrayList<>(List.of(
            "dir=" + directory, "topic=" + TOPIC, "spec=" + spec,
            "deadline=" + (START.toSeconds() + RUN.toSeconds())));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    /**
     * Start a child with the {@link #LEAN_JVM} flags.
     */
    ChildProcess start(final String name, final Class<?> mainClass, final String... extra)
    {
        return start(name, LEAN_JVM, mainClass, extra);
    }

    ChildProcess start(final String name, final List<String> jvmFlags, final Class<?> mainClass, final String... extra)
    {
        return children.start(name, List.of(), jvmFlags, mainClass, args(extra));
    }

    /**
     * Start a {@link HaltingPublisherMain}; for a fault-point window, with that fault point enabled after
     * {@code before} passages.
     *
     * @param name    for messages.
     * @param window  see {@link HaltingPublisherMain}.
     * @param release a file that releases the fault point, or null to halt for ever.
     * @param extra   more arguments: mode, id, before, wrap.
     * @return the child.
     */
    ChildProcess startHalting(final String name, final String window, final Path release, final String... extra)
    {
        final List<String> flags = new ArrayList<>(LEAN_JVM);
        if (!"halfBody".equals(window))
        {
            flags.add("-Dshmbus.faultPoints=" + window);
            for (final String arg : extra)
            {
                if (arg.startsWith("before="))
                {
                    flags.add("-Dshmbus.faultPoints.skip=" + arg.substring("before=".length()));
                }
            }
            if (null != release)
            {
                flags.add("-Dshmbus.faultPoints.release=" + release);
            }
        }
        final List<String> all = new ArrayList<>(List.of(extra));
        all.add("window=" + window);
        return children.start(name, List.of(), flags, HaltingPublisherMain.class, args(all.toArray(String[]::new)));
    }

    TopicStatus status()
    {
        return topic.status();
    }

    TopicStatus.PublisherStatus publisher(final int slot)
    {
        return status().publishers().stream().filter(p -> p.id() == slot).findFirst().orElse(null);
    }

    TopicStatus.SubscriberStatus subscriber(final int slot)
    {
        return status().subscribers().stream().filter(s -> s.id() == slot).findFirst().orElse(null);
    }

    /**
     * Wait until a condition holds.
     *
     * @param what      for the failure message.
     * @param timeout   how long to wait.
     * @param condition polled every millisecond.
     */
    static void await(final String what, final Duration timeout, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            sleepMs(1);
        }
    }

    /**
     * Wait until a publisher is blocked: for {@code quietMs} the tail has not moved while the publisher kept
     * being back-pressured (so it is trying, and nothing fits).
     *
     * @param publisherSlot the publisher's slot.
     * @param quietMs       how long.
     * @return the tail it is blocked at.
     */
    long awaitBlocked(final int publisherSlot, final long quietMs)
    {
        final long deadline = System.nanoTime() + RUN.toNanos();
        long tail = probe.tail();
        long backPressured = probe.publisherBackPressured(publisherSlot);
        long since = System.nanoTime();
        while (true)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("publisher " + publisherSlot + " never blocked for " + quietMs + " ms");
            }
            sleepMs(1);
            final long now = probe.tail();
            if (now != tail)
            {
                tail = now;
                backPressured = probe.publisherBackPressured(publisherSlot);
                since = System.nanoTime();
            }
            else if (System.nanoTime() - since >= TimeUnit.MILLISECONDS.toNanos(quietMs) &&
                probe.publisherBackPressured(publisherSlot) > backPressured && probe.tail() == tail)
            {
                return tail;
            }
        }
    }

    static void sleepMs(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }

    /**
     * Where a lone publisher's stream of {@link TestMessages} stands after {@code count} messages from position 0
     * (the claims a publisher makes: wrap padding when a record does not fit before the ring's end).
     */
    long positionAfter(final int id, final long count)
    {
        long position = 0;
        for (long sequence = 0; sequence < count; sequence++)
        {
            position = claimEnd(position, id, sequence);
        }
        return position;
    }

    private long claimEnd(final long position, final int id, final long sequence)
    {
        final int capacity = options.capacityBytes();
        final int aligned = align(headerLength() + TestMessages.length(id, sequence, options.maxMessageLength()));
        final int index = (int)position & (capacity - 1);
        final int padding = aligned > capacity - index ? capacity - index : 0;
        return position + padding + aligned;
    }

    /**
     * @return how many messages a lone publisher commits from position 0 before the ring's end is so close that
     * one more claim, of a message no longer than the largest, must wrap.
     */
    long messagesBeforeWrapWindow(final int id)
    {
        final int capacity = options.capacityBytes();
        long position = 0;
        for (long count = 0; ; count++)
        {
            final int left = capacity - (int)(position & (capacity - 1));
            if (position > 0 && left <= options.maxMessageLength() + headerLength() - 1)
            {
                return count;
            }
            position = claimEnd(position, id, count);
            if (position >= capacity)
            {
                throw new IllegalStateException("no wrap window in the first lap");
            }
        }
    }

    /**
     * @return how many messages a lone publisher commits from position 0 before it needs its first cleaning
     * round (a claim must end at least one alignment unit below the first clean limit, the capacity).
     */
    long messagesBeforeFirstRound(final int id)
    {
        final int capacity = options.capacityBytes();
        long position = 0;
        for (long count = 0; ; count++)
        {
            final long end = claimEnd(position, id, count);
            if (end > capacity - 16)
            {
                return count;
            }
            position = end;
        }
    }

    /**
     * @return the sum of the checksums of messages {@code from} to {@code to - 1} of test publisher {@code id},
     * as a subscriber adds them up.
     */
    long checksum(final int id, final long from, final long to)
    {
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[Math.max(8, options.maxMessageLength())]);
        final CRC32C crc = new CRC32C();
        long sum = 0;
        for (long sequence = from; sequence < to; sequence++)
        {
            sum += TestMessages.fill(scratch, crc, id, sequence,
                TestMessages.length(id, sequence, options.maxMessageLength()));
        }
        return sum;
    }

    /** What a subscriber child ({@code SubscriberMain}, {@code CrashSubscriberMain}) reported about one publisher. */
    record PerPublisher(long count, long checksum, long first, long last, int slot)
    {
    }

    /** What a subscriber child reported at the end. */
    record SubscriberReport(List<PerPublisher> publishers, long delivered, long lostMessages, long lostBytes,
        long lossEvents, long position)
    {
        PerPublisher of(final int publisher)
        {
            return publishers.get(publisher);
        }
    }

    /** What a {@code PublisherMain} child reported. */
    record PublisherReport(long count, long checksum, long backPressured, long adminAction)
    {
    }

    static SubscriberReport awaitSubscriber(final ChildProcess child, final int publishers)
    {
        final List<PerPublisher> per = new ArrayList<>();
        for (int p = 0; p < publishers; p++)
        {
            final String[] w = child.awaitWords("PUB", RUN);
            if (Integer.parseInt(w[0]) != p)
            {
                throw new AssertionError("expected the report on publisher " + p + ", got " + String.join(" ", w));
            }
            per.add(new PerPublisher(Long.parseLong(w[1]), Long.parseLong(w[2]), Long.parseLong(w[3]),
                Long.parseLong(w[4]), Integer.parseInt(w[5])));
        }
        final String[] w = child.awaitWords("DONE", RUN);
        return new SubscriberReport(per, Long.parseLong(w[0]), Long.parseLong(w[1]), Long.parseLong(w[2]),
            Long.parseLong(w[3]), Long.parseLong(w[5]));
    }

    static PublisherReport awaitPublisher(final ChildProcess child)
    {
        final String[] w = child.awaitWords("DONE", RUN);
        return new PublisherReport(Long.parseLong(w[1]), Long.parseLong(w[2]), Long.parseLong(w[4]),
            Long.parseLong(w[6]));
    }

    /**
     * @return the first word after the prefix of the child's READY line: its slot.
     */
    static int awaitReady(final ChildProcess child)
    {
        return Integer.parseInt(child.awaitWords("READY", START)[0]);
    }

    int headerLength()
    {
        return options.timestamps() ? 32 : 16;
    }

    static int align(final int length)
    {
        return (length + 15) & -16;
    }

    @Override
    public void close()
    {
        try
        {
            children.close();
        }
        finally
        {
            try
            {
                probe.close();
                bus.close();
            }
            finally
            {
                TestBus.delete(directory);
            }
        }
    }
}
