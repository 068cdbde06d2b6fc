package io.shmbus.examples;

import io.shmbus.BusException;
import io.shmbus.Claim;
import io.shmbus.Publisher;
import io.shmbus.TopicOptions;
import org.agrona.concurrent.IdleStrategy;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The options the feed handler, the strategies and the gateway of the trading example share, and what they
 * do alike: the topics, claiming room in a ring, and the run's record of CPU time.
 *
 * <p>Topics: {@value #MARKET_DATA_TOPIC} (the feed handler to every strategy), {@value #ORDER_TOPIC} (every
 * strategy to the gateway, through shared publishers) and {@code exec-<strategy>} (the gateway to one
 * strategy).
 */
final class TradingArgs
{
    static final String MARKET_DATA_TOPIC = "md";
    static final String ORDER_TOPIC = "orders";
    static final int MAX_STRATEGIES = 15;

    @Option(names = {"-n", "--messages"}, paramLabel = "COUNT", defaultValue = "200000",
        description = "Market data messages the feed handler publishes, quotes and trades (default: ${DEFAULT-VALUE}).")
    long messages;

    @Option(names = "--strategies", paramLabel = "COUNT", defaultValue = "3",
        description = "Strategies in the run, numbered from 0 (default: ${DEFAULT-VALUE}).")
    int strategies;

    @Option(names = "--order-every", paramLabel = "QUOTES", defaultValue = "20",
        description = "Each strategy orders on about one quote in this many (default: ${DEFAULT-VALUE}).")
    int orderEvery;

    @Option(names = "--idle", paramLabel = "STRATEGY", defaultValue = "FUTEX",
        description = "How every loop waits when idle: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Idle idle;

    @Option(names = "--report-dir", paramLabel = "DIR",
        description = "Write this process's latency histograms and CPU time there, for trading-report.")
    Path reportDirectory;

    @Option(names = "--ready-file", paramLabel = "PATH",
        description = "Create this file once attached (for scripts).")
    Path readyFile;

    @Option(names = "--timeout-s", paramLabel = "SECONDS", defaultValue = "30",
        description = "Give up after this many seconds without progress (default: ${DEFAULT-VALUE}).")
    int timeoutS;

    @Option(names = "--start-timeout-s", paramLabel = "SECONDS", defaultValue = "180",
        description = "Give up when the first message has not come after this many seconds: the other JVMs " +
            "may start slowly on a busy machine (default: ${DEFAULT-VALUE}).")
    int startTimeoutS;

    void validate()
    {
        if (messages < 0)
        {
            throw new IllegalArgumentException("--messages must not be negative: " + messages);
        }
        if (strategies < 1 || strategies > MAX_STRATEGIES)
        {
            throw new IllegalArgumentException("--strategies must be 1 to " + MAX_STRATEGIES + ": " + strategies);
        }
        if (timeoutS < 1 || startTimeoutS < 1)
        {
            throw new IllegalArgumentException("--timeout-s and --start-timeout-s must be at least 1: " + timeoutS +
                ", " + startTimeoutS);
        }
    }

    TradingModel model()
    {
        return new TradingModel(orderEvery);
    }

    long timeoutNs()
    {
        return timeoutS * 1_000_000_000L;
    }

    /**
     * @param started whether the first message came.
     * @return how long to wait for the next one.
     */
    long idleLimitNs(final boolean started)
    {
        return (started ? timeoutS : Math.max(timeoutS, startTimeoutS)) * 1_000_000_000L;
    }

    static TopicOptions marketDataOptions()
    {
        return TopicOptions.builder().capacityBytes(1 << 20).maxMessageLength(256).maxPublishers(4).build();
    }

    static TopicOptions orderOptions()
    {
        return TopicOptions.builder().capacityBytes(1 << 18).maxMessageLength(256).maxPublishers(MAX_STRATEGIES + 1)
            .build();
    }

    static TopicOptions reportOptions()
    {
        return TopicOptions.builder().capacityBytes(1 << 18).maxMessageLength(256).maxPublishers(2).build();
    }

    static String reportTopic(final int strategyId)
    {
        return "exec-" + strategyId;
    }

    /**
     * Claim room for one message, waiting with {@code idle} while the ring is full or nobody subscribes yet.
     *
     * @throws BusException when the publisher is closed or nothing moved for {@code timeoutNs}.
     */
    static void claim(
        final Publisher publisher, final int length, final Claim claim, final IdleStrategy idle, final long timeoutNs)
    {
        long result = publisher.tryClaim(length, claim);
        if (result > 0)
        {
            return;
        }
        final long deadline = System.nanoTime() + timeoutNs;
        idle.reset();
        do
        {
            if (result == Publisher.CLOSED)
            {
                throw new BusException("publisher closed");
            }
            if (System.nanoTime() > deadline)
            {
                throw new BusException("no room in the ring after " + timeoutNs / 1_000_000_000L + " s (status " +
                    result + ")");
            }
            idle.idle();
            result = publisher.tryClaim(length, claim);
        }
        while (result < 0);
    }

    /**
     * @return this process's CPU time so far, every thread, in nanoseconds.
     */
    static long processCpuNs()
    {
        return ((com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    }

    /**
     * @return the bytes the calling thread allocated so far.
     */
    static long threadAllocatedBytes()
    {
        return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /**
     * Write one file of the run's record, when a report directory was given.
     */
    void writeReport(final String fileName, final String content)
    {
        if (null == reportDirectory)
        {
            return;
        }
        try
        {
            Files.createDirectories(reportDirectory);
            final Path temporary = reportDirectory.resolve("." + fileName + ".tmp");
            Files.writeString(temporary, content, StandardCharsets.UTF_8);
            Files.move(temporary, reportDirectory.resolve(fileName), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + fileName + " in " + reportDirectory, ex);
        }
    }

    /**
     * Record the CPU time this process used between {@code startCpuNs} and now, over {@code wallNs} of run.
     *
     * @return a line describing it.
     */
    String recordCpu(final String name, final long startCpuNs, final long wallNs)
    {
        final long cpuNs = processCpuNs() - startCpuNs;
        writeReport(name + ".cpu", cpuNs + " " + wallNs + System.lineSeparator());
        return String.format(java.util.Locale.ROOT, "%s: CPU %.2f s in %.2f s of run (%.0f %% of a core), idle %s%n",
            name, cpuNs / 1e9, wallNs / 1e9, wallNs > 0 ? 100.0 * cpuNs / wallNs : 0.0,
            idle.name().toLowerCase(java.util.Locale.ROOT));
    }
}
