package io.shmbus.bench.report;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ratios within rounds, their medians and ranges across rounds, the goals and their rendering, on made-up
 * rows (no child JVM): a machine that runs three times slower in one round must not move a ratio, and a
 * reference that failed in a round leaves that round without the ratio.
 */
class RoundsTest
{
    private static Map<String, Object> row(
        final String scenario, final String transport, final int size, final int round, final Object... figures)
    {
        final Map<String, Object> row = new LinkedHashMap<>();
        row.put("round", (long)round);
        row.put("scenario", scenario);
        row.put("transport", transport);
        row.put("label", transport);
        row.put("sizeBytes", (long)size);
        for (int i = 0; i < figures.length; i += 2)
        {
            row.put((String)figures[i], figures[i + 1]);
        }
        row.putIfAbsent("error", null);
        return row;
    }

    /** Three rounds of round trips; round 2 is three times slower for every transport. */
    private static List<Map<String, Object>> roundTrips()
    {
        final List<Map<String, Object>> rows = new ArrayList<>();
        final long[] drift = {1, 3, 1};
        final long[] spin = {210, 660, 190};
        for (int r = 1; r <= 3; r++)
        {
            final long d = drift[r - 1];
            rows.add(row("round-trip", "floor", 32, r, "p50Ns", 200 * d, "p99Ns", 300 * d));
            rows.add(row("round-trip", "shmbus-spin", 32, r, "p50Ns", spin[r - 1], "p99Ns", 400 * d));
            rows.add(row("round-trip", "shmbus-spin-futex", 32, r, "p50Ns", spin[r - 1] + 10 * d, "p99Ns", 400 * d));
            rows.add(row("round-trip", "aeron", 32, r, "p50Ns", 200 * d, "p99Ns", 40_000 * d));
        }
        return rows;
    }

    @Test
    @SuppressWarnings("unchecked")
    void ratiosAreTakenWithinEachRound()
    {
        final List<Map<String, Object>> rows = roundTrips();
        Rounds.putRatios(rows);
        final double[] expected = {210 / 200.0, 660 / 600.0, 190 / 200.0};
        for (final Map<String, Object> row : rows)
        {
            final Map<String, Object> ratios = (Map<String, Object>)row.get("ratios");
            final int round = ((Number)row.get("round")).intValue();
            if ("shmbus-spin".equals(row.get("transport")))
            {
                assertEquals(expected[round - 1], (Double)ratios.get(Rounds.P50_VS_FLOOR), 1e-12, "round " + round);
                assertEquals(0.01, (Double)ratios.get(Rounds.P99_VS_AERON), 1e-12, "round " + round);
                assertEquals(1.0, (Double)ratios.get(Rounds.P50_VS_BUSY_SPIN), 1e-12);
            }
            if ("floor".equals(row.get("transport")))
            {
                assertEquals(1.0, (Double)ratios.get(Rounds.P50_VS_FLOOR), 1e-12);
                assertFalse(ratios.containsKey(Rounds.P50_VS_BUSY_SPIN), "busy-spin ratios only for shmbus rows");
            }
        }

        final Map<String, Object> spin = Rounds.aggregate(rows).stream()
            .filter(e -> "shmbus-spin".equals(e.get("transport"))).findFirst().orElseThrow();
        final Map<String, Object> floorRatio = (Map<String, Object>)((Map<String, Object>)spin.get("ratios"))
            .get(Rounds.P50_VS_FLOOR);
        assertEquals(1.05, (Double)floorRatio.get("median"), 1e-12, "median of 0.95, 1.05 and 1.10");
        assertEquals(0.95, (Double)floorRatio.get("min"), 1e-12);
        assertEquals(1.10, (Double)floorRatio.get("max"), 1e-12);
        assertEquals(3, ((Number)floorRatio.get("rounds")).intValue());
        assertEquals(210.0, ((Number)((Map<String, Object>)spin.get("median")).get("p50Ns")).doubleValue(), 1e-12);
        assertEquals(190.0, ((Number)((Map<String, Object>)spin.get("min")).get("p50Ns")).doubleValue(), 1e-12);
        assertEquals(660.0, ((Number)((Map<String, Object>)spin.get("max")).get("p50Ns")).doubleValue(), 1e-12);
        assertFalse(((Map<String, Object>)spin.get("median")).containsKey("round"), "the round is not a figure");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aFailedReferenceLeavesItsRoundWithoutTheRatio()
    {
        final List<Map<String, Object>> rows = new ArrayList<>();
        rows.add(row("throughput-1to1", "shmbus-exclusive", 32, 1, "msgsPerSec", 30e6));
        rows.add(row("throughput-1to1", "aeron-exclusive", 32, 1, "msgsPerSec", 20e6));
        rows.add(row("throughput-1to1", "shmbus-exclusive", 32, 2, "msgsPerSec", 40e6));
        rows.add(row("throughput-1to1", "aeron-exclusive", 32, 2, "error", "timed out"));
        rows.add(row("throughput-1to1", "shmbus-exclusive", 256, 1, "msgsPerSec", 5e6));
        rows.add(row("fan-in-3to1", "shmbus-shared", 32, 1, "msgsPerSec", 9e6));
        rows.add(row("fan-in-3to1", "aeron-concurrent", 32, 1, "msgsPerSec", 18e6));
        Rounds.putRatios(rows);
        assertEquals(1.5, (Double)((Map<String, Object>)rows.get(0).get("ratios")).get(Rounds.RATE_VS_AERON_EXCLUSIVE), 1e-12);
        assertTrue(((Map<String, Object>)rows.get(2).get("ratios")).isEmpty(), "no reference in round 2");
        assertTrue(((Map<String, Object>)rows.get(4).get("ratios")).isEmpty(), "no reference at 256 B");
        assertEquals(0.5, (Double)((Map<String, Object>)rows.get(5).get("ratios")).get(Rounds.RATE_VS_AERON_CONCURRENT), 1e-12);

        final List<Map<String, Object>> entries = Rounds.aggregate(rows);
        final Map<String, Object> aeron = entries.get(1);
        assertEquals(2L, ((Number)aeron.get("rounds")).longValue());
        assertEquals(1L, ((Number)aeron.get("failedRounds")).longValue());
        assertEquals(20e6, ((Number)((Map<String, Object>)aeron.get("median")).get("msgsPerSec")).doubleValue(), 1e-6);
        final Map<String, Object> rate = (Map<String, Object>)((Map<String, Object>)entries.get(0).get("ratios"))
            .get(Rounds.RATE_VS_AERON_EXCLUSIVE);
        assertEquals(1, ((Number)rate.get("rounds")).intValue(), "one round has the ratio");
        assertEquals(35e6, ((Number)((Map<String, Object>)entries.get(0).get("median")).get("msgsPerSec")).doubleValue(),
            1e-6, "the median of two rounds is their mean");

        final List<Map<String, Object>> goals = Goals.evaluate(rows, false);
        final Map<String, Object> small = goal(goals, "throughput-1to1", 32);
        assertEquals(Boolean.TRUE, small.get("met"), "1.5x meets 'at least 1.5x'");
        assertEquals("met", small.get("status"));
        final Map<String, Object> fanIn = goal(goals, "fan-in-3to1", 32);
        assertEquals(Boolean.FALSE, fanIn.get("met"));
        final Map<String, Object> large = goal(goals, "throughput-1to1", 256);
        assertNull(large.get("met"));
        assertEquals("not measured", large.get("status"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void goalsJudgeTheMedianAndSayWhenRoundsDisagree()
    {
        final List<Map<String, Object>> rows = roundTrips();
        for (int r = 1; r <= 3; r++)
        {
            rows.add(row("allocation", "shmbus-exclusive", 32, r, "senderAllocBytesPerMsg", 0.01,
                "receiverAllocBytesPerMsg", r == 2 ? 24.0 : 0.0));
            rows.add(row("idle-cpu", "shmbus-spin-futex", 32, r, "idleCpuPercentProcess", 0.2 * r));
        }
        Rounds.putRatios(rows);
        final List<Map<String, Object>> goals = Goals.evaluate(rows, false);

        final Map<String, Object> floor = goals.stream().filter(g -> Rounds.P50_VS_FLOOR.equals(g.get("measure")))
            .findFirst().orElseThrow();
        assertEquals(Boolean.TRUE, floor.get("met"), "median 1.05 is at most 1.05x");
        assertEquals("met (not in every round)", floor.get("status"), "round 2 was 1.10x");
        assertEquals(List.of("1", "2", "3"), new ArrayList<>(((Map<String, Object>)floor.get("perRound")).keySet()));

        final Map<String, Object> p99 = goals.stream().filter(g -> Rounds.P99_VS_AERON.equals(g.get("measure")))
            .findFirst().orElseThrow();
        assertEquals("met", p99.get("status"));

        final Map<String, Object> futex = goals.stream().filter(g -> Rounds.P50_VS_BUSY_SPIN.equals(g.get("measure")))
            .findFirst().orElseThrow();
        assertEquals(Boolean.TRUE, futex.get("met"), "about 1.05x busy spin");

        final Map<String, Object> alloc = goal(goals, "allocation", 32);
        assertEquals(0.01, (Double)alloc.get("median"), 1e-12, "the larger of publisher and subscriber, per round");
        assertEquals(24.0, (Double)alloc.get("max"), 1e-12);
        assertEquals("met (not in every round)", alloc.get("status"));

        final Map<String, Object> idle = goal(goals, "idle-cpu", 32);
        assertEquals(0.4, (Double)idle.get("median"), 1e-12);
        assertEquals(Boolean.TRUE, idle.get("met"));

        final List<Map<String, Object>> loaded = Goals.evaluate(rows, true);
        for (final Map<String, Object> g : loaded)
        {
            if (null != g.get("median"))
            {
                assertTrue(String.valueOf(g.get("status")).endsWith("; not a verdict"), String.valueOf(g.get("status")));
            }
        }
    }

    @Test
    void summaryMarkdownShowsMediansRangesAndTheVerdict()
    {
        final List<Map<String, Object>> rows = roundTrips();
        Rounds.putRatios(rows);
        final String quiet = SummaryMarkdown.render(summary(rows, false));
        assertFalse(quiet.contains("Not a verdict"), quiet);
        assertTrue(quiet.contains("| 1.05x (0.95-1.10) |"), "p50 / floor median and range:\n" + quiet);
        assertTrue(quiet.contains("| 210 ns (190-660) |"), "p50 median and range:\n" + quiet);
        assertTrue(quiet.contains("r1 1.05x, r2 1.10x, r3 0.95x"), "per-round goal values:\n" + quiet);

        final String loaded = SummaryMarkdown.render(summary(rows, true));
        final int firstSection = loaded.indexOf("\n## ");
        assertTrue(loaded.indexOf("Not a verdict") > 0 && loaded.indexOf("Not a verdict") < firstSection, loaded);
        final int goals = loaded.indexOf("## Goals");
        assertTrue(loaded.indexOf("Not a verdict", goals) > goals, loaded);
        assertTrue(loaded.indexOf("met (not in every round); not a verdict", goals) > goals, loaded);
    }

    private static Map<String, Object> summary(final List<Map<String, Object>> rows, final boolean notVerdict)
    {
        final Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cpuModel", "test CPU");
        machine.put("cpuCores", 2L);
        final Map<String, Object> load = new LinkedHashMap<>();
        load.put("limit1m", 1.0);
        load.put("limitPerCpu", 0.5);
        load.put("highestOthers1m", notVerdict ? 3.5 : 0.2);
        load.put("reason", notVerdict ? "the 1-minute load average reached 3.50" : null);
        final Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("mode", "test");
        summary.put("machine", machine);
        summary.put("settings", Map.of("rounds", 3L));
        summary.put("rows", rows);
        summary.put("aggregates", Rounds.aggregate(rows));
        summary.put("notAVerdict", notVerdict);
        summary.put("loadCheck", load);
        summary.put("goals", Goals.evaluate(rows, notVerdict));
        return summary;
    }

    private static Map<String, Object> goal(final List<Map<String, Object>> goals, final String scenario, final int size)
    {
        return goals.stream().filter(g -> scenario.equals(g.get("scenario")) && ((Number)g.get("sizeBytes")).intValue() == size)
            .findFirst().orElseThrow();
    }
}
