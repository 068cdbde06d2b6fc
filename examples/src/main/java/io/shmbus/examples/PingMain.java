package io.shmbus.examples;

import io.shmbus.Bus;
import io.shmbus.BusException;
import io.shmbus.MessageHandler;
import io.shmbus.MessageHeader;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.TopicOptions;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Measures the round trip of a 32-byte message to {@link PongMain} in another JVM and back: sends one
 * message, waits for its echo, records the time in an HdrHistogram, repeats; prints percentiles after a
 * warm-up whose results are discarded. One message is in flight at a time.
 */
@Command(name = "ping", sortOptions = false, usageHelpAutoWidth = true,
    description = "Measure round-trip latency to the pong demo in another JVM.")
public final class PingMain implements Callable<Integer>
{
    /** Topic ping sends on and pong reads. */
    static final String PING_TOPIC = "ping";
    /** Topic pong answers on and ping reads. */
    static final String PONG_TOPIC = "pong";
    /** Settings of both topics. */
    static final TopicOptions OPTIONS = TopicOptions.builder().capacityBytes(64 * 1024).maxMessageLength(256).build();
    /** Type of the message that tells pong to stop. */
    static final int TYPE_END = 2;

    private static final int MESSAGE_LENGTH = 32;
    private static final long FIRST_RESEND_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int SEQUENCE_OFFSET = 0;
    private static final int SENT_NS_OFFSET = 8;

    @Mixin
    private final BusArgs bus = new BusArgs();

    @Option(names = "--warmup", paramLabel = "COUNT", defaultValue = "100000",
        description = "Round trips before measuring, not recorded (default: ${DEFAULT-VALUE}).")
    private int warmup;

    @Option(names = {"-n", "--iterations"}, paramLabel = "COUNT", defaultValue = "1000000",
        description = "Round trips to measure (default: ${DEFAULT-VALUE}).")
    private int iterations;

    @Option(names = "--idle", paramLabel = "STRATEGY", defaultValue = "FUTEX",
        description = "How to wait for the echo: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    private Idle idleKind;

    @Option(names = "--timeout-s", paramLabel = "SECONDS", defaultValue = "30",
        description = "Give up after this many seconds without an answer (default: ${DEFAULT-VALUE}).")
    private int timeoutS;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    private final PrintStream out = System.out;

    /**
     * @param args see {@code --help}.
     */
    public static void main(final String[] args)
    {
        Cli.run(new PingMain(), args);
    }

    @Override
    public Integer call()
    {
        Cli.logAs("ping");
        if (warmup < 0 || iterations < 1)
        {
            throw new IllegalArgumentException("--warmup must be 0 or more and --iterations 1 or more");
        }
        final IdleStrategy sendIdle = idleKind.publisherStrategy();
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final Echo echo = new Echo();
        final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(MESSAGE_LENGTH));
        final long timeoutNs = TimeUnit.SECONDS.toNanos(timeoutS);

        try (Bus bus = this.bus.open())
        {
            final Subscriber replies = bus.topic(PONG_TOPIC, OPTIONS)
                .subscriber(SubscriberOptions.tethered().waitStrategy(idleKind.waitStrategy()));
            final IdleStrategy idle = idleKind.subscriberStrategy(replies);
            final Publisher requests = bus.topic(PING_TOPIC, OPTIONS).publisher(PublisherOptions.exclusive());
            Cli.print(out, "ping: %s round trips of %d-byte messages after %s warm-up, idle strategy %s%n",
                Rates.count(iterations), MESSAGE_LENGTH, Rates.count(warmup), idleKind.name().toLowerCase(Locale.ROOT));

            final int total = warmup + iterations;
            for (int i = 0; i < total; i++)
            {
                message.putLong(SEQUENCE_OFFSET, i);
                message.putLong(SENT_NS_OFFSET, System.nanoTime());
                send(requests, message, 0, sendIdle, timeoutNs);

                echo.expected = i;
                echo.received = false;
                final long deadline = System.nanoTime() + timeoutNs;
                long resendNs = System.nanoTime() + FIRST_RESEND_NS;
                idle.reset();
                while (!echo.received)
                {
                    final int count = replies.poll(echo, 1);
                    if (0 == count)
                    {
                        final long now = System.nanoTime();
                        if (now > deadline)
                        {
                            throw new BusException("no echo for message " + i + " within " + timeoutS +
                                " s: is pong running with the same --dir?");
                        }
                        if (0 == i && now > resendNs)
                        {
                            // Until pong first answers, resend: it may have attached just after the first send.
                            send(requests, message, 0, sendIdle, timeoutNs);
                            resendNs = now + FIRST_RESEND_NS;
                        }
                    }
                    idle.idle(count);
                }
                if (i >= warmup)
                {
                    histogram.recordValue(echo.roundTripNs);
                }
            }
            message.putLong(SEQUENCE_OFFSET, -1);
            send(requests, message, TYPE_END, sendIdle, timeoutNs);
        }

        Cli.print(out, "ping: round trip (us): p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f  " +
                "(mean %.2f, %s samples)%n",
            micros(histogram.getValueAtPercentile(50)), micros(histogram.getValueAtPercentile(90)),
            micros(histogram.getValueAtPercentile(99)), micros(histogram.getValueAtPercentile(99.9)),
            micros(histogram.getMaxValue()), histogram.getMean() / 1000.0, Rates.count(histogram.getTotalCount()));
        return 0;
    }

    private static void send(
        final Publisher publisher, final DirectBuffer message, final int type, final IdleStrategy idle,
        final long timeoutNs)
    {
        long result = publisher.offer(message, 0, MESSAGE_LENGTH, type);
        if (result > 0)
        {
            return;
        }
        final long deadline = System.nanoTime() + timeoutNs;
        idle.reset();
        while (result < 0)
        {
            if (result == Publisher.CLOSED || System.nanoTime() > deadline)
            {
                throw new BusException(result == Publisher.NOT_CONNECTED ?
                    "pong did not attach within " + timeoutNs / 1_000_000_000L + " s: start it with the same --dir" :
                    "cannot send ping (status " + result + ")");
            }
            idle.idle();
            result = publisher.offer(message, 0, MESSAGE_LENGTH, type);
        }
    }

    private static double micros(final long nanos)
    {
        return nanos / 1000.0;
    }

    private static final class Echo implements MessageHandler
    {
        long expected;
        boolean received;
        long roundTripNs;

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length, final MessageHeader header)
        {
            final long now = System.nanoTime();
            final long sequence = buffer.getLong(offset + SEQUENCE_OFFSET);
            if (length == MESSAGE_LENGTH && sequence < expected && sequence >= 0)
            {
                return; // the echo of a resent first message
            }
            if (length != MESSAGE_LENGTH || sequence != expected)
            {
                throw new BusException("unexpected echo: sequence " + sequence + " length " + length +
                    ", expected sequence " + expected + " length " + MESSAGE_LENGTH);
            }
            roundTripNs = now - buffer.getLong(offset + SENT_NS_OFFSET);
            received = true;
        }
    }
}
