package io.shmbus.examples;

import io.shmbus.Bus;
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
 * Reads the messages of one or more {@link ProducerMain}s straight from the ring, checks every sequence
 * number and checksum, prints progress once a second and a summary at the end.
 *
 * <p>Start it before the producers: a subscriber sees the messages published after it attached.
 *
 * <p>The exit code is 0 only when every producer ended and every message it announced arrived exactly once,
 * in order and intact; 1 when the consumer saw any problem (the summary counts each kind); 2 on an error.
 */
@Command(name = "consumer", sortOptions = false, usageHelpAutoWidth = true,
    description = "Receive the producer demo's messages and verify that none is lost, duplicated, reordered or " +
        "corrupt.")
public final class ConsumerMain implements Callable<Integer>
{
    private static final long REPORT_INTERVAL_NS = 1_000_000_000L;

    @Mixin
    private final BusArgs bus = new BusArgs();

    @Mixin
    private final StreamArgs stream = new StreamArgs();

    @Option(names = "--producers", paramLabel = "COUNT", defaultValue = "1",
        description = "Producers to expect, numbered from 0 by their --producer-index (default: ${DEFAULT-VALUE}).")
    private int producers;

    @Option(names = "--ready-file", paramLabel = "PATH",
        description = "Create this file once subscribed, for scripts that start the producers after the consumers.")
    private Path readyFile;

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "consumer",
        description = "Name in the output and logs (default: ${DEFAULT-VALUE}).")
    private String name;

    @Option(names = "--quiet", description = "Print the summary only, no progress lines.")
    private boolean quiet;

    @Option(names = "--idle", paramLabel = "STRATEGY", defaultValue = "FUTEX",
        description = "How to wait when there is nothing to read: ${COMPLETION-CANDIDATES} " +
            "(default: ${DEFAULT-VALUE}).")
    private Idle idleKind;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    private final PrintStream out = System.out;

    /**
     * @param args see {@code --help}.
     */
    public static void main(final String[] args)
    {
        Cli.run(new ConsumerMain(), args);
    }

    @Override
    public Integer call()
    {
        Cli.logAs(name);
        final StreamVerifier verifier = new StreamVerifier(producers);
        final long timeoutNs = stream.timeoutNs();
        boolean timedOut = false;
        long firstNs = 0;
        long lastNs = 0;

        try (Bus bus = this.bus.open())
        {
            final Topic topic = bus.topic(stream.topic, stream.topicOptions());
            final Subscriber subscriber = topic.subscriber(
                SubscriberOptions.tethered().waitStrategy(idleKind.waitStrategy()));
            final IdleStrategy idle = idleKind.subscriberStrategy(subscriber);
            Cli.print(out, "%s: subscribed to topic %s in %s; waiting for %d producer(s)%n",
                name, stream.topic, bus.directory(), producers);
            Cli.signalReady(readyFile);

            long lastReportNs = 0;
            long reportedMessages = 0;
            long reportedBytes = 0;
            long waitStartNs = System.nanoTime();
            while (!verifier.allEnded())
            {
                final int count = subscriber.poll(verifier, 256);
                idle.idle(count);
                final long now = System.nanoTime();
                if (count > 0)
                {
                    if (0 == firstNs)
                    {
                        firstNs = now;
                        lastReportNs = now;
                    }
                    lastNs = now;
                }
                else if (now - Math.max(lastNs, waitStartNs) > timeoutNs)
                {
                    timedOut = true;
                    break;
                }
                if (0 != firstNs && now - lastReportNs >= REPORT_INTERVAL_NS)
                {
                    final long messages = verifier.messages();
                    final long bytes = verifier.bytes();
                    if (!quiet)
                    {
                        Cli.print(out, "%s: %6.1f s %14s msgs %16s %12s%n", name, (now - firstNs) / 1e9,
                            Rates.count(messages),
                            Rates.messagesPerSecond(messages - reportedMessages, now - lastReportNs),
                            Rates.megabytesPerSecond(bytes - reportedBytes, now - lastReportNs));
                    }
                    reportedMessages = messages;
                    reportedBytes = bytes;
                    lastReportNs = now;
                }
            }
            printSummary(verifier, lastNs - firstNs, timedOut);
        }
        return verifier.isClean() ? 0 : Cli.EXIT_NOT_VERIFIED;
    }

    private void printSummary(final StreamVerifier verifier, final long elapsedNs, final boolean timedOut)
    {
        final long messages = verifier.messages();
        final long bytes = verifier.bytes();
        Cli.print(out, "%s: received %s messages (%s bytes, %d..%d bytes each) from %d producer(s) in %s: %s, %s%n",
            name, Rates.count(messages), Rates.count(bytes), verifier.minLength(), verifier.maxLength(),
            verifier.producers(), Rates.seconds(elapsedNs), Rates.messagesPerSecond(messages, elapsedNs),
            Rates.megabytesPerSecond(bytes, elapsedNs));
        if (verifier.isClean())
        {
            Cli.print(out, "%s: verified %s of %s messages announced: no loss, no duplicates, no reordering, " +
                "no corruption%n", name, Rates.count(verifier.verified()), Rates.count(verifier.announced()));
            return;
        }
        Cli.print(out, "%s: NOT VERIFIED: %s missing, %s duplicated, %s out of order, %s corrupt, %s unexpected; " +
                "%d of %d producer(s) finished%s%n", name, Rates.count(verifier.missing()),
            Rates.count(verifier.duplicated()), Rates.count(verifier.reordered()), Rates.count(verifier.corrupt()),
            Rates.count(verifier.unexpected()), verifier.endedProducers(), verifier.producers(),
            timedOut ? " (gave up after " + stream.timeoutS + " s without a message)" : "");
    }
}
