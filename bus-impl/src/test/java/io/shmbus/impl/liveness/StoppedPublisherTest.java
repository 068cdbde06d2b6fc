package io.shmbus.impl.liveness;

import io.shmbus.impl.liveness.CrashRig.PublisherReport;
import io.shmbus.impl.liveness.CrashRig.SubscriberReport;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.PublisherMain;
import io.shmbus.impl.process.SubscriberMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.shmbus.impl.liveness.DeadPublisherMidClaimTest.OPTIONS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A publisher that is stopped (SIGSTOP) in the middle of a claim is slow, not dead: for 2 seconds, far longer
 * than any liveness check interval, a subscriber stuck at its claim and another publisher back-pressured behind
 * it keep polling and trying, and nobody repairs it; once continued (SIGCONT) it commits, and its message arrives
 * intact, in its place, with everything published behind it.
 *
 * <p>And a stopped publisher must not make a dead one's claim unrepairable: a shared publisher stopped between
 * storing its claim in its slot and the compare-and-swap of the tail names the same position as the claim another
 * publisher then took and died in. While the stopped one might still win, the dead claim is left alone; once it
 * goes on (its CAS fails, it claims further on), the dead claim is repaired and everything flows.
 */
class StoppedPublisherTest
{
    private static final long LIVE_COUNT = 5_000;
    private static final long BEFORE = 5;
    private static final long STOPPED_MS = 2_000;

    @ParameterizedTest(name = "publisher stopped {0}")
    @ValueSource(strings = {"afterTail", "halfBody"})
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void stoppedMidClaimIsNeverRepairedAndCommitsWhenContinued(final String window) throws IOException
    {
        try (CrashRig rig = new CrashRig("stopped-" + window, OPTIONS))
        {
            final Path release = rig.directory.resolveSibling(rig.directory.getFileName() + ".release");
            try
            {
                final ChildProcess subscriber = rig.start("sub", SubscriberMain.class, "policy=tethered",
                    "start=oldest", "publishers=2", "stopAfter=" + (BEFORE + 1 + LIVE_COUNT));
                final ChildProcess stopped = rig.startHalting("stopped", window, release,
                    "mode=shared", "id=1", "before=" + BEFORE);
                final ChildProcess live = rig.start("live", PublisherMain.class, "mode=shared", "id=0",
                    "count=" + LIVE_COUNT);
                final int subscriberSlot = CrashRig.awaitReady(subscriber);
                final int stoppedSlot = CrashRig.awaitReady(stopped);
                final int liveSlot = CrashRig.awaitReady(live);

                stopped.send("GO");
                final long sentChecksum = DeadPublisherMidClaimTest.sent(stopped, BEFORE);
                final long halted = DeadPublisherMidClaimTest.haltedAt(stopped, window);
                stopped.suspend();
                final long repairs = rig.status().repairs();
                final long reclaims = rig.status().reclaims();

                live.send("GO");
                CrashRig.await("the live publisher back-pressured behind the stopped claim", CrashRig.RUN,
                    () -> rig.probe.publisherBackPressured(liveSlot) > 0);
                CrashRig.await("the subscriber stuck at the stopped claim", CrashRig.RUN,
                    () -> rig.probe.subscriberPosition(subscriberSlot) == halted);
                final long backPressuredBefore = rig.probe.publisherBackPressured(liveSlot);
                final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOPPED_MS);
                while (System.nanoTime() - until < 0)
                {
                    assertTrue(rig.publisher(stoppedSlot).alive(), "a stopped publisher shows alive");
                    assertEquals(repairs, rig.status().repairs(), "repairs while the publisher is stopped");
                    assertEquals(halted, rig.probe.subscriberPosition(subscriberSlot), "subscriber stays put");
                    CrashRig.sleepMs(50);
                }
                assertTrue(rig.probe.publisherBackPressured(liveSlot) > backPressuredBefore,
                    "the live publisher kept trying while the other was stopped");

                stopped.resume();
                if ("halfBody".equals(window))
                {
                    stopped.send("COMMIT");
                }
                else
                {
                    Files.createFile(release);
                }
                final String[] committed = stopped.awaitWords("COMMITTED", CrashRig.RUN);
                assertEquals(BEFORE, Long.parseLong(committed[0]), "sequence of the stopped claim");
                assertEquals(halted, Long.parseLong(committed[1]), "position of the stopped claim");
                final long stoppedChecksum = sentChecksum + Long.parseLong(committed[2]);
                assertEquals(0, stopped.awaitExit(CrashRig.RUN));

                final PublisherReport sent = CrashRig.awaitPublisher(live);
                final SubscriberReport got = CrashRig.awaitSubscriber(subscriber, 2);
                assertEquals(BEFORE + 1, got.of(1).count(), "the stopped publisher's messages, its last one included");
                assertEquals(stoppedChecksum, got.of(1).checksum(), "intact");
                assertEquals(LIVE_COUNT, got.of(0).count(), "the live publisher's messages");
                assertEquals(sent.checksum(), got.of(0).checksum());
                assertEquals(repairs, rig.status().repairs(), "nothing was repaired");
                assertEquals(reclaims, rig.status().reclaims(), "nothing was reclaimed");
                assertEquals(0, subscriber.awaitExit(CrashRig.RUN));
                assertEquals(0, live.awaitExit(CrashRig.RUN));
            }
            finally
            {
                Files.deleteIfExists(release);
            }
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void stoppedPublisherNamingADeadClaimDoesNotMakeItUnrepairable() throws IOException
    {
        try (CrashRig rig = new CrashRig("stopped-beforecas", OPTIONS))
        {
            final Path release = rig.directory.resolveSibling(rig.directory.getFileName() + ".release");
            try
            {
                // The stopped publisher's claim is message 0 of test publisher 2, committed at last after the dead
                // claim; the subscriber must get it, so the dead claim before it must have been repaired.
                final ChildProcess subscriber = rig.start("sub", SubscriberMain.class, "policy=tethered",
                    "start=oldest", "publishers=3", "stopAfter=1");
                final ChildProcess stopped = rig.startHalting("stopped", "beforeCas", release,
                    "mode=shared", "id=2");
                final ChildProcess dying = rig.startHalting("dying", "afterTail", null, "mode=shared", "id=1");
                final int subscriberSlot = CrashRig.awaitReady(subscriber);
                CrashRig.awaitReady(stopped);
                final int dyingSlot = CrashRig.awaitReady(dying);

                stopped.send("GO");
                DeadPublisherMidClaimTest.sent(stopped, 0);
                final long position = DeadPublisherMidClaimTest.haltedAt(stopped, "beforeCas");
                stopped.suspend();
                dying.send("GO");
                DeadPublisherMidClaimTest.sent(dying, 0);
                assertEquals(position, DeadPublisherMidClaimTest.haltedAt(dying, "afterTail"),
                    "the dying publisher claimed the position the stopped one names");
                final long repairs = rig.status().repairs();

                dying.signal("KILL");
                dying.awaitExit(CrashRig.RUN);
                CrashRig.await("the dead publisher seen dead", CrashRig.RUN,
                    () -> rig.publisher(dyingSlot) == null || !rig.publisher(dyingSlot).alive());
                CrashRig.sleepMs(500); // the subscriber, stuck at the dead claim, looks for its owner meanwhile
                assertEquals(repairs, rig.status().repairs(),
                    "the dead claim is left alone while a live publisher may still win it");
                assertEquals(position, rig.probe.subscriberPosition(subscriberSlot));

                stopped.resume();
                Files.createFile(release);
                final String[] committed = stopped.awaitWords("COMMITTED", CrashRig.RUN);
                assertTrue(Long.parseLong(committed[1]) > position, "the stopped publisher lost the CAS and " +
                    "claimed after the dead claim");
                final SubscriberReport got = CrashRig.awaitSubscriber(subscriber, 3);
                assertEquals(1, got.of(2).count(), "the stopped publisher's message arrives");
                assertEquals(Long.parseLong(committed[2]), got.of(2).checksum());
                assertEquals(0, got.of(1).count(), "nothing of the dead claim");
                assertEquals(repairs + 1, rig.status().repairs(), "the dead claim was repaired");
                assertTrue(rig.publisher(dyingSlot) == null, "the dead publisher's slot was reclaimed");
                assertEquals(0, subscriber.awaitExit(CrashRig.RUN));
                assertEquals(0, stopped.awaitExit(CrashRig.RUN));
            }
            finally
            {
                Files.deleteIfExists(release);
            }
        }
    }
}
