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
 * The cross-host figures on made-up rows: the ratios to raw Aeron UDP and the differences of the round trips
 * are taken within a round, the goals (within 1.1x, within 1 µs, at least 0.8x, under 1 B/msg) say met or
 * missed on their medians, rows measured in short windows make their goals no verdict, and summary.md shows
 * the three transports side by side.
 */
class NetworkReportTest
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

    /** Two rounds; the machine is twice as slow in round 2, for every transport. */
    private static List<Map<String, Object>> rows(final boolean shortWindows)
    {
        final List<Map<String, Object>> rows = new ArrayList<>();
        for (int r = 1; r <= 2; r++)
        {
            final long d = r;
            rows.add(row("udp-round-trip", "aeron-udp", 32, r, "p50Ns", 20_000 * d, "p99Ns", 50_000 * d));
            rows.add(row("udp-round-trip", "shmbus-aeron-udp", 32, r, "p50Ns", 20_000 * d + 400, "p99Ns", 49_000 * d));
            rows.add(row("udp-round-trip", "shmbus-bridge-udp", 32, r, "p50Ns", 90_000 * d, "p99Ns", 300_000 * d));
            rows.add(row("udp-throughput-1to1", "aeron-udp", 32, r, "msgsPerSec", 1_000_000 / d,
                "senderAllocBytesPerMsg", 0.0, "receiverAllocBytesPerMsg", 0.0));
            rows.add(row("udp-throughput-1to1", "shmbus-aeron-udp", 32, r, "msgsPerSec", 950_000 / d,
                "senderAllocBytesPerMsg", 0.001, "receiverAllocBytesPerMsg", 0.002));
            rows.add(row("udp-throughput-1to1", "shmbus-bridge-udp", 32, r, "msgsPerSec", 700_000 / d,
                "senderAllocBytesPerMsg", 0.01, "receiverAllocBytesPerMsg", 0.0, "bridgeOutAllocBytesPerMsg", 0.02,
                "bridgeInAllocBytesPerMsg", 24.0));
        }
        if (shortWindows)
        {
            rows.forEach(r ->
            {
                r.put("notAVerdict", true);
                r.put("notAVerdictReason", "quick mode: 500 ms windows");
            });
        }
        Rounds.putRatios(rows);
        return rows;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> ratios(final Map<String, Object> row)
    {
        return (Map<String, Object>)row.get("ratios");
    }

    private static Map<String, Object> find(final List<Map<String, Object>> rows, final String scenario,
        final String transport, final int round)
    {
        return rows.stream().filter(r -> scenario.equals(r.get("scenario")) && transport.equals(r.get("transport")) &&
            ((Long)r.get("round")) == round).findFirst().orElseThrow();
    }

    private static Map<String, Object> goal(final List<Map<String, Object>> goals, final String start)
    {
        return goals.stream().filter(g -> String.valueOf(g.get("goal")).startsWith(start)).findFirst().orElseThrow();
    }

    @Test
    void ratiosAndDifferencesAreTakenAgainstRawAeronUdpOfTheSameRound()
    {
        final List<Map<String, Object>> rows = rows(false);
        for (int r = 1; r <= 2; r++)
        {
            final Map<String, Object> shmbus = find(rows, "udp-throughput-1to1", "shmbus-aeron-udp", r);
            assertEquals(0.95, (Double)ratios(shmbus).get(Rounds.RATE_VS_AERON_UDP), 1e-9, "round " + r);
            final Map<String, Object> bridge = find(rows, "udp-throughput-1to1", "shmbus-bridge-udp", r);
            assertEquals(0.7, (Double)ratios(bridge).get(Rounds.RATE_VS_AERON_UDP), 1e-9);
            final Map<String, Object> rtt = find(rows, "udp-round-trip", "shmbus-aeron-udp", r);
            assertEquals(400L, rtt.get(NetworkFigures.P50_OVER_AERON_UDP), "the drift does not move the difference");
            assertEquals(-1_000L * r, rtt.get(NetworkFigures.P99_OVER_AERON_UDP));
            final Map<String, Object> raw = find(rows, "udp-round-trip", "aeron-udp", r);
            assertEquals(1.0, (Double)ratios(raw).get(Rounds.P50_VS_AERON_UDP));
            assertNull(find(rows, "udp-round-trip", "aeron-udp", r).get(NetworkFigures.P50_OVER_AERON_UDP),
                "no difference of the reference to itself");
        }
    }

    @Test
    void aFailedReferenceLeavesItsRoundWithoutTheDifference()
    {
        final List<Map<String, Object>> rows = rows(false);
        find(rows, "udp-round-trip", "aeron-udp", 2).put("error", "no READY within 60000 ms");
        rows.forEach(r -> r.remove(NetworkFigures.P50_OVER_AERON_UDP));
        Rounds.putRatios(rows);
        assertEquals(400L, find(rows, "udp-round-trip", "shmbus-aeron-udp", 1).get(NetworkFigures.P50_OVER_AERON_UDP));
        assertNull(find(rows, "udp-round-trip", "shmbus-aeron-udp", 2).get(NetworkFigures.P50_OVER_AERON_UDP));
    }

    @Test
    void theGoalsSayMetOrMissedOnTheirMedians()
    {
        final List<Map<String, Object>> goals = Goals.evaluate(rows(false), false);
        final Map<String, Object> within11 = goal(goals, "cross-host throughput (32 B): shmbus over Aeron UDP");
        assertEquals(Boolean.TRUE, within11.get("met"), within11.toString());
        assertEquals(0.95, (Double)within11.get("median"), 1e-9);
        assertEquals("met", within11.get("status"));
        final Map<String, Object> within1us = goal(goals, "cross-host round trip p50 (32 B)");
        assertEquals(Boolean.TRUE, within1us.get("met"));
        assertEquals(400.0, (Double)within1us.get("median"));
        final Map<String, Object> bridged = goal(goals, "cross-host throughput (32 B): bridged path");
        assertEquals(Boolean.FALSE, bridged.get("met"), "0.7x is below 0.8x");
        final Map<String, Object> allocation = goal(goals, "0 B allocated per message across hosts: under 1 B/msg " +
            "(bridged");
        assertEquals(Boolean.FALSE, allocation.get("met"), "the bridge's in side allocates 24 B/msg here");
        assertEquals(24.0, (Double)allocation.get("median"));
        assertEquals("not measured", goal(goals, "cross-host throughput (256 B): shmbus").get("status"));
    }

    @Test
    void rowsMeasuredInShortWindowsMakeTheirGoalsNoVerdict()
    {
        final List<Map<String, Object>> goals = Goals.evaluate(rows(true), false);
        final Map<String, Object> g = goal(goals, "cross-host throughput (32 B): shmbus over Aeron UDP");
        assertEquals("met; not a verdict (quick mode: 500 ms windows)", g.get("status"));
        assertEquals("met; not a verdict", goal(Goals.evaluate(rows(true), true),
            "cross-host throughput (32 B): shmbus over Aeron UDP").get("status"), "the load check says it once");
        assertFalse(String.valueOf(goal(goals, "round trip p50 (32 B, busy spin) at most Aeron")
            .get("status")).contains("verdict"), "other goals are not touched");
    }

    @Test
    void theSummaryShowsTheThreeTransportsSideBySide()
    {
        final List<Map<String, Object>> rows = rows(true);
        final Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("mode", "quick");
        summary.put("machine", Map.of());
        summary.put("rows", rows);
        summary.put("aggregates", Rounds.aggregate(rows));
        summary.put("goals", Goals.evaluate(rows, false));
        final String md = SummaryMarkdown.render(summary);
        assertTrue(md.contains("## Across two network namespaces over Aeron UDP"), md);
        assertTrue(md.contains("> **Not a verdict:** quick mode"), md);
        assertTrue(md.contains("| shmbus-aeron-udp | 32 B | 30.4 µs (20.4-40.4) | 73.5 µs (49.0-98.0) | 400 ns | " +
            "-1500 ns (-2000--1000) | 712.5 k (475.0-950.0) | 0.95x | 0.001, 0.002 |  | 2, 2 |"), md);
        assertTrue(md.contains("| 0.02, 24 | 2, 2 |"), "the bridge's allocation: " + md);
        assertTrue(md.contains("## Round trip across two network namespaces over Aeron UDP"), md);
        assertTrue(md.contains("/ raw Aeron UDP"), md);
        assertTrue(md.contains("**missed; not a verdict (quick mode: 500 ms windows)**"), md);
    }
}
