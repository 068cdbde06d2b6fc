package io.shmbus.impl.liveness;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.SubscriberOptions;
import io.shmbus.TopicStatus;
import io.shmbus.impl.liveness.CrashRig.PublisherReport;
import io.shmbus.impl.liveness.CrashRig.SubscriberReport;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.CrashSubscriberMain;
import io.shmbus.impl.process.PublisherMain;
import io.shmbus.impl.process.SubscriberMain;
import io.shmbus.impl.process.TestMessages;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import static io.shmbus.impl.liveness.DeadPublisherMidClaimTest.OPTIONS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three tethered subscriber JVMs on one publisher JVM; the slowest one, which holds the publisher back, is
 * SIGKILLed mid-stream. The publisher goes on (it finds the dead subscriber in its way when back-pressured and
 * reclaims its slot), the other two get every message intact and in order, and {@code status()} shows the dead one
 * first as dead, then gone, with one reclaim.
 */
class DeadSubscriberTest
{
    private static final long COUNT = 20_000;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void slowestOfThreeSubscribersKilledMidStream()
    {
        try (CrashRig rig = new CrashRig("dead-subscriber", OPTIONS))
        {
            final ChildProcess first = rig.start("sub1", SubscriberMain.class,
                "policy=tethered", "start=oldest", "publishers=1", "count=" + COUNT);
            final ChildProcess second = rig.start("sub2", SubscriberMain.class,
                "policy=tethered", "start=oldest", "publishers=1", "count=" + COUNT);
            // About a thousand messages a second: it holds the publisher back.
            final ChildProcess slow = rig.start("slow", SubscriberMain.class,
                "policy=tethered", "start=oldest", "publishers=1", "count=" + COUNT, "slowEvery=1", "slowMicros=1000");
            final ChildProcess publisher = rig.start("pub", PublisherMain.class,
                "mode=exclusive", "id=0", "count=" + COUNT);
            CrashRig.awaitReady(first);
            CrashRig.awaitReady(second);
            final int slowSlot = CrashRig.awaitReady(slow);
            final int publisherSlot = CrashRig.awaitReady(publisher);
            publisher.send("GO");

            CrashRig.await("the slow subscriber in the publisher's way, mid-stream", CrashRig.RUN,
                () -> rig.subscriber(slowSlot).deliveredMessages() >= 300 &&
                    rig.probe.publisherBackPressured(publisherSlot) > 0);
            final long reclaims = rig.status().reclaims();
            slow.signal("KILL");
            slow.awaitExit(CrashRig.RUN);
            // Dead, or already gone. (For the moment a repairer holds the dead slot's lock to reclaim it, the slot
            // still shows alive: status() reads liveness from that lock.)
            CrashRig.await("the killed subscriber shown dead or gone", CrashRig.RUN, () ->
            {
                // One status read: the slot may be reclaimed between two.
                final TopicStatus.SubscriberStatus shown = rig.subscriber(slowSlot);
                return null == shown || !shown.alive();
            });
            final TopicStatus.SubscriberStatus dead = rig.subscriber(slowSlot);
            if (null != dead)
            {
                assertTrue(dead.deliveredMessages() < COUNT, "killed mid-stream");
                assertEquals(SubscriberOptions.Policy.TETHERED, dead.policy());
            }

            final PublisherReport sent = CrashRig.awaitPublisher(publisher);
            for (final ChildProcess survivor : new ChildProcess[] {first, second})
            {
                final SubscriberReport got = CrashRig.awaitSubscriber(survivor, 1);
                assertEquals(COUNT, got.of(0).count(), survivor.name() + ": every message");
                assertEquals(0, got.of(0).first());
                assertEquals(COUNT - 1, got.of(0).last());
                assertEquals(sent.checksum(), got.of(0).checksum(), survivor.name() + ": intact");
                assertEquals(0, survivor.awaitExit(CrashRig.RUN));
            }
            assertEquals(0, publisher.awaitExit(CrashRig.RUN));
            assertNull(rig.subscriber(slowSlot), "the dead subscriber's slot is free");
            assertEquals(reclaims + 1, rig.status().reclaims(), "one slot reclaimed");
            assertFalse(rig.status().subscribers().stream().anyMatch(s -> !s.alive()), "no dead subscriber left");
        }
    }

    /**
     * A subscriber is counted as connected only once its start position is fixed, at the very end of joining. One
     * killed just before that (fault point {@code joining}: its slot active, not counted) must leave the count
     * right: a tethered one's slot is freed without uncounting it; a durable one is kept, and counted when it
     * returns (publishers that require a subscriber would otherwise be told NOT_CONNECTED while it reads).
     */
    @ParameterizedTest(name = "{0} subscriber killed while joining")
    @ValueSource(strings = {"durable", "tethered"})
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void subscriberKilledWhileJoiningLeavesTheCountRight(final String policy)
    {
        try (CrashRig rig = new CrashRig("dead-joiner-" + policy, OPTIONS))
        {
            final List<String> flags = new ArrayList<>(CrashRig.LEAN_JVM);
            flags.add("-Dshmbus.faultPoints=joining");
            final ChildProcess joining = rig.start("joining", flags, CrashSubscriberMain.class, "policy=" + policy,
                "name=late", "start=oldest", "publishers=1", "count=1");
            joining.awaitLine("HALTED", CrashRig.START);
            assertEquals(1, rig.status().subscribers().size(), "its slot is taken");
            assertEquals(0, rig.probe.subscriberCount(), "it is not counted yet");
            joining.signal("KILL");
            joining.awaitExit(CrashRig.RUN);

            final ChildProcess next = rig.start("next", CrashSubscriberMain.class,
                "policy=" + policy, "name=late", "start=oldest", "publishers=1", "count=1");
            CrashRig.awaitReady(next);
            assertEquals(1, rig.probe.subscriberCount(), "the subscriber now attached is counted, once");
            try (Publisher publisher = rig.topic.publisher(PublisherOptions.shared()))
            {
                assertTrue(publisher.isConnected(), "a publisher sees a subscriber");
                final UnsafeBuffer message = new UnsafeBuffer(new byte[OPTIONS.maxMessageLength()]);
                final int length = TestMessages.length(0, 0, OPTIONS.maxMessageLength());
                TestMessages.fill(message, new CRC32C(), 0, 0, length);
                assertTrue(publisher.offer(message, 0, length, TestMessages.type(0, 0)) > 0,
                    "a publisher is not told NOT_CONNECTED");
            }
            assertEquals(1, CrashRig.awaitSubscriber(next, 1).of(0).count(), "the subscriber got the message");
            assertEquals(0, next.awaitExit(CrashRig.RUN));
            assertEquals("durable".equals(policy) ? 1 : 0, rig.probe.subscriberCount(),
                "after it left: a durable subscriber that is away stays counted, a tethered one does not");
        }
    }
}
