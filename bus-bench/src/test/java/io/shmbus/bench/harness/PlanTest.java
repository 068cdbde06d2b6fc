package io.shmbus.bench.harness;

import io.shmbus.bench.Variant;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The schedule: rounds per scenario, every run once per round, the order rotated from round to round, the
 * floor at every round-trip size; and the load check's verdict.
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
    void aLoadOverHalfACpuPerCpuAtAnyReadingIsNoVerdict()
    {
        final String[] line = {"0.90 0.50 0.40 2/100 7"};
        final LoadCheck check = new LoadCheck(() -> line[0], 2);
        assertEquals(1.0, check.limit(), 1e-12);
        assertEquals("0.90 0.50 0.40", check.read("before round 1/2 of x"));
        line[0] = "1.00 0.50 0.40 2/100 7";
        check.read("after round 1/2 of x");
        assertTrue(!check.notAVerdict(), "1.00 is at the limit, not over it");
        line[0] = "1.01 0.50 0.40 2/100 7";
        assertTrue(check.over(check.read("before round 2/2 of x")));
        line[0] = "0.10 0.10 0.10 2/100 7";
        check.read("after round 2/2 of x");
        assertTrue(check.notAVerdict());
        assertEquals("before round 2/2 of x", check.describe().get("highestAt"));
        assertTrue(check.reason().contains("1.01"), check.reason());

        final LoadCheck unreadable = new LoadCheck(() -> null, 2);
        assertEquals("unknown", unreadable.read("before round 1/1 of x"));
        assertTrue(unreadable.notAVerdict(), "an unknown load is no verdict");
    }
}
