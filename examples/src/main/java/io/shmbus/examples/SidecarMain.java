package io.shmbus.examples;

import io.shmbus.Bus;
import io.shmbus.BusException;
import io.shmbus.ShareOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import org.agrona.concurrent.IdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * The sidecar of the sidecar demo: joins the anonymous topic {@link ShareMain} offers on a Unix socket and
 * verifies every message of its stream; or, with {@code --expect-refusal}, checks that the owner refuses it.
 *
 * <p>Exit code 0 when it verified the whole stream (or, with {@code --expect-refusal}, was refused); 1 when it
 * was not (or was let in); 2 on an error.
 */
@Command(name = "sidecar", sortOptions = false, usageHelpAutoWidth = true,
    description = "Join an anonymous topic offered on a Unix socket and verify its stream.")
public final class SidecarMain implements Callable<Integer>
{
    @Mixin
    private final BusArgs bus = new BusArgs();

    @Option(names = "--socket", paramLabel = "PATH", required = true, description = "The owner's socket file.")
    private Path socket;

    @Option(names = "--expect-refusal", description = "Succeed only if the owner refuses this process.")
    private boolean expectRefusal;

    @Option(names = "--timeout-s", paramLabel = "SECONDS", defaultValue = "60",
        description = "Give up after this many seconds without progress (default: ${DEFAULT-VALUE}).")
    private int timeoutS;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    private final PrintStream out = System.out;

    /**
     * @param args see {@code --help}.
     */
    public static void main(final String[] args)
    {
        Cli.run(new SidecarMain(), args);
    }

    @Override
    public Integer call()
    {
        Cli.logAs("sidecar");
        final long timeoutNs = timeoutS * 1_000_000_000L;
        final long uid = new com.sun.security.auth.module.UnixSystem().getUid();
        try (Bus bus = this.bus.open())
        {
            final Topic topic;
            try
            {
                topic = bus.joinAnonymous(ShareOptions.path(socket), timeoutNs);
            }
            catch (final BusException ex)
            {
                Cli.print(out, "sidecar (uid %d): not let in: %s%n", uid, ex.getMessage());
                return expectRefusal ? 0 : Cli.EXIT_NOT_VERIFIED;
            }
            if (expectRefusal)
            {
                Cli.print(out, "sidecar (uid %d): joined %s although it should have been refused%n", uid, topic.name());
                return Cli.EXIT_NOT_VERIFIED;
            }
            final Subscriber subscriber = topic.subscriber(
                SubscriberOptions.tethered().waitStrategy(Idle.FUTEX.waitStrategy()));
            Cli.print(out, "sidecar (uid %d): joined anonymous topic %s through %s%n", uid, topic.name(), socket);
            final StreamVerifier verifier = new StreamVerifier(1);
            final IdleStrategy idle = Idle.FUTEX.subscriberStrategy(subscriber);
            long lastProgressNs = System.nanoTime();
            while (!verifier.allEnded())
            {
                final int count = subscriber.poll(verifier, 256);
                idle.idle(count);
                if (count > 0)
                {
                    lastProgressNs = System.nanoTime();
                }
                else if (System.nanoTime() - lastProgressNs > timeoutNs)
                {
                    break;
                }
            }
            if (verifier.isClean())
            {
                Cli.print(out, "sidecar (uid %d): verified %s messages: no loss, no duplicates, no reordering, " +
                    "no corruption%n", uid, Rates.count(verifier.verified()));
                return 0;
            }
            Cli.print(out, "sidecar (uid %d): NOT VERIFIED: %s missing, %s duplicated, %s out of order, %s corrupt%n",
                uid, Rates.count(verifier.missing()), Rates.count(verifier.duplicated()),
                Rates.count(verifier.reordered()), Rates.count(verifier.corrupt()));
            return Cli.EXIT_NOT_VERIFIED;
        }
    }
}
