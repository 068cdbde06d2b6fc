package io.shmbus.bench.report;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stall scenario's ratio (stopped over none within each round), its two goals and its part of summary.md, on
 * made-up rows.
 */
class StallReportTest
{
    private static Map<String, Object> row(
        final String transport, final int round, final long rate, final long failedJoins, final boolean quick)
    {
        final Map<String, Object> row = new LinkedHashMap<>();
        row.put("round", (long)round);
        row.put("scenario", "stall");
        row.put("transport", transport);
        row.put("label", transport);
        row.put("sizeBytes", 32L);
        row.put("msgsPerSec", rate);
        row.put("receivedMsgsPerSec", rate - 10);
        row.put("joins", 50L);
        row.put("failedJoins", failedJoins);
        row.put("maxJoinNs", 3_000_000L);
        row.put("takeovers", transport.endsWith("stopped") ? 9L : 0L);
        row.put("haltedAfterMs", transport.endsWith("stopped") ? 700L : null);
        row.put("sequenceErrors", 0L);
        if (quick)
        {
            row.put("notAVerdict", true);
            row.put("notAVerdictReason", "quick mode: 500 ms windows");
        }
        row.put("error", null);
        return row;
    }

    /** Three rounds; the machine is twice as slow in round 2, for both variants; round 3 misses the ratio. */
    private static List<Map<String, Object>> rows(final long failedJoinsInRound2, final boolean quick)
    {
        final List<Map<String, Object>> rows = new ArrayList<>();
        final long[] none = {1_000_000, 500_000, 1_000_000};
        final long[] stopped = {900_000, 450_000, 700_000};
        for (int r = 1; r <= 3; r++)
        {
            rows.add(row("stall-none", r, none[r - 1], 0, quick));
            rows.add(row("stall-stopped", r, stopped[r - 1], r == 2 ? failedJoinsInRound2 : 0, quick));
        }
        Rounds.putRatios(rows);
        return rows;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> goal(final List<Map<String, Object>> goals, final String start)
    {
        return goals.stream().filter(g -> String.valueOf(g.get("goal")).startsWith(start)).findFirst().orElseThrow();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theRatioIsTakenWithinEachRound()
    {
        final List<Map<String, Object>> rows = rows(0, false);
        assertEquals(0.9, ((Map<String, Object>)rows.get(1).get("ratios")).get(Rounds.RATE_VS_NO_STOP));
        assertEquals(0.9, ((Map<String, Object>)rows.get(3).get("ratios")).get(Rounds.RATE_VS_NO_STOP),
            "the slow round's ratio is the same");
        assertEquals(0.7, ((Map<String, Object>)rows.get(5).get("ratios")).get(Rounds.RATE_VS_NO_STOP));
        assertTrue(((Map<String, Object>)rows.get(0).get("ratios")).isEmpty(), "none is the reference, no ratio");
    }

    @Test
    void goalsOnTheMedianAndEveryJoin()
    {
        final List<Map<String, Object>> goals = Goals.evaluate(rows(0, false), false);
        final Map<String, Object> ratio = goal(goals, "stall: with one");
        assertEquals(0.9, ratio.get("median"));
        assertEquals(Boolean.TRUE, ratio.get("met"));
        assertEquals("met (not in every round)", ratio.get("status"));
        final Map<String, Object> joins = goal(goals, "stall: every join");
        assertEquals(Boolean.TRUE, joins.get("met"));
        assertEquals("met", joins.get("status"));

        final Map<String, Object> failed = goal(Goals.evaluate(rows(2, false), false), "stall: every join");
        assertEquals(0.0, failed.get("median"), "the median of 0, 2, 0");
        assertEquals("met (not in every round)", failed.get("status"), "a failed join in one round shows");
    }

    @Test
    void quickRowsAreNotAVerdict()
    {
        final List<Map<String, Object>> goals = Goals.evaluate(rows(0, true), false);
        assertTrue(String.valueOf(goal(goals, "stall: with one").get("status"))
            .endsWith("; not a verdict (quick mode: 500 ms windows)"));
    }

    @Test
    void summaryShowsBothVariantsAndEachRound()
    {
        final List<Map<String, Object>> rows = rows(0, true);
        final Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("mode", "quick");
        summary.put("rows", rows);
        final StringBuilder sb = new StringBuilder();
        StallMarkdown.render(sb, summary, Rounds.aggregate(rows));
        final String md = sb.toString();
        assertTrue(md.contains("## Stall: one of 4 shared publishers stopped inside a cleaning round"), md);
        assertTrue(md.contains("**Not a verdict:** quick mode"), md);
        assertTrue(md.contains("| stall-stopped | 700.0 k (450.0-900.0) |"), md);
        assertTrue(md.contains("| 0.90x (0.70-0.90) |"), md);
        assertTrue(md.contains("| 3 | 1.00 M | 700.0 k | 0.70x |"), md);
        assertFalse(md.contains("null"), md);
        final String line = SummaryMarkdown.oneLine(rows.get(1));
        assertTrue(line.startsWith("publishers 1-3 "), line);
    }
}
