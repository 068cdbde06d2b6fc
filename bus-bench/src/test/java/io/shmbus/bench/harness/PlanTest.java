package io.shmbus.bench.harness;

import io.shmbus.bench.Variant;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The schedule: rounds per scenario, every run once per round, the order rotated from round to round, the
 * floor at every round-trip size; and the load check: its verdict on the load of other work, and the
 * estimate of the harness's own share.
 */
class PlanTest
{
    @Test
    void everyRoundRunsEveryTransportOnceInARotatedOrder()
    {
        final List<Run> runs = Plan.runs(Mode.QUICK, Set.of(Run.RTT), Set.of());
        final List<Round> schedule = Plan.schedule(runs, 3);
        assertEquals(3, schedule.size());
        final List<Run> atFirstSize = runs.stream().filter(r -> r.size() == 32).toList();
        for (final Round round : schedule)
        {
            assertEquals(Run.RTT, round.scenario());
            assertEquals(Set.copyOf(runs), Set.copyOf(round.runs()), "round " + round.number());
            assertEquals(runs.size(), round.runs().size(), "each run once in round " + round.number());
            final List<Run> rotated = new ArrayList<>(atFirstSize);
            Collections.rotate(rotated, -(round.number() - 1));
            assertEquals(rotated, round.runs().subList(0, atFirstSize.size()), "order of round " + round.number());
        }
    }

    @Test
    void scenariosRunTheirRoundsOneAfterTheOther()
    {
        final List<Round> schedule = Plan.schedule(Plan.runs(Mode.SMOKE, Set.of(), Set.of()), 2);
        final List<String> order = schedule.stream().map(r -> r.scenario() + "#" + r.number()).toList();
        assertEquals(List.of("round-trip#1", "round-trip#2", "throughput-1to1#1", "throughput-1to1#2",
            "fan-out-1to3#1", "fan-out-1to3#2", "fan-in-3to1#1", "fan-in-3to1#2", "idle-cpu#1", "idle-cpu#2",
            "allocation#1", "allocation#2"), order);
        assertThrows(IllegalArgumentException.class, () -> Plan.schedule(List.of(), 0));
    }

    @Test
    void theFloorRunsAtEveryRoundTripSizeEvenWhenNotSelected()
    {
        final List<Run> runs = Plan.runs(Mode.FULL, Set.of(Run.RTT), Set.of("shmbus-spin", "aeron"));
        for (final int size : Plan.RTT_SIZES)
        {
            assertTrue(runs.contains(new Run(Run.RTT, Variant.FLOOR, size, Run.SPLIT)), "floor at " + size + " B");
        }
        assertEquals(3 * Plan.RTT_SIZES.length, runs.size(), "floor, shmbus-spin and aeron at each size");
        assertTrue(Plan.runs(Mode.FULL, Set.of(), Set.of("shmbus-exclusive")).stream()
            .noneMatch(r -> r.variant() == Variant.FLOOR), "no floor without a round trip to compare");
    }

    @Test
    void theJournalScenarioComparesTheJournalWithChronicleQueueAtBothSizesInTheSameRound()
    {
        assertTrue(Plan.scenarios().contains(Run.JOURNAL), "selectable by name");
        for (final Mode mode : new Mode[]{Mode.QUICK, Mode.FULL})
        {
            final List<Run> runs = Plan.runs(mode, Set.of(Run.JOURNAL), Set.of());
            assertEquals(List.of(
                new Run(Run.JOURNAL, Variant.JOURNAL, 32, -1),
                new Run(Run.JOURNAL, Variant.CHRONICLE, 32, -1),
                new Run(Run.JOURNAL, Variant.JOURNAL, 1024, -1),
                new Run(Run.JOURNAL, Variant.CHRONICLE, 1024, -1),
                new Run(Run.JOURNAL, Variant.JOURNAL_RECORDER, 32, Run.SPLIT),
                new Run(Run.JOURNAL, Variant.JOURNAL_REPLAY_RSS, 1024, -1)), runs, mode.name());
            final List<Round> schedule = Plan.schedule(runs, 2);
            assertEquals(2, schedule.size());
            assertEquals(List.of(Variant.JOURNAL, Variant.CHRONICLE, Variant.JOURNAL_RECORDER, Variant.JOURNAL,
                Variant.CHRONICLE, Variant.JOURNAL_REPLAY_RSS), variants(schedule.get(0)), "round 1 of " + mode.name());
            assertEquals(List.of(Variant.CHRONICLE, Variant.JOURNAL_RECORDER, Variant.JOURNAL, Variant.CHRONICLE,
                Variant.JOURNAL_REPLAY_RSS, Variant.JOURNAL), variants(schedule.get(1)), "round 2 of " + mode.name());
        }
        assertTrue(Plan.runs(Mode.QUICK, Set.of(), Set.of()).stream().anyMatch(r -> r.scenario().equals(Run.JOURNAL)),
            "a quick run of everything includes the journal");
    }

    @Test
    void theJournalScenarioFollowsTheTransportAndSizeSelectionsAndASmokeRunLeavesItOutUnlessAsked()
    {
        assertTrue(Plan.runs(Mode.SMOKE, Set.of(), Set.of()).stream().noneMatch(r -> r.scenario().equals(Run.JOURNAL)),
            "a smoke run of everything writes nothing to disk");
        assertEquals(6, Plan.runs(Mode.SMOKE, Set.of(Run.JOURNAL), Set.of()).size(), "unless the journal is asked for");
        assertEquals(List.of(new Run(Run.JOURNAL, Variant.JOURNAL, 1024, -1),
                new Run(Run.JOURNAL, Variant.CHRONICLE, 1024, -1),
                new Run(Run.JOURNAL, Variant.JOURNAL_REPLAY_RSS, 1024, -1)),
            Plan.runs(Mode.QUICK, Set.of(Run.JOURNAL), Set.of(), Set.of(1024)));
        assertEquals(List.of(new Run(Run.JOURNAL, Variant.JOURNAL_RECORDER, 32, Run.SPLIT)),
            Plan.runs(Mode.FULL, Set.of(Run.JOURNAL), Set.of("journal-recorder")));
        assertEquals(Variant.CHRONICLE, Variant.of("chronicle-queue"));
    }

    @Test
    void journalRunsStayWithinTheirBudgetAndTheReplayedJournalIsManyWindowsLong()
    {
        for (final Mode mode : new Mode[]{Mode.SMOKE, Mode.QUICK, Mode.FULL})
        {
            final JournalSettings s = JournalSettings.of(mode);
            for (final int size : Plan.JOURNAL_SIZES)
            {
                final long messages = s.messages(size);
                assertTrue(messages >= 1 && messages <= s.maxMessages(), mode.name() + " " + size);
                assertTrue(messages * size <= s.maxPayloadBytes(),
                    mode.name() + " " + size + " B within the byte budget");
            }
            assertTrue(s.rssJournalBytes() >= 8 * s.rssWindowBytes(), mode.name() + ": several windows long");
            assertTrue(s.rssJournalBytes() <= 512L << 20, mode.name() + ": a few hundred MiB at most");
            assertTrue(s.rssSegmentBytes() < s.rssJournalBytes(), mode.name() + ": more than one segment");
            assertEquals(0, s.rssWindowBytes() % 4096, "a whole number of pages");
        }
        assertEquals(1_000_000, JournalSettings.of(Mode.QUICK).messages(32));
        assertEquals(32 * 1024, JournalSettings.of(Mode.QUICK).messages(1024));
    }

    private static List<Variant> variants(final Round round)
    {
        return round.runs().stream().map(Run::variant).toList();
    }

    @Test
    void aLoadOfOtherWorkOverHalfACpuPerCpuAtAnyReadingIsNoVerdict()
    {
        final String[] line = {"0.90 0.50 0.40 2/100 7"};
        final double[] own = {0.0};
        final LoadCheck check = new LoadCheck(() -> line[0], () -> own[0], 2);
        assertEquals(1.0, check.limit(), 1e-12);
        assertEquals("0.90 0.50 0.40, others 0.90", check.read("before round 1/2 of x"));
        assertFalse(check.lastOver());
        line[0] = "1.90 0.50 0.40 2/100 7";
        own[0] = 0.9;
        assertEquals("1.90 0.50 0.40, others 1.00", check.read("after round 1/2 of x"));
        assertFalse(check.notAVerdict(), "1.00 left to others is at the limit, not over it");
        line[0] = "2.01 0.50 0.40 2/100 7";
        check.read("before round 2/2 of x");
        assertTrue(check.lastOver(), "2.01 less an own share of 0.90 leaves 1.11 to others");
        line[0] = "0.10 0.10 0.10 2/100 7";
        own[0] = 0.5;
        assertEquals("0.10 0.10 0.10, others 0.00", check.read("after round 2/2 of x"));
        assertTrue(check.notAVerdict());
        assertEquals("before round 2/2 of x", check.describe().get("highestAt"));
        assertEquals(1.11, (Double)check.describe().get("highestOthers1m"), 1e-9);
        assertTrue(check.reason().contains("1.11"), check.reason());

        final LoadCheck unreadable = new LoadCheck(() -> null, () -> 0.0, 2);
        assertEquals("unknown", unreadable.read("before round 1/1 of x"));
        assertTrue(unreadable.notAVerdict(), "an unknown load is no verdict");
    }

    @Test
    void theOwnShareFollowsTheCpuUsedWithTheLoadAveragesDecay()
    {
        final long[] clock = {0};
        final long[] cpu = {0};
        final OwnLoad own = new OwnLoad(() -> cpu[0], () -> clock[0], 2, false);
        // Two busy CPUs for a minute: 1 - 1/e of the way to 2.
        for (int s = 0; s < 60; s++)
        {
            clock[0] += 1_000_000_000L;
            cpu[0] += 2_000_000_000L;
            own.sample();
        }
        assertEquals(2 * (1 - Math.exp(-1)), own.load(), 1e-9);
        // Idle for a minute: it decays by 1/e.
        final double busy = own.load();
        clock[0] += 60_000_000_000L;
        own.sample();
        assertEquals(busy * Math.exp(-1), own.load(), 1e-9);
        // More CPU than there are CPUs (a reaped child's time arriving at once) counts as all of them.
        clock[0] += 1_000_000_000L;
        cpu[0] += 50_000_000_000L;
        own.sample();
        final double decay = Math.exp(-1 / 60.0);
        assertEquals(busy * Math.exp(-1) * decay + 2 * (1 - decay), own.load(), 1e-9);
        own.close();
    }

    @Test
    void theProcessTreeCpuNeverGoesBack() throws Exception
    {
        final OwnLoad.ProcessTreeCpu tree = new OwnLoad.ProcessTreeCpu();
        final long before = tree.getAsLong();
        assertTrue(before >= 0, "readable from /proc");
        final Process child = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done")
            .redirectErrorStream(true).start();
        try
        {
            long last = before;
            while (child.isAlive())
            {
                final long now = tree.getAsLong();
                assertTrue(now >= last, "monotonic while the child runs");
                last = now;
                Thread.sleep(20);
            }
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            final long after = tree.getAsLong();
            assertTrue(after >= last, "monotonic once the child is gone");
        }
        finally
        {
            child.destroyForcibly();
        }
    }
}
