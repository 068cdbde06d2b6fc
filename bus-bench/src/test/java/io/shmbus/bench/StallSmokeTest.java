package io.shmbus.bench;

import io.shmbus.bench.harness.Bench;
import io.shmbus.bench.harness.Mode;
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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stopped variant of the stall scenario end to end in smoke mode (1 s windows, one round; the unstopped one is
 * left out to keep this short, StallReportTest checks the ratio): 4 publisher, 4 subscriber and a joiner JVM; the
 * fourth publisher halts in a round and is stopped, the others go on, joins succeed, it is continued and released,
 * and every message is checked. Nothing here depends on speed; no stopped or other child process, and no
 * shared-memory file, is left behind.
 */
class StallSmokeTest
{
    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    @SuppressWarnings("unchecked")
    void aStoppedPublisherDoesNotStopTheOthersAndEveryMessageArrives(@TempDir final Path out) throws Exception
    {
        final Bench bench = new Bench(Mode.SMOKE, out, Path.of("/dev/shm"), System.getProperty("java.class.path"));
        bench.loadSource(() -> "0.00 0.01 0.02 1/200 4242");
        final boolean ok = bench.run(Set.of(Run.STALL), Set.of(Variant.STALL_STOPPED.id()), true, false);

        final Map<String, Object> summary = (Map<String, Object>)Json.parse(Files.readString(out.resolve(
            "summary.json")));
        final List<Map<String, Object>> rows = (List<Map<String, Object>>)summary.get("rows");
        assertEquals(List.of("stall-stopped"), rows.stream().map(r -> r.get("transport")).toList());
        final Map<String, Object> row = rows.get(0);
        assertTrue(((List<Map<String, Object>>)summary.get("goals")).stream()
            .anyMatch(g -> String.valueOf(g.get("goal")).startsWith("stall: every join") && null != g.get("median")),
            "the joins' goal measured");
        assertNull(row.get("error"), String.valueOf(row.get("error")));
        assertEquals(0L, row.get("sequenceErrors"));
        assertTrue((Long)row.get("msgsPerSec") > 0 && (Long)row.get("receivedMsgsPerSec") > 0, "the others went on");
        assertTrue((Long)row.get("takeovers") > 0, "the stopped publisher's round was taken over: " + row);
        assertTrue((Long)row.get("joins") > 0, "joins: " + row);
        assertEquals(0L, row.get("failedJoins"));
        assertTrue(String.valueOf(row.get("haltedAt")).startsWith("inStep "), "halted in a step: " + row);
        assertEquals(Boolean.TRUE, row.get("notAVerdict"));
        assertTrue(Files.readString(out.resolve("summary.md")).contains("## Stall: one of 4 shared publishers"));
        assertTrue(ok, "the run succeeded");
        assertFalse(Files.exists(Path.of("/dev/shm", "shmbus-bench-" + ProcessHandle.current().pid())),
            "shared-memory files removed");
        assertTrue(ProcessHandle.current().children().findAny().isEmpty(), "no child process left");
    }
}
