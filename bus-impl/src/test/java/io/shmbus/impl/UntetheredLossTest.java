package io.shmbus.impl;

import io.shmbus.impl.CrossProcessScenario.PerPublisher;
import io.shmbus.impl.CrossProcessScenario.PublisherReport;
import io.shmbus.impl.CrossProcessScenario.SubscriberReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Untethered subscribers in their own JVMs, one of them deliberately slow, while publishers run flat out on a
 * 64 KiB ring: they are lapped over and over. Each must report its loss exactly: the messages its loss handler
 * was told of are exactly the sequence numbers it never saw (the publishers' total minus what it got), and, with
 * one publisher, each gap is exactly the loss reported just before it. It must never deliver a message with a
 * bad checksum, and what it delivers stays in each publisher's order.
 */
class UntetheredLossTest
{
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void slowSubscriberBehindExclusivePublisherReportsExactLoss()
    {
        run("untethered-1", 1, "exclusive", 1_000_000);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void slowSubscriberBehindTwoSharedPublishersReportsExactLoss()
    {
        run("untethered-2", 2, "shared", 500_000);
    }

    private static void run(final String label, final int publisherCount, final String mode, final long perPublisher)
    {
        try (CrossProcessScenario scenario = new CrossProcessScenario(label, CrossProcessStressTest.OPTIONS))
        {
            scenario.startSubscriber("slow", "policy=untethered", "start=oldest", "publishers=" + publisherCount,
                "count=" + perPublisher, "slowEvery=100", "slowMicros=5000");
            scenario.startSubscriber("eager", "policy=untethered", "start=oldest", "publishers=" + publisherCount,
                "count=" + perPublisher);
            for (int p = 0; p < publisherCount; p++)
            {
                scenario.startPublisher("pub" + p, "mode=" + mode, "id=" + p, "count=" + perPublisher,
                    "abortEvery=50");
            }
            final long start = System.nanoTime();
            scenario.go();
            final List<PublisherReport> sent = scenario.awaitPublishers();
            final long publishNs = System.nanoTime() - start;
            final List<SubscriberReport> received = scenario.drainSubscribers(publisherCount);
            scenario.awaitCleanExits();

            final long total = publisherCount * perPublisher;
            for (final PublisherReport report : sent)
            {
                assertEquals(perPublisher, report.count());
                if ("exclusive".equals(mode))
                {
                    // Shared publishers may still wait, behind each other's unfinished claims; nothing else can stop
                    // the walk that frees space.
                    assertEquals(0, report.backPressured(), "nothing tethered, so never back-pressured");
                }
            }
            for (final SubscriberReport report : received)
            {
                long seen = 0;
                for (int p = 0; p < publisherCount; p++)
                {
                    final PerPublisher got = report.publishers().get(p);
                    seen += got.count();
                    assertTrue(got.count() == 0 || got.first() >= 0 && got.last() < perPublisher,
                        report.name() + ": sequence range of publisher " + p + ": " + got);
                }
                assertEquals(seen, report.delivered(), report.name() + ": delivered");
                assertEquals(total - report.delivered(), report.lostMessages(),
                    report.name() + ": the loss reported must be exactly the messages never seen");
                if (publisherCount == 1)
                {
                    // The last message stays in the ring once publishing stops: a lapped reader resumes before it.
                    assertEquals(perPublisher - 1, report.publishers().get(0).last(), report.name() + ": last");
                }
                System.out.printf("%s %s: delivered %,d of %,d, lost %,d messages (%,d bytes) in %,d loss events%n",
                    label, report.name(), report.delivered(), total, report.lostMessages(), report.lostBytes(),
                    report.lossEvents());
            }
            final SubscriberReport slow = received.get(0);
            // At most 20,000 messages a second, far below any publisher here: it must be lapped again and again.
            assertTrue(slow.lossEvents() > 10, "the slow subscriber was meant to be lapped many times: " + slow);
            System.out.printf("%s: %,d messages published in %.2f s (%,.0f msg/s); back-pressured %s%n", label, total,
                publishNs / 1e9, total / (publishNs / 1e9),
                sent.stream().map(r -> Long.toString(r.backPressured())).toList());
        }
    }
}
