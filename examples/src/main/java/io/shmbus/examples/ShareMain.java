package io.shmbus.examples;

import io.shmbus.Bus;
import io.shmbus.BusException;
import io.shmbus.Claim;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.ShareOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.TopicShare;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * The application side of the sidecar demo: creates an anonymous topic (a sealed memfd, with no name in any
 * directory), offers it on a Unix domain socket to the uids it allows, and publishes numbered, checksummed
 * messages ({@link CheckedMessage}) once a sidecar ({@link SidecarMain}) has joined and subscribed.
 *
 * <p>Exit code 0 when a sidecar joined and got the whole stream, and the expected refusals happened; 1 when
 * nobody joined in time; 2 on an error.
 *
 * <p>The socket's file is opened to everyone with {@code --socket-mode}, so that the only gate left is the
 * kernel-reported uid of the connecting process (its peer credentials) against the allow-list.
 */
@Command(name = "share-owner", sortOptions = false, usageHelpAutoWidth = true,
    description = "Offer an anonymous topic on a Unix socket and publish checked messages to the sidecar that joins.")
public final class ShareMain implements Callable<Integer>
{
    private static final long POLL_NS = 1_000_000;

    @Mixin
    private final BusArgs bus = new BusArgs();

    @Option(names = "--socket", paramLabel = "PATH", required = true, description = "The socket file to listen on.")
    private Path socket;

    @Option(names = "--allow-uid", paramLabel = "UID",
        description = "A uid allowed to join besides this process's own (repeatable).")
    private List<Integer> allowUids = new ArrayList<>();

    @Option(names = "--deny-own-uid", description = "Do not let processes of this process's own uid join.")
    private boolean denyOwnUid;

    @Option(names = "--socket-mode", paramLabel = "RWX", defaultValue = "rwxrwxrwx",
        description = "Permissions of the socket file (default: ${DEFAULT-VALUE}: any uid may connect and be " +
            "judged by the allow-list).")
    private String socketMode;

    @Option(names = {"-n", "--messages"}, paramLabel = "COUNT", defaultValue = "100000",
        description = "Messages to publish (default: ${DEFAULT-VALUE}).")
    private int messages;

    @Option(names = "--expect-refusals", paramLabel = "COUNT", defaultValue = "0",
        description = "Before exiting, wait until this many processes were refused (default: ${DEFAULT-VALUE}).")
    private int expectRefusals;

    @Option(names = "--timeout-s", paramLabel = "SECONDS", defaultValue = "60",
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
        Cli.run(new ShareMain(), args);
    }

    @Override
    public Integer call()
    {
        Cli.logAs("app");
        if (messages < 0 || expectRefusals < 0)
        {
            throw new IllegalArgumentException("--messages and --expect-refusals must not be negative");
        }
        final long timeoutNs = timeoutS * 1_000_000_000L;
        ShareOptions options = ShareOptions.path(socket);
        for (final int uid : allowUids)
        {
            options = options.allowUid(uid);
        }
        if (denyOwnUid)
        {
            options = options.denyOwnUid();
        }

        try (Bus bus = this.bus.open())
        {
            final Topic topic = bus.anonymousTopic("app-feed",
                TopicOptions.builder().capacityBytes(1 << 20).maxMessageLength(StreamArgs.MAX_MESSAGE_LENGTH).build());
            final Publisher publisher = topic.publisher(PublisherOptions.exclusive());
            try (TopicShare share = topic.share(options))
            {
                openSocket();
                Cli.print(out, "app: offering anonymous topic app-feed on %s to %s%n", socket, options);
                if (!awaitSubscriber(share, publisher, timeoutNs))
                {
                    Cli.print(out, "app: nobody joined and subscribed in %d s; refused %d process(es)%n", timeoutS,
                        share.refused());
                    return Cli.EXIT_NOT_VERIFIED;
                }
                publish(publisher, timeoutNs);
                final long deadline = System.nanoTime() + timeoutNs;
                while (share.refused() < expectRefusals)
                {
                    if (System.nanoTime() > deadline)
                    {
                        throw new BusException("expected " + expectRefusals + " refused processes, saw " +
                            share.refused() + " in " + timeoutS + " s");
                    }
                    LockSupport.parkNanos(POLL_NS);
                }
                Cli.print(out, "app: sent %s messages; handed the topic to %d process(es), refused %d%n",
                    Rates.count(messages), share.handedOut(), share.refused());
                return share.handedOut() >= 1 && share.refused() >= expectRefusals ? 0 : Cli.EXIT_NOT_VERIFIED;
            }
        }
    }

    private static boolean awaitSubscriber(final TopicShare share, final Publisher publisher, final long timeoutNs)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        while (share.handedOut() < 1 || !publisher.isConnected())
        {
            if (System.nanoTime() > deadline)
            {
                return false;
            }
            LockSupport.parkNanos(POLL_NS);
        }
        return true;
    }

    private void openSocket()
    {
        try
        {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString(socketMode));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("--socket-mode must be like rwxrwxrwx: " + socketMode, ex);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot set the permissions of " + socket, ex);
        }
    }

    private void publish(final Publisher publisher, final long timeoutNs)
    {
        final IdleStrategy idle = Idle.FUTEX.publisherStrategy();
        final Claim claim = new Claim();
        for (int sequence = 0; sequence < messages; sequence++)
        {
            final int length = CheckedMessage.length(0, sequence, 32, 256);
            TradingArgs.claim(publisher, length, claim, idle, timeoutNs);
            CheckedMessage.write(claim.buffer(), claim.offset(), length, 0, sequence);
            claim.type(CheckedMessage.TYPE_DATA).commit();
        }
        final UnsafeBuffer end = new UnsafeBuffer(new byte[CheckedMessage.HEADER_LENGTH]);
        CheckedMessage.write(end, 0, end.capacity(), 0, messages);
        final long deadline = System.nanoTime() + timeoutNs;
        long result;
        while ((result = publisher.offer(end, 0, end.capacity(), CheckedMessage.TYPE_END)) < 0)
        {
            if (result == Publisher.CLOSED || System.nanoTime() > deadline)
            {
                throw new BusException("cannot publish the end of the stream (status " + result + ")");
            }
            idle.idle();
        }
    }

}
