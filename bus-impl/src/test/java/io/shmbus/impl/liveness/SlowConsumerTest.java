package io.shmbus.impl.liveness;

import io.shmbus.TopicStatus;
import io.shmbus.impl.liveness.CrashRig.PublisherReport;
import io.shmbus.impl.liveness.CrashRig.SubscriberReport;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.PublisherMain;
import io.shmbus.impl.process.SubscriberMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static io.shmbus.impl.liveness.DeadPublisherMidClaimTest.OPTIONS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The slow-consumer policy with real stopped and slow subscriber JVMs. A tethered subscriber that may be demoted
 * ({@code SlowConsumerPolicy.DEMOTE}) and is SIGSTOPped holds the publisher back only for its timeout: the publisher
 * demotes it, counts and logs it, and publishes everything; continued, the subscriber is told exactly what it lost
 * and reads the rest intact. One that keeps the default policy holds the publisher back for as long as it is
 * stopped, and loses nothing. One that is slow but keeps reading is never demoted, however often it holds the
 * publisher back.
 */
class SlowConsumerTest
{
    private static final long COUNT = 20_000;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aStoppedDemotableSubscriberIsDemotedAndLearnsItsExactLoss()
    {
        try (CrashRig rig = new CrashRig("slow-demote", OPTIONS))
        {
            final ChildProcess subscriber = rig.start("sub", SubscriberMain.class, "policy=demotable", "slowMs=300",
                "start=oldest", "publishers=1", "count=" + COUNT);
            final ChildProcess publisher = rig.start("pub", PublisherMain.class, "mode=shared", "id=0",
                "count=" + COUNT);
            CrashRig.awaitReady(subscriber);
            CrashRig.awaitReady(publisher);
            subscriber.signal("STOP");
            try
            {
                publisher.send("GO");
                final PublisherReport sent = CrashRig.awaitPublisher(publisher);
                assertEquals(COUNT, sent.count(), "published everything while the subscriber was stopped");
                final TopicStatus status = rig.status();
                assertEquals(1, status.demotions(), "demoted once");
                assertTrue(status.subscribers().stream().anyMatch(TopicStatus.SubscriberStatus::demoted),
                    "the status shows it demoted");
            }
            finally
            {
                subscriber.signal("CONT");
            }
            final SubscriberReport got = CrashRig.awaitSubscriber(subscriber, 1);
            assertTrue(got.lostMessages() > 0, "it was lapped while stopped");
            assertEquals(COUNT, got.delivered() + got.lostMessages(), "told exactly what it lost");
            assertEquals(COUNT - 1, got.of(0).last(), "and read on to the last message");
            assertEquals(0, subscriber.awaitExit(CrashRig.RUN));
            assertEquals(0, publisher.awaitExit(CrashRig.RUN));
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aStoppedDetachableDurableSubscriberIsDetachedAndLearnsItsExactLoss()
    {
        try (CrashRig rig = new CrashRig("slow-detach", OPTIONS))
        {
            final ChildProcess subscriber = rig.start("sub", SubscriberMain.class, "policy=detachable", "name=audit",
                "slowMs=300", "start=oldest", "publishers=1", "count=" + COUNT);
            final ChildProcess publisher = rig.start("pub", PublisherMain.class, "mode=shared", "id=0",
                "count=" + COUNT);
            CrashRig.awaitReady(subscriber);
            CrashRig.awaitReady(publisher);
            subscriber.signal("STOP");
            try
            {
                publisher.send("GO");
                assertEquals(COUNT, CrashRig.awaitPublisher(publisher).count(), "published everything");
                assertEquals(1, rig.status().demotions(), "detached once");
            }
            finally
            {
                subscriber.signal("CONT");
            }
            final SubscriberReport got = CrashRig.awaitSubscriber(subscriber, 1);
            assertTrue(got.lostMessages() > 0, "lapped while stopped");
            assertEquals(COUNT, got.delivered() + got.lostMessages(), "told exactly what it lost");
            assertEquals(COUNT - 1, got.of(0).last());
            assertEquals(0, subscriber.awaitExit(CrashRig.RUN));
            final TopicStatus.SubscriberStatus kept = rig.status().subscribers().stream()
                .filter(s -> "audit".equals(s.name())).findFirst().orElseThrow();
            assertEquals("detached", kept.state(), "kept for its return");
            assertEquals(COUNT, kept.deliveredMessages() + kept.lostMessages());
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aStoppedSubscriberThatKeepsTheDefaultHoldsThePublisherBack()
    {
        try (CrashRig rig = new CrashRig("slow-keep", OPTIONS))
        {
            final ChildProcess subscriber = rig.start("sub", SubscriberMain.class, "policy=tethered",
                "start=oldest", "publishers=1", "count=" + COUNT);
            final ChildProcess publisher = rig.start("pub", PublisherMain.class, "mode=shared", "id=0",
                "count=" + COUNT);
            CrashRig.awaitReady(subscriber);
            CrashRig.awaitReady(publisher);
            subscriber.signal("STOP");
            try
            {
                publisher.send("GO");
                CrashRig.sleepMs(1_500);
                final long tail = rig.probe.tail();
                assertTrue(tail <= OPTIONS.capacityBytes(), "held back within one ring: tail " + tail);
                CrashRig.sleepMs(500);
                assertEquals(tail, rig.probe.tail(), "still held back");
                assertEquals(0, rig.status().demotions());
            }
            finally
            {
                subscriber.signal("CONT");
            }
            final PublisherReport sent = CrashRig.awaitPublisher(publisher);
            final SubscriberReport got = CrashRig.awaitSubscriber(subscriber, 1);
            assertEquals(COUNT, got.delivered(), "every message");
            assertEquals(0, got.lostMessages());
            assertEquals(sent.checksum(), got.of(0).checksum(), "intact");
            assertEquals(0, subscriber.awaitExit(CrashRig.RUN));
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aSlowDemotableSubscriberThatKeepsReadingIsNotDemoted()
    {
        final long count = 5_000;
        try (CrashRig rig = new CrashRig("slow-reading", OPTIONS))
        {
            // 2 ms asleep every 20 messages: far slower than the publisher, which is held back most of the time,
            // but never 300 ms without progress.
            final ChildProcess subscriber = rig.start("sub", SubscriberMain.class, "policy=demotable", "slowMs=300",
                "start=oldest", "publishers=1", "count=" + count, "slowEvery=20", "slowMicros=2000");
            final ChildProcess publisher = rig.start("pub", PublisherMain.class, "mode=shared", "id=0",
                "count=" + count);
            CrashRig.awaitReady(subscriber);
            CrashRig.awaitReady(publisher);
            publisher.send("GO");
            final PublisherReport sent = CrashRig.awaitPublisher(publisher);
            final SubscriberReport got = CrashRig.awaitSubscriber(subscriber, 1);
            assertTrue(sent.backPressured() > 0, "the publisher was held back");
            assertEquals(count, got.delivered(), "every message");
            assertEquals(0, got.lostMessages());
            assertEquals(sent.checksum(), got.of(0).checksum(), "intact");
            assertEquals(0, rig.status().demotions());
            assertFalse(rig.status().subscribers().stream().anyMatch(TopicStatus.SubscriberStatus::demoted));
            assertEquals(0, subscriber.awaitExit(CrashRig.RUN));
        }
    }
}
