package io.shmbus.impl.liveness;

import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.TruncationVictimMain;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.shmbus.impl.liveness.DeadPublisherMidClaimTest.OPTIONS;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
