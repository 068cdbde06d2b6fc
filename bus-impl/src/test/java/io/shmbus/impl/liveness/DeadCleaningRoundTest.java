package io.shmbus.impl.liveness;

import io.shmbus.impl.layout.RoundAreaDescriptor;
import io.shmbus.impl.liveness.CrashRig.SubscriberReport;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.CrashSubscriberMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static io.shmbus.impl.liveness.DeadPublisherMidClaimTest.OPTIONS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A publisher JVM SIGKILLed in the middle of a cleaning round: it holds cleanLock, has announced the new limit in
 * cleanIntent and has not zeroed anything yet (fault point {@code inRound}). A subscriber joining afterwards takes
 * the round over ({@code CleaningRound#takeOver}) and nothing is lost or corrupt: it starts at the oldest retained
 * message, which cleanCount numbers, and reads it intact. (Takeovers from a live but halted owner, at every step of
 * the round: {@link RoundTakeoverTest}.)
 */
class DeadCleaningRoundTest
{
    private static final long LIVE_COUNT = 5_000;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void joiningSubscriberFinishesTheRoundOfADeadCleaner()
    {
        try (CrashRig rig = new CrashRig("round-joiner", OPTIONS))
        {
            final long before = rig.messagesBeforeFirstRound(0);
            // It reads everything the cleaner commits, then stays attached without reading (a publisher needs a
            // subscriber to publish at all).
            final ChildProcess reader = rig.start("reader", CrashSubscriberMain.class,
                "policy=tethered", "start=oldest", "publishers=1", "count=" + (before + 1), "holdAfter=" + before);
            final ChildProcess cleaner = rig.startHalting("cleaner", "inRound", null, "mode=shared", "id=0");
            CrashRig.awaitReady(reader);
            final int cleanerSlot = CrashRig.awaitReady(cleaner);
            cleaner.send("GO");
            haltInRound(cleaner, before);
            assertEquals(before, Long.parseLong(reader.awaitWords("HOLDING", CrashRig.RUN)[0]));
            assertEquals(cleanerSlot + 1, RoundAreaDescriptor.lockCode(rig.probe.cleanLock()), "the cleaner holds");
            assertTrue(RoundAreaDescriptor.isAnnounced(rig.probe.cleanLock()), "its round, announced");
            final long repairs = rig.status().repairs();
            final long takeovers = rig.status().takeovers();
            final long reclaims = rig.status().reclaims();

            cleaner.signal("KILL");
            cleaner.awaitExit(CrashRig.RUN);
            final ChildProcess joiner = rig.start("joiner", CrashSubscriberMain.class,
                "policy=tethered", "start=oldest", "publishers=1", "count=" + before, "fromZero=false");
            final SubscriberReport got = CrashRig.awaitSubscriber(joiner, 1);
            assertEquals(0, joiner.awaitExit(CrashRig.RUN));
            assertEquals(0, rig.probe.cleanLock(), "round finished");
            assertEquals(rig.probe.cleanIntent(), rig.probe.cleanLimit());
            assertEquals(rig.probe.cleanCount(), got.of(0).first(),
                "the joiner starts at the oldest retained message, which cleanCount numbers");
            assertEquals(before - 1, got.of(0).last());
            assertEquals(rig.checksum(0, got.of(0).first(), before), got.of(0).checksum(), "intact");
            assertEquals(takeovers + 1, rig.status().takeovers(), "the round was finished, once");
            assertTrue(rig.status().repairs() <= repairs + 1, "counted as a repair when found dead");
            assertEquals(reclaims + 1, rig.status().reclaims(), "the dead cleaner's slot reclaimed");
            assertRoundsConsistent(rig, before);
        }
    }

    /**
     * Read the halting cleaner's lines up to its halt.
     *
     * @param expected how many messages it must have committed first.
     * @return the clean limit it announced.
     */
    private static long haltInRound(final ChildProcess cleaner, final long expected)
    {
        long committed = 0;
        String line;
        while (null != (line = cleaner.nextLine(CrashRig.RUN)))
        {
            final String[] w = line.split(" ");
            if ("P".equals(w[0]))
            {
                assertEquals(committed, Long.parseLong(w[1]));
                committed++;
            }
            else if ("HALTED".equals(w[0]))
            {
                assertEquals("inRound", w[1]);
                assertEquals(expected, committed, "messages committed before the first round");
                return Long.parseLong(w[2]);
            }
        }
        throw new AssertionError("the cleaner exited before halting\n" + cleaner.diagnostics());
    }

    /**
     * With nobody writing: no round is pending, and cleanCount is the number of messages before the oldest
     * retained record (the published total minus the messages retained).
     */
    private static void assertRoundsConsistent(final CrashRig rig, final long published)
    {
        assertEquals(0, rig.probe.cleanLock());
        assertEquals(rig.probe.cleanIntent(), rig.probe.cleanLimit());
        final long[] retained = rig.probe.countRetained();
        assertNotNull(retained, "every retained record committed");
        assertArrayEquals(new long[] {published}, new long[] {rig.probe.cleanCount() + retained[0]},
            "cleanCount + retained messages = messages published");
    }
}
