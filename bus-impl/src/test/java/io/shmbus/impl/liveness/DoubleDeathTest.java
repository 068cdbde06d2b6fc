package io.shmbus.impl.liveness;

import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.CrashSubscriberMain;
import io.shmbus.impl.process.PublisherMain;
import io.shmbus.impl.process.HaltingPublisherMain;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.shmbus.impl.liveness.DeadPublisherMidClaimTest.OPTIONS;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two shared publishers that die in the same instant around one tail CAS with different claim lengths: both read
 * the same tail and named it in their slots (fault point {@code beforeCas}); one won the CAS and died before
 * writing a header ({@code afterTail}), the other lost it and died before naming another position
 * ({@code afterFailedCas}). Both are SIGKILLed together. The loser sits in the lower slot, so the repair meets its
 * slot first, the order in which it used to take the loser's extent for the claim's. The survivors must read on
 * past the winner's claim exactly: every message of a live publisher that follows, none skipped or misread.
 */
class DoubleDeathTest
{
    private static final long LIVE_COUNT = 2_000;

    @ParameterizedTest(name = "winner's message {0} bytes, loser's {1} bytes")
    @CsvSource({"40, 200", "200, 40"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void theRepairTakesTheWinnersExtent(final int winnerLength, final int loserLength) throws Exception
    {
        final Path releases = Files.createTempDirectory("shmbus-double-death");
        try (CrashRig rig = new CrashRig("double-death-" + winnerLength, OPTIONS))
        {
            // A subscriber first: publishers need one to claim at all, and it is what must read on afterwards.
            final ChildProcess reader = rig.start("reader", CrashSubscriberMain.class, "policy=tethered",
                "start=oldest", "publishers=1", "count=" + LIVE_COUNT);
            CrashRig.awaitReady(reader);
            final ChildProcess loser = start(rig, "loser", releases.resolve("loser.{point}"), 2, loserLength);
            final int loserSlot = CrashRig.awaitReady(loser);
            final ChildProcess winner = start(rig, "winner", releases.resolve("winner.{point}"), 1, winnerLength);
            final int winnerSlot = CrashRig.awaitReady(winner);
            assertEquals(true, loserSlot < winnerSlot, "the loser's slot comes first");

            loser.send("GO");
            final long tail = Long.parseLong(loser.awaitWords("HALTED beforeCas", CrashRig.RUN)[0]);
            winner.send("GO");
            assertEquals(tail, Long.parseLong(winner.awaitWords("HALTED beforeCas", CrashRig.RUN)[0]),
                "both read the same tail");
            Files.createFile(releases.resolve("winner.beforeCas"));
            assertEquals(tail, Long.parseLong(winner.awaitWords("HALTED afterTail", CrashRig.RUN)[0]), "it won");
            Files.createFile(releases.resolve("loser.beforeCas"));
            assertEquals(tail, Long.parseLong(loser.awaitWords("HALTED afterFailedCas", CrashRig.RUN)[0]), "it lost");
            assertEquals(true, rig.probe.tail() > tail, "the tail moved past the winner's claim");

            // A live publisher attached before the deaths publishes past both claims' ends before anyone repairs:
            // the reader is stuck at the dead claim until a repair, and the live publisher, back-pressured by it,
            // looks for dead peers only then. So the repair sees a tail far past either candidate's end.
            final ChildProcess live = rig.start("live", PublisherMain.class, "mode=shared", "id=0",
                "count=" + LIVE_COUNT);
            CrashRig.awaitReady(live);
            winner.signal("KILL");
            loser.signal("KILL");
            winner.awaitExit(CrashRig.RUN);
            loser.awaitExit(CrashRig.RUN);
            live.send("GO");
            final CrashRig.SubscriberReport got = CrashRig.awaitSubscriber(reader, 1);
            assertEquals(LIVE_COUNT, got.of(0).count(), "every message of the live publisher");
            assertEquals(0, got.of(0).first());
            assertEquals(LIVE_COUNT - 1, got.of(0).last());
            assertEquals(rig.checksum(0, 0, LIVE_COUNT), got.of(0).checksum(), "intact");
            assertEquals(0, reader.awaitExit(CrashRig.RUN));
            assertEquals(0, live.awaitExit(CrashRig.RUN));
        }
        finally
        {
            try (var files = Files.list(releases))
            {
                for (final Path file : files.toList())
                {
                    Files.delete(file);
                }
            }
            Files.delete(releases);
        }
    }

    private static ChildProcess start(
        final CrashRig rig, final String name, final Path release, final int id, final int length)
    {
        final List<String> flags = new ArrayList<>(CrashRig.LEAN_JVM);
        flags.add("-Dshmbus.faultPoints=beforeCas,afterTail,afterFailedCas");
        flags.add("-Dshmbus.faultPoints.release=" + release);
        return rig.start(name, flags, HaltingPublisherMain.class, "mode=shared", "id=" + id, "window=beforeCas",
            "length=" + length);
    }
}
