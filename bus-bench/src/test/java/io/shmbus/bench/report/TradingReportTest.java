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
 * The trading scenario's ratios (shmbus over Aeron IPC within each round), their spread across rounds, its
 * two goals and its part of summary.md, on made-up rows.
 */
class TradingReportTest
{
    private static final int SIZE = 60;

    private static Map<String, Object> row(final String transport, final int round, final long p50, final long p99)
    {
        final Map<String, Object> row = new LinkedHashMap<>();
        row.put("round", (long)round);
        row.put("scenario", "trading");
        row.put("transport", transport);
        row.put("label", transport);
        row.put("sizeBytes", (long)SIZE);
        row.put("tickToOrderP50Ns", p50);
        row.put("tickToOrderP99Ns", p99);
        row.put("orderToReportP50Ns", p50 / 2);
        row.put("orderToReportP99Ns", p99 / 2);
        row.put("orders", 3000L);
        row.put("sequenceErrors", 0L);
        row.put("error", null);
        return row;
    }

    /** Three rounds; the machine is four times slower in round 2, for both transports. */
    private static List<Map<String, Object>> rows()
    {
        final List<Map<String, Object>> rows = new ArrayList<>();
        final long[] drift = {1, 4, 1};
        for (int r = 1; r <= 3; r++)
        {
            final long d = drift[r - 1];
            rows.add(row("trading-shmbus", r, 40_000 * d, 200_000 * d + (r == 3 ? 120_000 : 0)));
            rows.add(row("trading-aeron", r, 50_000 * d, 250_000 * d));
        }
        Rounds.putRatios(rows);
        return rows;
    }

    @Test
    @SuppressWarnings("unchecked")
    void ratiosAreShmbusOverAeronWithinEachRound()
    {
        final List<Map<String, Object>> rows = rows();
        for (final Map<String, Object> r : rows)
        {
            final Map<String, Object> ratios = (Map<String, Object>)r.get("ratios");
            final double expected = "trading-aeron".equals(r.get("transport")) ? 1.0 : 0.8;
            assertEquals(expected, (Double)ratios.get(Rounds.TICK_TO_ORDER_P50_VS_AERON), 1e-9, "the drift cancels");
            assertEquals(expected, (Double)ratios.get(Rounds.ORDER_TO_REPORT_P50_VS_AERON), 1e-9);
        }
        final Map<String, Object> third = rows.get(4);
        assertEquals(320_000.0 / 250_000, (Double)((Map<String, Object>)third.get("ratios"))
            .get(Rounds.TICK_TO_ORDER_P99_VS_AERON), 1e-9);

        final Map<String, Object> shmbus = Rounds.aggregate(rows).get(0);
        final Map<String, Object> p99 = (Map<String, Object>)((Map<String, Object>)shmbus.get("ratios"))
            .get(Rounds.TICK_TO_ORDER_P99_VS_AERON);
        assertEquals(0.8, (Double)p99.get("median"), 1e-9);
        assertEquals(1.28, (Double)p99.get("max"), 1e-9);
        assertEquals(3, p99.get("rounds"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aFailedAeronRoundLeavesThatRoundWithoutARatio()
    {
        final List<Map<String, Object>> rows = new ArrayList<>();
        rows.add(row("trading-shmbus", 1, 40_000, 200_000));
        final Map<String, Object> failed = row("trading-aeron", 1, 50_000, 250_000);
        failed.put("error", "not every message arrived once and as sent: gateway ordersLost=1");
        rows.add(failed);
        Rounds.putRatios(rows);
        assertTrue(((Map<String, Object>)rows.get(0).get("ratios")).isEmpty());
        final Map<String, Object> goal = goal(Goals.evaluate(rows, false), "p50");
        assertEquals("not measured", goal.get("status"));
        assertNull(goal.get("met"));
    }

    private static Map<String, Object> goal(final List<Map<String, Object>> goals, final String which)
    {
        return goals.stream().filter(g -> String.valueOf(g.get("goal")).startsWith("trading tick-to-order " + which))
            .findFirst().orElseThrow();
    }

    @Test
    void goalsAreJudgedOnTheMedianRatioAndSayWhenTheyAreNoVerdict()
    {
        final List<Map<String, Object>> rows = rows();
        final List<Map<String, Object>> goals = Goals.evaluate(rows, false);
        final Map<String, Object> p50 = goal(goals, "p50");
        assertEquals(Boolean.TRUE, p50.get("met"));
        assertEquals("met", p50.get("status"));
        assertEquals("trading-shmbus", p50.get("transport"));
        assertEquals(SIZE, p50.get("sizeBytes"));
        final Map<String, Object> p99 = goal(goals, "p99");
        assertEquals("met (not in every round)", p99.get("status"), "round 3's ratio is above 1");
        assertEquals("met (not in every round); not a verdict", goal(Goals.evaluate(rows, true), "p99").get("status"));

        final List<Map<String, Object>> slower = new ArrayList<>();
        slower.add(row("trading-shmbus", 1, 60_000, 300_000));
        slower.add(row("trading-aeron", 1, 50_000, 250_000));
        Rounds.putRatios(slower);
        assertEquals(Boolean.FALSE, goal(Goals.evaluate(slower, false), "p50").get("met"));
    }

    @Test
    void theSummarySaysTheRatiosAndThatAQuickRunIsNoVerdict()
    {
        final List<Map<String, Object>> rows = rows();
        final Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("mode", "quick");
        summary.put("machine", Map.of("cpuModel", "test CPU", "cpuCores", 2L));
        summary.put("settings", Map.of("rounds", 3L, "trading", "2 strategies, 10000 quotes/s"));
        summary.put("rows", rows);
        summary.put("aggregates", Rounds.aggregate(rows));
        summary.put("goals", Goals.evaluate(rows, false));
        summary.put("notAVerdict", false);
        final String md = SummaryMarkdown.render(summary);
        assertTrue(md.contains("## Trading pipeline"), md);
        assertTrue(md.contains("quick mode (short runs)"), "a quick run is marked as no verdict");
        assertTrue(md.contains("tick to order: p50 0.80x, p99 0.80x (0.80-1.28)"), md);
        assertTrue(md.contains("| trading tick-to-order p50"), "the goal is in the goals table");
        assertTrue(md.contains("| trading-shmbus | 40.0 µs (40.0-160.0) |"), md);

        summary.put("mode", "full");
        assertFalse(SummaryMarkdown.render(summary).contains("quick mode (short runs)"));
        assertTrue(SummaryMarkdown.oneLine(rows.get(0)).startsWith("tick-to-order p50 40.0 µs p99 200.0 µs"),
            SummaryMarkdown.oneLine(rows.get(0)));
    }
}
