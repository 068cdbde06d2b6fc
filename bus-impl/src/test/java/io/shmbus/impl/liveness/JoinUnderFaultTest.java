package io.shmbus.impl.liveness;

import io.shmbus.BusException;
import io.shmbus.SubscriberOptions;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.CrashSubscriberMain;
import io.shmbus.impl.process.TruncationVictimMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.shmbus.impl.liveness.DeadPublisherMidClaimTest.OPTIONS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opening and joining when the topic goes bad in the middle: the file truncated at each step of an open and of a
 * join (a fault point halts the child JVM there while the test truncates the file), and a join that must wait
 * for a cleaning round whose publisher is alive but stopped.
 */
class JoinUnderFaultTest
{
    /**
     * Whatever step the truncation comes at, the public call reports a {@code TopicCorruptedException} that names
     * the file's size now, never the JVM's own {@code InternalError}.
     */
    @ParameterizedTest(name = "truncated at {0}, joining {1}")
    @CsvSource({"openMapped, ''", "joinSlot, tethered", "joinSlot, untethered", "joinSlot, durable",
        "joining, tethered", "joining, untethered", "joining, durable"})
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aTruncationAtAnyStepIsReportedAsCorruption(final String point, final String join) throws Exception
    {
        final Path releaseDir = Files.createTempDirectory("shmbus-release");
        final Path release = releaseDir.resolve("go");
        try (CrashRig rig = new CrashRig("truncate-" + point + "-" + join, OPTIONS))
        {
            final List<String> flags = new ArrayList<>(CrashRig.LEAN_JVM);
            flags.add("-Dshmbus.faultPoints=" + point);
            flags.add("-Dshmbus.faultPoints.release=" + release);
            final ChildProcess victim = join.isEmpty() ?
                rig.start("victim", flags, TruncationVictimMain.class) :
                rig.start("victim", flags, TruncationVictimMain.class, "join=" + join);
            victim.awaitLine("HALTED " + point, CrashRig.START);
            try (FileChannel file = FileChannel.open(rig.directory.resolve(CrashRig.TOPIC), StandardOpenOption.WRITE))
            {
                file.truncate(4096);
            }
            Files.createFile(release);
            final String result = victim.awaitLine("RESULT", CrashRig.RUN);
            assertTrue(result.startsWith("RESULT io.shmbus.TopicCorruptedException"), result);
            assertTrue(result.contains("its size is now 4096 bytes"), result);
            assertEquals(0, victim.awaitExit(CrashRig.RUN));
        }
        finally
        {
            Files.deleteIfExists(release);
            Files.deleteIfExists(releaseDir);
        }
    }

    /**
     * A join from the oldest message needs a consistent (cleanLimit, cleanCount), which a round in progress does not
     * give. With the round's publisher alive but halted in it, the join waits, backing off rather than spinning, and
     * gives up with the documented error once the round has made no progress for 10 s. The joining thread's CPU
     * time over those 10 s is bounded far below the whole core a spinning wait would take.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aJoinWaitingForAStoppedCleanerBacksOffAndGivesUp()
    {
        try (CrashRig rig = new CrashRig("round-stopped", OPTIONS))
        {
            final long before = rig.messagesBeforeFirstRound(0);
            final ChildProcess reader = rig.start("reader", CrashSubscriberMain.class,
                "policy=tethered", "start=oldest", "publishers=1", "count=" + (before + 1), "holdAfter=" + before);
            final ChildProcess cleaner = rig.startHalting("cleaner", "inRound", null, "mode=shared", "id=0");
            CrashRig.awaitReady(reader);
            final int cleanerSlot = CrashRig.awaitReady(cleaner);
            cleaner.send("GO");
            cleaner.awaitLine("HALTED inRound", CrashRig.RUN);
            assertEquals(cleanerSlot + 1, rig.probe.cleanLock(), "the halted cleaner holds the round");

            final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            final long cpuBefore = threads.getCurrentThreadCpuTime();
            final long wallBefore = System.nanoTime();
            final BusException error = assertThrows(BusException.class, () -> rig.topic.subscriber(
                SubscriberOptions.tethered().startAt(SubscriberOptions.StartPosition.OLDEST)));
            final long cpuNs = threads.getCurrentThreadCpuTime() - cpuBefore;
            final long wallNs = System.nanoTime() - wallBefore;
            System.out.printf("join gave up after %.1f s having used %.3f s of CPU: %s%n",
                wallNs / 1e9, cpuNs / 1e9, error.getMessage());
            assertTrue(error.getMessage().contains("made no progress"), error.getMessage());
            assertTrue(cpuNs < wallNs / 5, "the waiting join used " + cpuNs / 1_000_000 + " ms of CPU in " +
                wallNs / 1_000_000 + " ms");
            assertEquals(cleanerSlot + 1, rig.probe.cleanLock(), "nobody took a live cleaner's round");
        }
    }
}
