package io.shmbus.bench;

import io.shmbus.bench.harness.Bench;
import io.shmbus.bench.harness.Mode;
import io.shmbus.bench.harness.Run;
import io.shmbus.bench.harness.TradingSettings;
import io.shmbus.bench.report.Json;
import io.shmbus.bench.report.Rounds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trading scenario end to end in smoke mode (4,000 quotes at 2,000/s, two strategies, one round): a
 * feed, two strategies and a gateway JVM over shmbus, then over Aeron IPC; every message checked, both rows
 * without error, the ratios and the goals present, nothing left behind; then a feed that loses one quote and
sends another twice, which must fail the run. Nothing here depends on speed.
 */
class TradingSmokeTest
{
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    @SuppressWarnings("unchecked")
    void bothTransportsRunThePipelineAndEveryMessageIsChecked(@TempDir final Path out) throws Exception
    {
        final Bench bench = new Bench(Mode.SMOKE, out, Path.of("/dev/shm"), System.getProperty("java.class.path"));
        bench.loadSource(() -> "0.00 0.01 0.02 1/200 4242");
        final boolean ok = bench.run(Set.of(Run.TRADING), Set.of(), true, false);

        final Map<String, Object> summary = (Map<String, Object>)Json.parse(Files.readString(out.resolve(
            "summary.json")));
        final List<Map<String, Object>> rows = (List<Map<String, Object>>)summary.get("rows");
        assertEquals(List.of("trading-shmbus", "trading-aeron"), rows.stream().map(r -> r.get("transport")).toList());
        for (final Map<String, Object> row : rows)
        {
            assertNull(row.get("error"), row.get("transport") + ": " + row.get("error"));
            assertEquals(0L, row.get("sequenceErrors"));
            assertEquals((long)TradingSettings.QUOTE_LENGTH, row.get("sizeBytes"));
            final long orders = (Long)row.get("orders");
            assertTrue(orders > 0 && orders == (Long)row.get("reports"), "every order answered: " + row);
            assertTrue((Long)row.get("tickToOrderCount") > 0 && (Long)row.get("tickToOrderCount") < orders,
                "orders on warm-up quotes are not measured");
            assertTrue((Long)row.get("tickToOrderP50Ns") > 0 && (Long)row.get("orderToReportP99Ns") > 0);
            assertTrue(Files.size(out.resolve((String)row.get("hgrm"))) > 0);
            assertTrue(Files.size(out.resolve((String)row.get("orderToReportHgrm"))) > 0);
        }
        final Map<String, Object> ratios = (Map<String, Object>)rows.get(0).get("ratios");
        assertTrue(ratios.containsKey(Rounds.TICK_TO_ORDER_P50_VS_AERON) &&
            ratios.containsKey(Rounds.TICK_TO_ORDER_P99_VS_AERON), "ratios taken: " + ratios);
        assertTrue(((List<Map<String, Object>>)summary.get("goals")).stream()
            .filter(g -> String.valueOf(g.get("goal")).startsWith("trading"))
            .allMatch(g -> null != g.get("median")), "both trading goals measured");
        final String md = Files.readString(out.resolve("summary.md"));
        assertTrue(md.contains("## Trading pipeline") && md.contains("smoke mode (short runs)"));
        assertTrue(ok, "both runs succeeded");
        assertFalse(Files.exists(Path.of("/dev/shm", "shmbus-bench-" + ProcessHandle.current().pid())),
            "shared-memory files removed");
        assertTrue(ProcessHandle.current().children().findAny().isEmpty(), "no child process left");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    @SuppressWarnings("unchecked")
    void aLostOrDuplicatedQuoteFailsTheRun(@TempDir final Path out) throws Exception
    {
        // The feed leaves out quote 1500 and sends quote 2500 twice: every strategy must see both.
        final Bench bench = new Bench(Mode.SMOKE, out, Path.of("/dev/shm"), System.getProperty("java.class.path"),
            List.of("-Dshmbus.bench.trading.skipQuote=1500", "-Dshmbus.bench.trading.repeatQuote=2500"));
        bench.loadSource(() -> "0.00 0.01 0.02 1/200 4242");
        assertFalse(bench.run(Set.of(Run.TRADING), Set.of("trading-shmbus"), true, false), "the run fails");

        final Map<String, Object> summary = (Map<String, Object>)Json.parse(Files.readString(out.resolve(
            "summary.json")));
        final Map<String, Object> row = ((List<Map<String, Object>>)summary.get("rows")).get(0);
        final String error = String.valueOf(row.get("error"));
        for (final String found : List.of("strategy-0 quotesLost=1", "strategy-1 quotesLost=1",
            "strategy-0 quotesDuplicated=1", "strategy-1 quotesDuplicated=1"))
        {
            assertTrue(error.contains(found), found + " in: " + error);
        }
        assertTrue(Files.readString(out.resolve("summary.md")).contains("## Failed runs"));
        assertFalse(Files.exists(Path.of("/dev/shm", "shmbus-bench-" + ProcessHandle.current().pid())),
            "shared-memory files removed");
        assertTrue(ProcessHandle.current().children().findAny().isEmpty(), "no child process left");
    }
}
