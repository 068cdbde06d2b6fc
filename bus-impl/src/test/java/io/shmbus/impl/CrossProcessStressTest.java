package io.shmbus.impl;

import io.shmbus.TopicOptions;
import io.shmbus.impl.CrossProcessScenario.PerPublisher;
import io.shmbus.impl.CrossProcessScenario.PublisherReport;
import io.shmbus.impl.CrossProcessScenario.SubscriberReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Publishers and tethered subscribers in separate JVMs on a 64 KiB ring, a million messages or more per
 * scenario, of every size from 0 bytes to the maximum. Every subscriber must see every message of every
 * publisher exactly once, in each publisher's order, with intact contents: each child checks every message as it
 * arrives (see {@link io.shmbus.impl.process.SubscriberMain}); the test then compares each subscriber's
 * per-publisher count and checksum with what the publisher sent.
 *
 * <p>One scenario runs two publisher threads in each of two JVMs (each thread with its own shared publisher).
 * One claim in 50 is first taken and aborted with a perfect copy of the message in it, so an aborted record
 * that was delivered would show up as a duplicate.
 */
class CrossProcessStressTest
{
    static final TopicOptions OPTIONS = TopicOptions.builder()
        .capacityBytes(64 * 1024)
        .maxMessageLength(1024)
        .maxPublishers(8)
        .maxSubscribers(8)
        .build();

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void oneExclusivePublisherToOneSubscriber()
    {
        run("1x1-exclusive", 1, "exclusive", 1, 1_000_000);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void oneSharedPublisherToOneSubscriber()
    {
        run("1x1-shared", 1, "shared", 1, 1_000_000);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void oneExclusivePublisherToFourSubscribers()
    {
        run("1x4", 1, "exclusive", 4, 1_000_000);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void fourSharedPublishersToOneSubscriber()
    {
        run("4x1", 4, "shared", 1, 250_000);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void fourSharedPublishersToFourSubscribers()
    {
        run("4x4", 4, "shared", 4, 250_000);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void twoJvmsWithTwoPublisherThreadsEachToTwoSubscribers()
    {
        run("2x2tx2", 4, "shared", 2, 250_000, 2);
    }

    private static void run(
        final String label, final int publisherCount, final String mode, final int subscriberCount,
        final long perPublisher)
    {
        run(label, publisherCount, mode, subscriberCount, perPublisher, 1);
    }

    private static void run(
        final String label, final int publisherCount, final String mode, final int subscriberCount,
        final long perPublisher, final int threadsPerJvm)
    {
        try (CrossProcessScenario scenario = new CrossProcessScenario(label, OPTIONS))
        {
            for (int s = 0; s < subscriberCount; s++)
            {
                scenario.startSubscriber("sub" + s, "policy=tethered", "start=oldest",
                    "publishers=" + publisherCount, "count=" + perPublisher);
            }
            for (int p = 0; p < publisherCount; p += threadsPerJvm)
            {
                scenario.startPublisher("pub" + p, "mode=" + mode, "id=" + p, "count=" + perPublisher,
                    "threads=" + threadsPerJvm, "abortEvery=50");
            }
            final long start = System.nanoTime();
            scenario.go();
            final List<PublisherReport> sent = scenario.awaitPublishers();
            final List<SubscriberReport> received = scenario.drainSubscribers(publisherCount);
            final long elapsed = System.nanoTime() - start;
            scenario.awaitCleanExits();

            for (final SubscriberReport report : received)
            {
                for (int p = 0; p < publisherCount; p++)
                {
                    final PerPublisher got = report.publishers().get(p);
                    final PublisherReport want = sent.get(p);
                    final String what = report.name() + " from publisher " + p;
                    assertEquals(perPublisher, want.count(), "publisher " + p + " count");
                    assertEquals(want.count(), got.count(), what + ": messages");
                    assertEquals(0, got.first(), what + ": first sequence");
                    assertEquals(want.count() - 1, got.last(), what + ": last sequence");
                    assertEquals(want.checksum(), got.checksum(), what + ": checksum");
                }
                assertEquals(publisherCount * perPublisher, report.delivered(), report.name() + ": delivered");
                assertEquals(0, report.lostMessages(), report.name() + ": lost");
            }
            final long total = publisherCount * perPublisher;
            System.out.printf("%s: %d publisher(s) (%s, %d per JVM) -> %d subscriber(s): %,d messages in %.2f s, " +
                    "%,.0f msg/s published, %,.0f msg/s delivered in all; back-pressured %s; admin action %s%n",
                label, publisherCount, mode, threadsPerJvm, subscriberCount, total, elapsed / 1e9,
                total / (elapsed / 1e9), total * subscriberCount / (elapsed / 1e9),
                sent.stream().map(r -> Long.toString(r.backPressured())).toList(),
                sent.stream().map(r -> Long.toString(r.adminAction())).toList());
        }
    }
}
