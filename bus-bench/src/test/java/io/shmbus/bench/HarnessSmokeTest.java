package io.shmbus.bench;

import io.shmbus.bench.harness.Bench;
import io.shmbus.bench.harness.Mode;
import io.shmbus.bench.harness.Plan;
import io.shmbus.bench.harness.Run;
import io.shmbus.bench.report.Json;
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
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the harness in smoke mode (a few thousand messages per scenario, shmbus and one peer, child JVMs
 * started from the test class path) and checks what it writes: summary.json parses, every planned row is
 * there without error, and its figures are present and not negative. Nothing here depends on speed.
 */
class HarnessSmokeTest
{
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
        final boolean ok = bench.run(Set.of(), Set.of(), true, false);

        final Path json = out.resolve("summary.json");
        assertTrue(Files.isRegularFile(json), "summary.json written");
        assertTrue(Files.isRegularFile(out.resolve("summary.md")), "summary.md written");
        final Map<String, Object> summary = (Map<String, Object>)Json.parse(Files.readString(json));
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
            final Map<String, Object> row = rows.stream()
                .filter(r -> run.scenario().equals(r.get("scenario")) && run.variant().id().equals(r.get("transport")) &&
                    ((Number)r.get("sizeBytes")).intValue() == run.size())
                .findFirst().orElseThrow(() -> new AssertionError("no row for " + run.key()));
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
        assertTrue(ok, "every run succeeded");
        assertFalse(Files.exists(Path.of("/dev/shm", "shmbus-bench-" + ProcessHandle.current().pid())),
            "shared-memory files removed");
        assertTrue(ProcessHandle.current().children().findAny().isEmpty(), "no child process left");
    }
}
