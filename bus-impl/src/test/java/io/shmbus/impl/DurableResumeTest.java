package io.shmbus.impl;

import io.shmbus.impl.CrossProcessScenario.PerPublisher;
import io.shmbus.impl.CrossProcessScenario.PublisherReport;
import io.shmbus.impl.CrossProcessScenario.SubscriberReport;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.PublisherMain;
import io.shmbus.impl.process.SubscriberMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.shmbus.impl.CrossProcessScenario.RUN_TIMEOUT;
import static io.shmbus.impl.CrossProcessScenario.START_TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A durable subscriber read by a succession of child JVMs while one publisher streams a million messages: each
 * child attaches by name, takes its share, closes and exits, and the next child resumes. Across all of them every
 * message is seen exactly once and in order: each child starts at the sequence after the one where the previous
 * child stopped, at the position where it stopped, in the same slot, and the checksums add up to the
 * publisher's. While no child is attached, the detached subscriber holds the publisher back.
 */
class DurableResumeTest
{
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void everyMessageSeenExactlyOnceAcrossReopenedDurableSubscribers()
    {
        final long total = 1_000_000;
        final long[] shares = {150_000, 250_000, 1, 100_000, 299_999, 200_000};
        long sum = 0;
        for (final long share : shares)
        {
            sum += share;
        }
        assertEquals(total, sum);

        try (CrossProcessScenario scenario = new CrossProcessScenario("durable", CrossProcessStressTest.OPTIONS))
        {
            ChildProcess reader = startReader(scenario, 0, shares[0]);
            String[] ready = reader.awaitWords("READY", START_TIMEOUT);
            final String slot = ready[0];
            assertEquals("0", ready[1], "the first reader starts at the oldest position of a fresh topic");

            final ChildProcess publisher = scenario.children.start("pub", PublisherMain.class,
                scenario.args("mode=exclusive", "id=0", "count=" + total, "abortEvery=50"));
            publisher.awaitLine("READY", START_TIMEOUT);
            final long start = System.nanoTime();
            publisher.send("GO");

            long next = 0;
            long checksum = 0;
            for (int run = 0; run < shares.length; run++)
            {
                final SubscriberReport report = CrossProcessScenario.awaitSubscriber(reader, 1);
                final PerPublisher got = report.publishers().get(0);
                assertEquals(shares[run], got.count(), "run " + run + ": messages");
                assertEquals(next, got.first(), "run " + run + ": first sequence, right after the last one seen");
                assertEquals(next + shares[run] - 1, got.last(), "run " + run + ": last sequence");
                assertEquals(0, report.lostMessages());
                assertEquals(0, reader.awaitExit(Duration.ofSeconds(30)), "run " + run + " exit code");
                System.out.printf("durable run %d: %,d messages in %.2f s%n", run, got.count(),
                    report.elapsedNs() / 1e9);
                next = got.last() + 1;
                checksum += got.checksum();
                if (run + 1 < shares.length)
                {
                    reader = startReader(scenario, run + 1, shares[run + 1]);
                    ready = reader.awaitWords("READY", START_TIMEOUT);
                    assertEquals(slot, ready[0], "run " + (run + 1) + " resumes in the same slot");
                    assertEquals(report.position(), Long.parseLong(ready[1]),
                        "run " + (run + 1) + " resumes where run " + run + " stopped");
                }
            }
            final PublisherReport sent = CrossProcessScenario.awaitPublisher(publisher, 0);
            assertEquals(0, publisher.awaitExit(RUN_TIMEOUT));
            assertEquals(total, sent.count());
            assertEquals(total, next);
            assertEquals(sent.checksum(), checksum, "checksums of all runs add up to the publisher's");
            System.out.printf("durable: %,d messages through %d reopened subscribers in %.2f s; " +
                    "publisher back-pressured %,d times%n", total, shares.length, (System.nanoTime() - start) / 1e9,
                sent.backPressured());
        }
    }

    private static ChildProcess startReader(final CrossProcessScenario scenario, final int run, final long share)
    {
        return scenario.children.start("durable-" + run, SubscriberMain.class, scenario.args(
            "policy=durable", "name=audit", "start=oldest", "publishers=1", "count=1000000",
            "stopAfter=" + share, "fromZero=" + (run == 0)));
    }
}
