package io.shmbus.bench;

import io.shmbus.bench.harness.Bench;
import io.shmbus.bench.harness.Mode;
import io.shmbus.bench.harness.Plan;
import io.shmbus.bench.harness.Run;
import io.shmbus.bench.report.Json;
import io.shmbus.bench.report.Rounds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the harness in smoke mode (a few thousand messages per scenario, shmbus and one peer, child JVMs
 * started from the test class path) and checks what it writes. Once over every scenario in one round:
 * summary.json parses, every planned row is there without error, its figures are present and not negative,
 * and a quiet machine gives a verdict. Then the round trips in two rounds: each round runs every transport
 * once (the floor added as the reference), the second in a rotated order, ratios are taken against the same
 * round's reference, the aggregates hold the median and range across rounds, and one load reading over the
 * limit marks the run as not a verdict. Nothing here depends on speed.
 */
class HarnessSmokeTest
{
    private static final int ROUNDS = 2;
    private static final String QUIET = "0.00 0.01 0.02 1/200 4242";
    private static final Set<String> NON_NEGATIVE = Set.of("messages", "p50Ns", "p90Ns", "p99Ns", "p999Ns", "maxNs",
        "meanNs", "msgsPerSec", "mbPerSec", "cpuCores", "senderAllocBytesPerMsg", "receiverAllocBytesPerMsg",
        "idleCpuPercentProcess", "idleCpuPercentThread", "idleCpuPercentThreadPrecise", "backPressuredOffers",
        "sequenceErrors");

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    @SuppressWarnings("unchecked")
    void smokeRunWritesEveryRow(@TempDir final Path out) throws Exception
    {
        final Bench bench = new Bench(Mode.SMOKE, out, Path.of("/dev/shm"), System.getProperty("java.class.path"));
        bench.loadSource(() -> QUIET);
        final boolean ok = bench.run(Set.of(), Set.of(), true, false);

        final Map<String, Object> summary = summary(out);
        final Map<String, Object> machine = (Map<String, Object>)summary.get("machine");
        assertNotNull(machine.get("cpuModel"));
        assertInstanceOf(Long.class, machine.get("cpuCores"));
        assertNotNull(machine.get("jdk"));
        assertNotNull(machine.get("loadAverageAtStart"));

        final List<Map<String, Object>> rows = (List<Map<String, Object>>)summary.get("rows");
        final List<Run> planned = Plan.runs(Mode.SMOKE, Set.of(), Set.of());
        assertEquals(planned.size(), rows.size(), "one row per planned run");
        for (final Run run : planned)
        {
            checkRow(out, run, row(rows, run.scenario(), run.variant().id(), run.size(), 1));
        }
        final List<Map<String, Object>> aggregates = (List<Map<String, Object>>)summary.get("aggregates");
        assertEquals(planned.size(), aggregates.size(), "an aggregate per planned run");
        aggregates.forEach(a -> assertEquals(1L, a.get("rounds"), a.get("scenario") + " " + a.get("transport")));

        assertEquals(Boolean.FALSE, summary.get("notAVerdict"), "a quiet machine gives a verdict");
        final String markdown = Files.readString(out.resolve("summary.md"));
        assertFalse(markdown.contains("ot a verdict"), "no verdict warning in summary.md");
        assertTrue(markdown.contains("## Goals"), "goals table present");
        assertTrue(((List<Map<String, Object>>)summary.get("goals")).stream().anyMatch(g -> null != g.get("met")),
            "some goals judged");
        for (final String chart : List.of("round-trip-32B-percentiles.png", "throughput-msgs.png", "fan-out-fan-in.png",
            "idle-cpu.png"))
        {
            assertTrue(Files.size(out.resolve(chart)) > 0, chart + " drawn from the medians");
        }
        assertTrue(ok, "every run succeeded");
        checkCleanedUp();
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    @SuppressWarnings("unchecked")
    void roundsRotateAndRatiosStayWithinTheirRound(@TempDir final Path out) throws Exception
    {
        final Bench bench = new Bench(Mode.SMOKE, out, Path.of("/dev/shm"), System.getProperty("java.class.path"));
        bench.rounds(ROUNDS);
        // Quiet at every reading but one: before the second round (the third reading). The high reading is
        // over the limit whatever the harness's own share (at most one per CPU).
        final AtomicInteger readings = new AtomicInteger();
        final String high = String.format(Locale.ROOT, "%.2f 0.40 0.30 3/200 4242",
            Runtime.getRuntime().availableProcessors() * 1.5 + 0.01);
        bench.loadSource(() -> readings.getAndIncrement() == 2 ? high : QUIET);
        final Set<String> scenarios = Set.of(Run.RTT);
        final Set<String> transports = Set.of("shmbus-spin", "shmbus-futex");
        final boolean ok = bench.run(scenarios, transports, true, false);

        final Map<String, Object> summary = summary(out);
        final List<Map<String, Object>> rows = (List<Map<String, Object>>)summary.get("rows");
        final List<Run> planned = Plan.runs(Mode.SMOKE, scenarios, transports);
        assertEquals(List.of("floor", "shmbus-spin", "shmbus-futex"),
            planned.stream().map(r -> r.variant().id()).toList(),
            "the floor added as the round trips' reference");
        assertEquals(planned.size() * ROUNDS, rows.size(), "one row per planned run and round");
        for (final Run run : planned)
        {
            for (int round = 1; round <= ROUNDS; round++)
            {
                checkRow(out, run, row(rows, run.scenario(), run.variant().id(), run.size(), round));
            }
        }
        checkRounds(summary, planned);
        checkRatios(rows, planned.size());
        checkAggregates(summary, planned, rows);
        checkLoad(summary, Files.readString(out.resolve("summary.md")));
        assertTrue(ok, "every run succeeded");
        checkCleanedUp();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> summary(final Path out) throws Exception
    {
        final Path json = out.resolve("summary.json");
        assertTrue(Files.isRegularFile(json), "summary.json written");
        assertTrue(Files.isRegularFile(out.resolve("summary.md")), "summary.md written");
        return (Map<String, Object>)Json.parse(Files.readString(json));
    }

    private static void checkCleanedUp()
    {
        assertFalse(Files.exists(Path.of("/dev/shm", "shmbus-bench-" + ProcessHandle.current().pid())),
            "shared-memory files removed");
        assertTrue(ProcessHandle.current().children().findAny().isEmpty(), "no child process left");
    }

    private static Map<String, Object> row(
        final List<Map<String, Object>> rows, final String scenario, final String transport, final int size,
            final int round)
    {
        return rows.stream()
            .filter(r -> scenario.equals(r.get("scenario")) && transport.equals(r.get("transport")) &&
                ((Number)r.get("sizeBytes")).intValue() == size && ((Number)r.get("round")).intValue() == round)
            .findFirst().orElseThrow(() -> new AssertionError("no row for " + scenario + " " + transport + " " + size +
                " B round " + round));
    }

    private static void checkRow(final Path out, final Run run, final Map<String, Object> row)
    {
        assertNull(row.get("error"), run.key() + " failed: " + row.get("error"));
        for (final String key : NON_NEGATIVE)
        {
            final Object value = row.get(key);
            if (null != value)
            {
                assertTrue(((Number)value).doubleValue() >= 0, run.key() + ": " + key + " = " + value);
            }
        }
        switch (run.scenario())
        {
            case Run.RTT ->
            {
                assertTrue(((Number)row.get("messages")).longValue() > 0, run.key() + " measured round trips");
                assertNotNull(row.get("p50Ns"), run.key());
                assertNotNull(row.get("p999Ns"), run.key());
                assertTrue(Files.isRegularFile(out.resolve((String)row.get("hgrm"))), run.key() + " .hgrm");
            }
            case Run.IDLE -> assertNotNull(row.get("idleCpuPercentProcess"), run.key());
            default ->
            {
                assertTrue(((Number)row.get("messages")).longValue() > 0, run.key() + " measured messages");
                assertNotNull(row.get("msgsPerSec"), run.key());
                assertEquals(0L, row.get("sequenceErrors"), run.key() + " delivered in order, nothing lost");
            }
        }
    }

    /**
     * One round log per scenario and round, in execution order, each running every planned transport once,
     * the second in the first's order rotated by one.
     */
    @SuppressWarnings("unchecked")
    private static void checkRounds(final Map<String, Object> summary, final List<Run> planned)
    {
        assertEquals((long)ROUNDS, ((Map<String, Object>)summary.get("settings")).get("rounds"));
        final List<Map<String, Object>> rounds = (List<Map<String, Object>>)summary.get("rounds");
        final List<String> scenarios = planned.stream().map(Run::scenario).distinct().toList();
        assertEquals(scenarios.size() * ROUNDS, rounds.size(), "a round log per scenario and round");
        for (int i = 0; i < rounds.size(); i++)
        {
            final Map<String, Object> r = rounds.get(i);
            final String scenario = scenarios.get(i / ROUNDS);
            assertEquals(scenario, r.get("scenario"));
            assertEquals((long)(i % ROUNDS + 1), r.get("round"));
            assertNotNull(r.get("loadBefore"), scenario);
            assertNotNull(r.get("loadAfter"), scenario);
            final List<String> order = (List<String>)r.get("order");
            final List<String> expected = planned.stream().filter(p -> p.scenario().equals(scenario))
                .map(p -> p.variant().id() + "@" + p.size()).toList();
            final List<String> rotated = new ArrayList<>(expected);
            Collections.rotate(rotated, -(i % ROUNDS));
            assertEquals(rotated, order, scenario + " round " + r.get("round") + " order");
        }
    }

    /**
     * Every round-trip row carries its ratio to the floor of its own round, and the shmbus rows their ratio to
     * busy spin of their own round.
     */
    @SuppressWarnings("unchecked")
    private static void checkRatios(final List<Map<String, Object>> rows, final int runsPerRound)
    {
        int checked = 0;
        for (final Map<String, Object> row : rows)
        {
            if (!Run.RTT.equals(row.get("scenario")))
            {
                continue;
            }
            final int round = ((Number)row.get("round")).intValue();
            final int size = ((Number)row.get("sizeBytes")).intValue();
            final Map<String, Object> ratios = (Map<String, Object>)row.get("ratios");
            final double floor = ((Number)row(rows, Run.RTT, "floor", size, round).get("p50Ns")).doubleValue();
            assertEquals(((Number)row.get("p50Ns")).doubleValue() / floor, (Double)ratios.get(Rounds.P50_VS_FLOOR),
                1e-9,
                row.get("transport") + " round " + round + " p50 / floor of the same round");
            if (String.valueOf(row.get("transport")).startsWith("shmbus-"))
            {
                final double spin = ((Number)row(rows, Run.RTT, "shmbus-spin", size, round).get("p50Ns")).doubleValue();
                assertEquals(((Number)row.get("p50Ns")).doubleValue() / spin,
                    (Double)ratios.get(Rounds.P50_VS_BUSY_SPIN),
                    1e-9, row.get("transport") + " round " + round + " p50 / busy spin of the same round");
            }
            assertNull(ratios.get(Rounds.P50_VS_AERON), "no Aeron row in smoke mode, so no ratio to it");
            checked++;
        }
        assertEquals(runsPerRound * ROUNDS, checked, "round-trip rows checked");
    }

    /**
     * One aggregate per planned run: both rounds, the median (the mean of two) and the range of the rows.
     */
    @SuppressWarnings("unchecked")
    private static void checkAggregates(
        final Map<String, Object> summary, final List<Run> planned, final List<Map<String, Object>> rows)
    {
        final List<Map<String, Object>> aggregates = (List<Map<String, Object>>)summary.get("aggregates");
        assertEquals(planned.size(), aggregates.size(), "an aggregate per planned run");
        for (final Map<String, Object> a : aggregates)
        {
            final String what = a.get("scenario") + " " + a.get("transport");
            assertEquals((long)ROUNDS, a.get("rounds"), what);
            assertEquals(0L, a.get("failedRounds"), what);
            final String key = "p50Ns";
            final String scenario = (String)a.get("scenario");
            final String transport = (String)a.get("transport");
            final double one = ((Number)row(rows, scenario, transport, 32, 1).get(key)).doubleValue();
            final double two = ((Number)row(rows, scenario, transport, 32, 2).get(key)).doubleValue();
            assertEquals((one + two) / 2, ((Number)((Map<String, Object>)a.get("median")).get(key)).doubleValue(), 1e-6,
                what);
            assertEquals(Math.min(one, two), ((Number)((Map<String, Object>)a.get("min")).get(key)).doubleValue(), 1e-9,
                what);
            assertEquals(Math.max(one, two), ((Number)((Map<String, Object>)a.get("max")).get(key)).doubleValue(), 1e-9,
                what);
            if (Run.RTT.equals(a.get("scenario")))
            {
                final Map<String, Object> floorRatio =
                    (Map<String, Object>)((Map<String, Object>)a.get("ratios")).get(Rounds.P50_VS_FLOOR);
                assertEquals((long)ROUNDS, floorRatio.get("rounds"), what + " ratio to the floor in each round");
                assertNotNull(a.get("hgrm"), what + " histogram of the median round");
            }
        }
        final Map<String, Object> goal = ((List<Map<String, Object>>)summary.get("goals")).stream()
            .filter(g -> Rounds.P50_VS_FLOOR.equals(g.get("measure"))).findFirst().orElseThrow();
        final Map<String, Object> perRound = (Map<String, Object>)goal.get("perRound");
        assertEquals(ROUNDS, perRound.size(), "the floor goal has a value per round");
        for (int round = 1; round <= ROUNDS; round++)
        {
            assertEquals(((Map<String, Object>)row(rows, Run.RTT, "shmbus-spin", 32, round).get("ratios"))
                .get(Rounds.P50_VS_FLOOR), perRound.get(Integer.toString(round)), "goal value of round " + round);
        }
    }

    /**
     * The one reading over the limit makes the whole run no verdict, in summary.json and at the top of
     * summary.md and in its goals table.
     */
    @SuppressWarnings("unchecked")
    private static void checkLoad(final Map<String, Object> summary, final String markdown)
    {
        assertEquals(Boolean.TRUE, summary.get("notAVerdict"));
        final Map<String, Object> load = (Map<String, Object>)summary.get("loadCheck");
        assertEquals("before round 2/2 of " + Run.RTT, load.get("highestAt"));
        assertEquals(2L * ROUNDS, (long)((List<Object>)load.get("readings")).size(),
            "a reading before and after each round");
        final List<Map<String, Object>> rounds = (List<Map<String, Object>>)summary.get("rounds");
        assertEquals(List.of(false, true), rounds.stream().map(r -> r.get("overLimit")).toList(),
            "the second round over the limit");
        final int firstSection = markdown.indexOf("\n## ");
        assertTrue(markdown.indexOf("Not a verdict") >= 0 && markdown.indexOf("Not a verdict") < firstSection,
            "flagged at the top of summary.md");
        final int goals = markdown.indexOf("## Goals");
        assertTrue(goals > 0, "goals table present");
        assertTrue(markdown.indexOf("not a verdict", goals) > goals, "flagged in the goals table");
        for (final Map<String, Object> g : (List<Map<String, Object>>)summary.get("goals"))
        {
            if (null != g.get("median"))
            {
                assertTrue(String.valueOf(g.get("status")).endsWith("not a verdict"), g.get("goal") + ": " +
                    g.get("status"));
            }
        }
    }
}
