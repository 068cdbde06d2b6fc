package io.shmbus.examples;

import io.shmbus.Bus;
import io.shmbus.BusException;
import io.shmbus.Claim;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Topic;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * Publishes numbered, checksummed messages ({@link CheckedMessage}) for {@link ConsumerMain} to verify,
 * writing each one in place in the ring ({@code tryClaim}, then {@code commit}).
 *
 * <p>It publishes once a subscriber is attached (until then the topic answers {@code NOT_CONNECTED}), and
 * then at the pace of the slowest consumer. Alone it is the producer of the main demo and of the fan-out
 * (several consumers, started first); several of them with {@code --shared} and distinct
 * {@code --producer-index} values feed one consumer (fan-in).
 */
@Command(name = "producer", sortOptions = false, usageHelpAutoWidth = true,
    description = "Publish numbered, checksummed messages for the consumer demo to verify.")
public final class ProducerMain implements Callable<Integer>
{
    @Mixin
    private final BusArgs bus = new BusArgs();

    @Mixin
    private final StreamArgs stream = new StreamArgs();

    @Option(names = {"-n", "--messages"}, paramLabel = "COUNT", defaultValue = "10000000",
        description = "Messages to publish (default: ${DEFAULT-VALUE}).")
    private int messages;

    @Option(names = "--min-length", paramLabel = "BYTES", defaultValue = "32",
        description = "Shortest message, at least 16 (default: ${DEFAULT-VALUE}).")
    private int minLength;

    @Option(names = "--max-length", paramLabel = "BYTES", defaultValue = "256",
        description = "Longest message, at most " + StreamArgs.MAX_MESSAGE_LENGTH + " (default: ${DEFAULT-VALUE}).")
    private int maxLength;

    @Option(names = "--rate", paramLabel = "MSGS_PER_S", defaultValue = "0",
        description = "Messages per second, 0 for as fast as the subscribers take them (default: ${DEFAULT-VALUE}).")
    private long rate;

    @Option(names = "--producer-index", paramLabel = "INDEX", defaultValue = "0",
        description = "This producer's number in a fan-in, from 0; written into every message " +
            "(default: ${DEFAULT-VALUE}).")
    private int producerIndex;

    @Option(names = "--shared",
        description = "Attach a shared publisher, so that other producers can publish on the topic too (fan-in).")
    private boolean shared;

    @Option(names = "--ready-file", paramLabel = "PATH",
        description = "Create this file once the publisher is attached (for scripts).")
    private Path readyFile;

    @Option(names = "--start-file", paramLabel = "PATH",
        description = "Once attached, wait for this file to exist before publishing, so that a script can " +
            "start several producers at once.")
    private Path startFile;

    @Option(names = "--idle", paramLabel = "STRATEGY", defaultValue = "FUTEX",
        description = "How to wait when back-pressured: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    private Idle idleKind;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    private final PrintStream out = System.out;
    private IdleStrategy idle;
    private long notConnected;
    private long backPressured;
    private long adminAction;

    /**
     * @param args see {@code --help}.
     */
    public static void main(final String[] args)
    {
        Cli.run(new ProducerMain(), args);
    }

    @Override
    public Integer call()
    {
        validate();
        final String name = "producer-" + producerIndex;
        Cli.logAs(name);
        idle = idleKind.publisherStrategy();
        try (Bus bus = this.bus.open())
        {
            final Topic topic = bus.topic(stream.topic, stream.topicOptions());
            final Publisher publisher = topic.publisher(
                shared ? PublisherOptions.shared() : PublisherOptions.exclusive());
            Cli.signalReady(readyFile);
            Cli.awaitFile(startFile, stream.timeoutNs());
            Cli.print(out, "%s: publishing %s messages of %d..%d bytes on topic %s in %s%s%n", name,
                Rates.count(messages), minLength, maxLength, stream.topic, bus.directory(),
                rate > 0 ? " at " + Rates.count(rate) + " msgs/s" : "");

            final Claim claim = new Claim();
            long startNs = 0;
            long bytes = 0;
            final double periodNs = rate > 0 ? 1e9 / rate : 0;
            for (int sequence = 0; sequence < messages; sequence++)
            {
                final int length = CheckedMessage.length(producerIndex, sequence, minLength, maxLength);
                if (rate > 0 && sequence > 0)
                {
                    pace(startNs + (long)(sequence * periodNs));
                }
                claim(publisher, length, claim);
                CheckedMessage.write(claim.buffer(), claim.offset(), length, producerIndex, sequence);
                claim.type(CheckedMessage.TYPE_DATA).commit();
                bytes += length;
                if (sequence == 0)
                {
                    startNs = System.nanoTime();
                }
            }
            final long elapsedNs = messages > 0 ? System.nanoTime() - startNs : 0;

            final UnsafeBuffer end = new UnsafeBuffer(new byte[CheckedMessage.HEADER_LENGTH]);
            CheckedMessage.write(end, 0, end.capacity(), producerIndex, messages);
            final long deadline = System.nanoTime() + stream.timeoutNs();
            long result;
            while ((result = publisher.offer(end, 0, end.capacity(), CheckedMessage.TYPE_END)) < 0)
            {
                checkStatus(result, deadline);
                idle.idle();
            }

            Cli.print(out,
                "%s: sent %s messages (%s bytes) in %s: %s, %s; waits: %s back-pressured, %s not connected," +
                    " %s admin action%n", name, Rates.count(messages), Rates.count(bytes), Rates.seconds(elapsedNs),
                Rates.messagesPerSecond(messages, elapsedNs), Rates.megabytesPerSecond(bytes, elapsedNs),
                Rates.count(backPressured), Rates.count(notConnected), Rates.count(adminAction));
            return 0;
        }
    }

    private void claim(final Publisher publisher, final int length, final Claim claim)
    {
        long result = publisher.tryClaim(length, claim);
        if (result > 0)
        {
            return;
        }
        final long deadline = System.nanoTime() + stream.timeoutNs();
        idle.reset();
        do
        {
            checkStatus(result, deadline);
            idle.idle();
            result = publisher.tryClaim(length, claim);
        }
        while (result < 0);
    }

    private void checkStatus(final long result, final long deadline)
    {
        if (result == Publisher.NOT_CONNECTED)
        {
            notConnected++;
        }
        else if (result == Publisher.BACK_PRESSURED)
        {
            backPressured++;
        }
        else if (result == Publisher.ADMIN_ACTION)
        {
            adminAction++;
        }
        else
        {
            throw new BusException("publisher closed (status " + result + ")");
        }
        if (System.nanoTime() > deadline)
        {
            throw new BusException("no progress for " + stream.timeoutS + " s: " +
                (result == Publisher.NOT_CONNECTED ? "no subscriber attached" : "subscribers do not keep up"));
        }
    }

    private static void pace(final long dueNs)
    {
        long waitNs;
        while ((waitNs = dueNs - System.nanoTime()) > 0)
        {
            if (waitNs > 200_000)
            {
                LockSupport.parkNanos(waitNs - 100_000);
            }
            else
            {
                Thread.onSpinWait();
            }
        }
    }

    private void validate()
    {
        if (messages < 0)
        {
            throw new IllegalArgumentException("--messages must not be negative: " + messages);
        }
        if (minLength < CheckedMessage.HEADER_LENGTH || maxLength > StreamArgs.MAX_MESSAGE_LENGTH ||
            minLength > maxLength)
        {
            throw new IllegalArgumentException("message lengths must satisfy " + CheckedMessage.HEADER_LENGTH +
                " <= --min-length <= --max-length <= " + StreamArgs.MAX_MESSAGE_LENGTH + ": " + minLength + ", " +
                maxLength);
        }
        if (rate < 0 || producerIndex < 0)
        {
            throw new IllegalArgumentException("--rate and --producer-index must not be negative");
        }
    }
}
