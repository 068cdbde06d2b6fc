package io.shmbus.impl.liveness;

import io.shmbus.TopicOptions;
import io.shmbus.impl.liveness.CrashRig.PublisherReport;
import io.shmbus.impl.liveness.CrashRig.SubscriberReport;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.PublisherMain;
import io.shmbus.impl.process.SubscriberMain;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A publisher JVM killed with SIGKILL in the middle of a claim, in each window a claim has: after the tail moved
 * but before a single header byte ({@code afterTail}), after the in-progress header ({@code afterHeader}), half
 * way through the body ({@code halfBody}), and a claim that wraps (wrap padding plus record) killed after the tail
 * moved. The halted publisher first commits some messages of its own.
 *
 * <p>Shared: another shared publisher in another JVM publishes 5,000 messages (about thirty laps of the
 * ring) behind the dead claim; it is back-pressured by the subscriber stuck at the claim until the claim is
 * repaired. Exclusive: the only publisher dies; a new exclusive publisher attaches afterwards.
 *
 * <p>Checked: the subscriber (another JVM, checking every message's sequence, length and checksum) gets every
 * committed message of both publishers, in order, and nothing of the dead claim; while the halted publisher is
 * alive nothing is repaired, however long the others wait; once it is dead exactly the parts of its claim that
 * were not committed are repaired ({@code status().repairs()}: 2 for a wrapping claim killed before its header,
 * else 1) and its slot is reclaimed; the live publisher's claims are never touched (the subscriber would see a gap
 * or a bad checksum).
 */
class DeadPublisherMidClaimTest
{
    static final TopicOptions OPTIONS = TopicOptions.builder()
        .capacityBytes(16 * 1024)
        .maxMessageLength(256)
        .maxPublishers(4)
        .maxSubscribers(4)
        .build();
    private static final long LIVE_COUNT = 5_000;
    private static final long BEFORE = 7;

    @ParameterizedTest(name = "shared publisher killed {0}, wrapping claim: {1}")
    @CsvSource({"afterTail, false, 1", "afterHeader, false, 1", "halfBody, false, 1", "afterTail, true, 2",
        "afterHeader, true, 1"})
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void sharedPublisherKilledMidClaim(final String window, final boolean wrap, final int parts)
    {
        try (CrashRig rig = new CrashRig("midclaim-shared-" + window, OPTIONS))
        {
            final long before = wrap ? rig.messagesBeforeWrapWindow(1) : BEFORE;
            final ChildProcess subscriber = rig.start("sub", SubscriberMain.class, "policy=tethered", "start=oldest",
                "publishers=2", "stopAfter=" + (before + LIVE_COUNT));
            final ChildProcess halting = rig.startHalting("halting", window, null,
                "mode=shared", "id=1", "before=" + before, "wrap=" + wrap);
            final ChildProcess live = rig.start("live", PublisherMain.class, "mode=shared", "id=0",
                "count=" + LIVE_COUNT);
            final int subscriberSlot = CrashRig.awaitReady(subscriber);
            final int haltedSlot = CrashRig.awaitReady(halting);
            final int liveSlot = CrashRig.awaitReady(live);

            halting.send("GO");
            final long sentChecksum = sent(halting, before);
            final long halted = haltedAt(halting, window);
            final long start = rig.positionAfter(1, before);
            assertEquals(wrap && "afterHeader".equals(window) ? (start | (OPTIONS.capacityBytes() - 1)) + 1 : start,
                halted, "where the halted claim (its record, once the wrap padding is committed) starts");
            final long repairs = rig.status().repairs();
            final long reclaims = rig.status().reclaims();

            live.send("GO");
            CrashRig.await("the live publisher back-pressured behind the halted claim", CrashRig.RUN,
                () -> rig.probe.publisherBackPressured(liveSlot) > 0);
            CrashRig.await("the subscriber stuck at the halted claim", CrashRig.RUN,
                () -> rig.probe.subscriberPosition(subscriberSlot) == halted);
            CrashRig.sleepMs(300); // everyone keeps trying; nobody may touch a live publisher's claim
            assertEquals(repairs, rig.status().repairs(), "repairs while the halted publisher is alive");
            assertEquals(halted, rig.probe.subscriberPosition(subscriberSlot), "still stuck at the halted claim");
            assertTrue(rig.publisher(haltedSlot).alive(), "halted publisher shows alive");

            halting.signal("KILL");
            halting.awaitExit(CrashRig.RUN);
            final PublisherReport sent = CrashRig.awaitPublisher(live);
            final SubscriberReport got = CrashRig.awaitSubscriber(subscriber, 2);

            assertEquals(LIVE_COUNT, got.of(0).count(), "messages of the live publisher");
            assertEquals(LIVE_COUNT - 1, got.of(0).last(), "last message of the live publisher");
            assertEquals(sent.checksum(), got.of(0).checksum(), "checksum of the live publisher's messages");
            assertEquals(before, got.of(1).count(), "messages the halted publisher committed, and nothing more");
            assertEquals(sentChecksum, got.of(1).checksum(), "checksum of the halted publisher's messages");
            assertEquals(before + LIVE_COUNT, got.delivered());
            assertEquals(0, got.lostMessages());
            assertEquals(repairs + parts, rig.status().repairs(), "claim parts repaired into padding");
            assertEquals(reclaims + 1, rig.status().reclaims(), "the dead publisher's slot reclaimed");
            assertNull(rig.publisher(haltedSlot), "the dead publisher's slot is free");
            assertEquals(0, subscriber.awaitExit(CrashRig.RUN));
            assertEquals(0, live.awaitExit(CrashRig.RUN));
        }
    }

    @ParameterizedTest(name = "exclusive publisher killed {0}")
    @CsvSource({"afterTail", "afterHeader"})
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void exclusivePublisherKilledMidClaim(final String window)
    {
        try (CrashRig rig = new CrashRig("midclaim-exclusive-" + window, OPTIONS))
        {
            final ChildProcess subscriber = rig.start("sub", SubscriberMain.class, "policy=tethered", "start=oldest",
                "publishers=2", "stopAfter=" + (BEFORE + LIVE_COUNT));
            final ChildProcess halting = rig.startHalting("halting", window, null,
                "mode=exclusive", "id=0", "before=" + BEFORE);
            final int subscriberSlot = CrashRig.awaitReady(subscriber);
            final int haltedSlot = CrashRig.awaitReady(halting);
            assertTrue(rig.publisher(haltedSlot).exclusive());

            halting.send("GO");
            final long sentChecksum = sent(halting, BEFORE);
            final long halted = haltedAt(halting, window);
            assertEquals(rig.positionAfter(0, BEFORE), halted, "where the halted claim starts");
            final long repairs = rig.status().repairs();
            final long reclaims = rig.status().reclaims();
            CrashRig.await("the subscriber stuck at the halted claim", CrashRig.RUN,
                () -> rig.probe.subscriberPosition(subscriberSlot) == halted);
            CrashRig.sleepMs(300);
            assertEquals(repairs, rig.status().repairs(), "repairs while the halted publisher is alive");

            halting.signal("KILL");
            halting.awaitExit(CrashRig.RUN);
            final ChildProcess next = rig.start("next", PublisherMain.class, "mode=exclusive", "id=1",
                "count=" + LIVE_COUNT);
            CrashRig.awaitReady(next);
            next.send("GO");
            final PublisherReport sent = CrashRig.awaitPublisher(next);
            final SubscriberReport got = CrashRig.awaitSubscriber(subscriber, 2);

            assertEquals(BEFORE, got.of(0).count(), "messages the halted publisher committed, and nothing more");
            assertEquals(sentChecksum, got.of(0).checksum());
            assertEquals(LIVE_COUNT, got.of(1).count(), "messages of the next exclusive publisher");
            assertEquals(sent.checksum(), got.of(1).checksum());
            assertEquals(0, got.lostMessages());
            assertEquals(repairs + 1, rig.status().repairs(), "claim repaired into padding");
            assertEquals(reclaims + 1, rig.status().reclaims(), "the dead publisher's slot reclaimed");
            assertEquals(0, subscriber.awaitExit(CrashRig.RUN));
            assertEquals(0, next.awaitExit(CrashRig.RUN));
        }
    }

    /**
     * @return the checksum of the messages the halting publisher committed before halting.
     */
    static long sent(final ChildProcess halting, final long before)
    {
        final String[] w = halting.awaitWords("SENT", CrashRig.RUN);
        assertEquals(before, Long.parseLong(w[0]));
        return Long.parseLong(w[1]);
    }

    /**
     * @return the position the halting publisher stopped at (where a subscriber stops).
     */
    static long haltedAt(final ChildProcess halting, final String window)
    {
        final String[] w = halting.awaitWords("HALTED", CrashRig.RUN);
        assertEquals(window, w[0]);
        assertNotNull(w[1]);
        return Long.parseLong(w[1]);
    }
}
