package io.shmbus.bench.harness;

import io.shmbus.bench.Variant;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stall scenario's place in the plan, its settings, and how its JVMs' results become figures and a verdict on
 * every message (no child JVM here).
 */
class StallPlanTest
{
    private static final List<Run> BOTH = List.of(
        new Run(Run.STALL, Variant.STALL_NONE, 32, -1),
        new Run(Run.STALL, Variant.STALL_STOPPED, 32, -1));

    @Test
    void fullAndQuickRunsHaveItAndSmokeOnlyWhenAsked()
    {
        assertTrue(Plan.scenarios().contains(Run.STALL), "selectable by name");
        for (final Mode mode : List.of(Mode.FULL, Mode.QUICK))
        {
            assertEquals(BOTH, Plan.runs(mode, Set.of(), Set.of()).stream()
                .filter(r -> r.scenario().equals(Run.STALL)).toList(), mode.name());
        }
        assertTrue(Plan.runs(Mode.SMOKE, Set.of(), Set.of()).stream().noneMatch(r -> r.scenario().equals(Run.STALL)),
            "a smoke run of everything leaves it out");
        assertEquals(BOTH, Plan.runs(Mode.SMOKE, Set.of(Run.STALL), Set.of()), "unless it is asked for");
        assertEquals(BOTH, Plan.runs(Mode.QUICK, Set.of(Run.STALL), Set.of()), "nothing else when selected");
    }

    @Test
    void roundsAlternateWhichVariantGoesFirst()
    {
        final List<Round> schedule = Plan.schedule(Plan.runs(Mode.FULL, Set.of(Run.STALL), Set.of()), 2);
        assertEquals(BOTH, schedule.get(0).runs());
        assertEquals(List.of(BOTH.get(1), BOTH.get(0)), schedule.get(1).runs());
    }

    @Test
    void theStoppedPublisherHaltsInAStepAfterItsSkipAndIsReleasedByAFile()
    {
        assertEquals(List.of("-Dshmbus.faultPoints=inStep", "-Dshmbus.faultPoints.skip=300",
            "-Dshmbus.faultPoints.release=" + Path.of("run", "release")),
            StallRunner.faultFlags(Mode.QUICK, Path.of("run", "release")));
        assertTrue(StallRunner.faultSkip(Mode.FULL) > StallRunner.faultSkip(Mode.QUICK));
        assertEquals(1_500, StallRunner.warmupMs(Mode.FULL));
        assertEquals(4_000, StallRunner.measureMs(Mode.FULL));
        assertEquals(500, StallRunner.warmupMs(Mode.QUICK), "at least half a second of warm-up");
        assertEquals(1_000, StallRunner.measureMs(Mode.SMOKE));
    }

    private static Map<String, String> publisher(final int source, final long messages, final long total)
    {
        return Map.of("source", "" + source, "messages", "" + messages, "total", "" + total, "refused", "10",
            "wallNs", "1000000000");
    }

    private static Map<String, String> subscriber(final long[] totals, final long measured, final long errors)
    {
        final Map<String, String> s = new HashMap<>();
        s.put("errors", "" + errors);
        s.put("measured", "" + measured);
        s.put("measuredNs", "2000000000");
        for (int i = 0; i < totals.length; i++)
        {
            s.put("received" + i, "" + (totals[i] + 1));
            s.put("last" + i, "" + totals[i]);
        }
        return s;
    }

    private static final long[] TOTALS = {1_500, 2_500, 3_500, 700};
    private static final List<Map<String, String>> PUBLISHERS = List.of(publisher(0, 1_000, TOTALS[0]),
        publisher(1, 2_000, TOTALS[1]), publisher(2, 3_000, TOTALS[2]), publisher(3, 500, TOTALS[3]));
    private static final Map<String, String> JOINER = Map.of("joins", "40", "failedJoins", "0", "maxJoinNs", "2500000",
        "takeoversBefore", "5", "takeoversAfter", "12", "firstFailure", "none");

    @Test
    void ratesAreTheFirstThreePublishersAndTheSlowestSubscriber()
    {
        final StallFigures f = StallFigures.of(PUBLISHERS,
            List.of(subscriber(TOTALS, 6_000, 0), subscriber(TOTALS, 5_000, 0)), JOINER);
        assertEquals(6_000, f.publishedMsgsPerSec(), "publisher 4 is not counted");
        assertEquals(List.of(1_000L, 2_000L, 3_000L), f.perPublisher());
        assertEquals(2_500, f.receivedMsgsPerSec(), "the slowest subscriber: 5000 over 2 s");
        assertEquals(6_000, f.measured());
        assertEquals(30, f.refused());
        assertEquals(7, f.takeovers(), "during the window");
        assertEquals(12, f.takeoversTotal());
        assertEquals(40, f.joins());
        assertEquals(0, f.failedJoins());
        assertTrue(f.clean());
        final Map<String, Object> row = new HashMap<>();
        f.put(row);
        assertEquals(6_000L, row.get("msgsPerSec"));
        assertEquals(2_500_000L, row.get("maxJoinNs"));
        assertFalse(row.containsKey("firstFailedJoin"));
    }

    @Test
    void aMissingMessageOrAnErrorIsNotClean()
    {
        final long[] short4 = TOTALS.clone();
        short4[3]--; // one of publisher 4's messages never arrived at one subscriber
        assertFalse(StallFigures.of(PUBLISHERS, List.of(subscriber(TOTALS, 1, 0), subscriber(short4, 1, 0)),
            JOINER).clean());
        final StallFigures misread = StallFigures.of(PUBLISHERS, List.of(subscriber(TOTALS, 1, 2)), JOINER);
        assertEquals(2, misread.errors());
        assertFalse(misread.clean());
    }

    @Test
    void aWindowWithoutASuccessfulJoinCountsAsAFailure()
    {
        final Map<String, String> none = new HashMap<>(JOINER);
        none.put("joins", "0");
        assertEquals(1, StallFigures.of(PUBLISHERS, List.of(subscriber(TOTALS, 1, 0)), none).failedJoins());
        none.put("failedJoins", "3");
        none.put("firstFailure", "io.shmbus.BusException:_x");
        final StallFigures failed = StallFigures.of(PUBLISHERS, List.of(subscriber(TOTALS, 1, 0)), none);
        assertEquals(4, failed.failedJoins());
        final Map<String, Object> row = new HashMap<>();
        failed.put(row);
        assertEquals("io.shmbus.BusException:_x", row.get("firstFailedJoin"));
    }
}
