package io.shmbus.examples;

import io.shmbus.Bus;
import io.shmbus.BusException;
import io.shmbus.MessageHandler;
import io.shmbus.MessageHeader;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Echoes every message of {@link PingMain} back to it, copying it from the ping ring into the pong ring,
 * until ping says it is done.
 */
@Command(name = "pong", sortOptions = false, usageHelpAutoWidth = true,
    description = "Echo the ping demo's messages back to it.")
public final class PongMain implements Callable<Integer>
{
    @Mixin
    private final BusArgs bus = new BusArgs();

    @Option(names = "--idle", paramLabel = "STRATEGY", defaultValue = "FUTEX",
        description = "How to wait for the next ping: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    private Idle idleKind;

    @Option(names = "--timeout-s", paramLabel = "SECONDS", defaultValue = "30",
        description = "Give up after this many seconds without a ping (default: ${DEFAULT-VALUE}).")
    private int timeoutS;

    @Option(names = "--ready-file", paramLabel = "PATH",
        description = "Create this file once attached, for scripts that start ping afterwards.")
    private Path readyFile;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    private final PrintStream out = System.out;

    /**
     * @param args see {@code --help}.
     */
    public static void main(final String[] args)
    {
        Cli.run(new PongMain(), args);
    }

    @Override
    public Integer call()
    {
        Cli.logAs("pong");
        final long timeoutNs = TimeUnit.SECONDS.toNanos(timeoutS);
        try (Bus bus = this.bus.open())
        {
            final Subscriber requests = bus.topic(PingMain.PING_TOPIC, PingMain.OPTIONS)
                .subscriber(SubscriberOptions.tethered().waitStrategy(idleKind.waitStrategy()));
            final IdleStrategy idle = idleKind.subscriberStrategy(requests);
            final Publisher replies =
                bus.topic(PingMain.PONG_TOPIC, PingMain.OPTIONS).publisher(PublisherOptions.exclusive());
            final Echoer echoer = new Echoer(replies, timeoutNs);
            Cli.print(out, "pong: echoing on %s until ping is done%n", bus.directory());
            Cli.signalReady(readyFile);

            long lastNs = System.nanoTime();
            while (!echoer.done)
            {
                final int count = requests.poll(echoer, 16);
                idle.idle(count);
                if (count > 0)
                {
                    lastNs = System.nanoTime();
                }
                else if (System.nanoTime() - lastNs > timeoutNs)
                {
                    throw new BusException("no ping for " + timeoutS + " s: is ping running with the same --dir?");
                }
            }
            Cli.print(out, "pong: echoed %s messages%n", Rates.count(echoer.echoed));
        }
        return 0;
    }

    private static final class Echoer implements MessageHandler
    {
        private final Publisher replies;
        private final long timeoutNs;
        long echoed;
        boolean done;

        Echoer(final Publisher replies, final long timeoutNs)
        {
            this.replies = replies;
            this.timeoutNs = timeoutNs;
        }

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length, final MessageHeader header)
        {
            if (header.type() == PingMain.TYPE_END)
            {
                done = true;
                return;
            }
            long result;
            long deadline = 0;
            while ((result = replies.offer(buffer, offset, length)) < 0)
            {
                // Ping keeps one message in flight, so a full ring is brief: spin, within the timeout.
                final long now = System.nanoTime();
                if (0 == deadline)
                {
                    deadline = now + timeoutNs;
                }
                if (result == Publisher.CLOSED || result == Publisher.NOT_CONNECTED || now > deadline)
                {
                    throw new BusException("cannot echo (status " + result + "): did ping leave?");
                }
                Thread.onSpinWait();
            }
            echoed++;
        }
    }
}
