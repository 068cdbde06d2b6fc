package io.shmbus.examples;

import io.shmbus.Bus;
import io.shmbus.BusException;
import io.shmbus.Topic;
import io.shmbus.TopicNotFoundException;
import io.shmbus.TopicStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * Watches a topic's participants from another process (another container): waits until the expected
 * subscribers are attached, optionally signals a producer to start, then reports the moment a subscriber that
 * was alive is dead. Liveness is the kernel lock each participant holds, so a killed process shows as dead as
 * soon as the kernel has torn it down, whatever its container or PID namespace.
 *
 * <p>Exit code 0 when it saw a subscriber die; 1 when none died before the timeout.
 */
@Command(name = "watch", sortOptions = false, usageHelpAutoWidth = true,
    description = "Watch a topic's subscribers and report when one that was alive is dead.")
public final class WatchMain implements Callable<Integer>
{
    private static final long POLL_NS = 1_000_000;

    @Mixin
    private final BusArgs bus = new BusArgs();

    @Option(names = "--topic", paramLabel = "NAME", defaultValue = "demo",
        description = "Topic to watch (default: ${DEFAULT-VALUE}).")
    private String topicName;

    @Option(names = "--subscribers", paramLabel = "COUNT", defaultValue = "2",
        description = "Subscribers to wait for before watching (default: ${DEFAULT-VALUE}).")
    private int subscribers;

    @Option(names = "--start-file", paramLabel = "PATH",
        description = "Create this file once the subscribers are attached (a producer waits for it).")
    private Path startFile;

    @Option(names = "--timeout-s", paramLabel = "SECONDS", defaultValue = "120",
        description = "Give up after this many seconds (default: ${DEFAULT-VALUE}).")
    private int timeoutS;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    private final PrintStream out = System.out;

    /**
     * @param args see {@code --help}.
     */
    public static void main(final String[] args)
    {
        Cli.run(new WatchMain(), args);
    }

    @Override
    public Integer call()
    {
        Cli.logAs("watch");
        final long deadline = System.nanoTime() + timeoutS * 1_000_000_000L;
        try (Bus bus = this.bus.open())
        {
            final Topic topic = awaitTopic(bus, deadline);
            TopicStatus status = topic.status();
            while (aliveSubscribers(status) < subscribers)
            {
                checkDeadline(deadline, "waiting for " + subscribers + " subscribers");
                LockSupport.parkNanos(POLL_NS);
                status = topic.status();
            }
            final long watched = aliveMask(status);
            Cli.print(out, "watch: %d subscribers alive on topic %s; watching their locks%n", subscribers, topicName);
            if (null != startFile)
            {
                try
                {
                    Files.writeString(startFile, "start" + System.lineSeparator());
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("cannot create " + startFile, ex);
                }
            }
            while (System.nanoTime() < deadline)
            {
                status = topic.status();
                final long dead = watched & ~aliveMask(status);
                if (0 != dead)
                {
                    final Instant seen = Instant.now();
                    final int slot = Long.numberOfTrailingZeros(dead);
                    Cli.print(out, "watch: subscriber %d seen dead at epoch-ns %d (%s)%n", slot,
                        seen.getEpochSecond() * 1_000_000_000L + seen.getNano(), seen);
                    return 0;
                }
                LockSupport.parkNanos(POLL_NS);
            }
            Cli.print(out, "watch: no subscriber died in %d s%n", timeoutS);
            return Cli.EXIT_NOT_VERIFIED;
        }
    }

    private Topic awaitTopic(final Bus bus, final long deadline)
    {
        while (true)
        {
            try
            {
                return bus.openTopic(topicName);
            }
            catch (final TopicNotFoundException ex)
            {
                checkDeadline(deadline, "waiting for topic " + topicName);
                LockSupport.parkNanos(10 * POLL_NS);
            }
        }
    }

    private void checkDeadline(final long deadline, final String what)
    {
        if (System.nanoTime() > deadline)
        {
            throw new BusException("gave up " + what + " after " + timeoutS + " s");
        }
    }

    private static int aliveSubscribers(final TopicStatus status)
    {
        return Long.bitCount(aliveMask(status));
    }

    /**
     * The slots (below 64) of the subscribers whose process holds its lock.
     */
    private static long aliveMask(final TopicStatus status)
    {
        long mask = 0;
        for (final TopicStatus.SubscriberStatus subscriber : status.subscribers())
        {
            if (subscriber.alive() && subscriber.id() < Long.SIZE)
            {
                mask |= 1L << subscriber.id();
            }
        }
        return mask;
    }
}
