package io.shmbus.impl.signal;

import io.shmbus.MessageHandler;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.TopicOptions;
import io.shmbus.impl.TestBus;
import io.shmbus.impl.process.ChildGroup;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.ChildSupport;
import io.shmbus.impl.process.RoundTripPongMain;
import io.shmbus.impl.process.WaitChildSupport;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Not a test but a measurement, run by hand (its name keeps it out of the build's test run):
 * <pre>
 * mvn -B -o -pl bus-impl -am test -Dtest=RoundTripMeasurement -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * Round trips of a {@value WaitChildSupport#MESSAGE_LENGTH}-byte message between this JVM and a child JVM that echoes
 * it ({@link RoundTripPongMain}), one message in flight, both sides waiting with the same strategy: busy-spin,
 * spin-yield-futex and pure futex (a sleep and a wake-up on each side per round trip). Prints percentiles of
 * {@code -Dshmbus.measure.iterations} round trips (default 100,000) after 20,000 not recorded, and the load
 * average before and after: nothing is asserted about the figures.
 */
class RoundTripMeasurement
{
    private static final int WARMUP = 20_000;
    private static final int ITERATIONS = Integer.getInteger("shmbus.measure.iterations", 100_000);
    private static final String[] STRATEGIES =
        System.getProperty("shmbus.measure.strategies", "busySpin,spinYieldFutex,futex").split(",");
    private static final TopicOptions OPTIONS = TopicOptions.builder()
        .capacityBytes(64 * 1024)
        .maxMessageLength(64)
        .maxPublishers(2)
        .maxSubscribers(2)
        .build();

    @Test
    @Timeout(value = 900, unit = TimeUnit.SECONDS)
    void roundTrips() throws IOException
    {
        for (final String strategy : STRATEGIES)
        {
            measure(strategy);
        }
    }

    private static void measure(final String strategy) throws IOException
    {
        try (TestBus bus = TestBus.create("round-trip");
             ChildGroup children = new ChildGroup())
        {
            bus.bus().topic("ping", OPTIONS);
            final Subscriber pong = bus.bus().topic("pong", OPTIONS).subscriber(
                SubscriberOptions.tethered().waitStrategy(WaitChildSupport.strategy(strategy)));
            final ChildProcess echo = children.start("pong-" + strategy, RoundTripPongMain.class,
                "dir=" + bus.directory(), "spec=" + ChildSupport.spec(OPTIONS), "strategy=" + strategy);
            echo.awaitLine("READY", Duration.ofSeconds(60));
            final Publisher ping = bus.bus().topic("ping", OPTIONS).publisher(PublisherOptions.exclusive());

            final UnsafeBuffer message = new UnsafeBuffer(new byte[WaitChildSupport.MESSAGE_LENGTH]);
            final long[] echoed = {-1};
            final MessageHandler handler = (buffer, offset, length, header) ->
                echoed[0] = buffer.getLong(offset + WaitChildSupport.SEQUENCE_OFFSET);
            final long[] rtt = new long[ITERATIONS];
            final String loadBefore = loadAverage();
            final long timeoutNs = TimeUnit.SECONDS.toNanos(5);
            for (int i = -WARMUP; i < ITERATIONS; i++)
            {
                message.putLong(WaitChildSupport.SEQUENCE_OFFSET, i);
                final long start = System.nanoTime();
                while (ping.offer(message, 0, WaitChildSupport.MESSAGE_LENGTH) < 0)
                {
                    Thread.onSpinWait();
                }
                while (echoed[0] != i)
                {
                    assertTrue(pong.poll(handler, 1, timeoutNs) > 0 || echoed[0] == i, "no echo of " + i);
                }
                final long end = System.nanoTime();
                if (i >= 0)
                {
                    rtt[i] = end - start;
                }
            }
            final String loadAfter = loadAverage();
            Arrays.sort(rtt);
            System.out.printf("round trip, %d-byte messages, %s both sides, %,d round trips: p50 %.1f us, p90 %.1f " +
                    "us, p99 %.1f us, p99.9 %.1f us, max %.1f us (load average before: %s, after: %s)%n",
                WaitChildSupport.MESSAGE_LENGTH, strategy, ITERATIONS, percentile(rtt, 0.50), percentile(rtt, 0.90),
                percentile(rtt, 0.99), percentile(rtt, 0.999), rtt[rtt.length - 1] / 1e3, loadBefore, loadAfter);
            echo.closeInput();
            assertEquals(3, echo.awaitExit(Duration.ofSeconds(30)), "the echo exits when its input closes");
        }
    }

    private static double percentile(final long[] sorted, final double fraction)
    {
        return sorted[(int)Math.min(sorted.length - 1, Math.round(fraction * sorted.length))] / 1e3;
    }

    private static String loadAverage() throws IOException
    {
        final String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return fields[0] + " " + fields[1] + " " + fields[2];
    }
}
