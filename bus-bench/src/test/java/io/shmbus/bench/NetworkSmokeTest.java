package io.shmbus.bench;

import io.shmbus.bench.harness.Bench;
import io.shmbus.bench.harness.Mode;
import io.shmbus.bench.harness.NetworkPlan;
import io.shmbus.bench.report.Json;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
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
 * One quick round of the cross-host scenarios at 32 B (about 30 s on two cores): every transport's round trip
 * and one-way run completes without a sequence error across the two namespaces, the bridge sides count what
 * they carried, the goals are judged and marked no verdict, and no namespace or veth link of this JVM is left.
 * Needs root and iproute2 (skipped otherwise). Nothing here depends on speed.
 */
class NetworkSmokeTest
{
    private static String run(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(20, TimeUnit.SECONDS);
        return output;
    }

    private static boolean iproute2()
    {
        try
        {
            final Process process = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(20, TimeUnit.SECONDS) && process.exitValue() == 0;
        }
        catch (final java.io.IOException | InterruptedException ex)
        {
            return false;
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    @SuppressWarnings("unchecked")
    void oneQuickRoundOfTheThreeTransportsAcrossTwoNamespaces(@TempDir final Path out) throws Exception
    {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces need root");
        Assumptions.assumeTrue(iproute2(), "iproute2 with network namespaces is needed");
        final Bench bench = new Bench(Mode.QUICK, out, Path.of("/dev/shm"), System.getProperty("java.class.path"));
        bench.rounds(1);
        final boolean ok = bench.run(Set.of(NetworkPlan.GROUP), Set.of(), Set.of(32), true, false);

        final Map<String, Object> summary =
            (Map<String, Object>)Json.parse(Files.readString(out.resolve("summary.json")));
        final List<Map<String, Object>> rows = (List<Map<String, Object>>)summary.get("rows");
        assertEquals(6, rows.size(), "three transports, round trip and one way");
        for (final Map<String, Object> row : rows)
        {
            final String what = row.get("scenario") + " " + row.get("transport") + ": " + row;
            assertNull(row.get("error"), what);
            assertTrue(((Number)row.get("messages")).longValue() > 0, what);
            assertEquals(Boolean.TRUE, row.get("notAVerdict"), what);
            if ("udp-throughput-1to1".equals(row.get("scenario")))
            {
                assertEquals(0L, ((Number)row.get("sequenceErrors")).longValue(), what);
            }
            if ("shmbus-bridge-udp".equals(row.get("transport")))
            {
                assertTrue(((Number)row.get("bridgeOutMessages")).longValue() > 0, what);
                assertTrue(((Number)row.get("bridgeInMessages")).longValue() > 0, what);
            }
        }
        assertTrue(ok, "every run succeeded");
        final List<Map<String, Object>> goals = (List<Map<String, Object>>)summary.get("goals");
        final List<Map<String, Object>> crossHost = goals.stream()
            .filter(g -> String.valueOf(g.get("scenario")).startsWith("udp-") && (Long)g.get("sizeBytes") == 32)
            .toList();
        assertEquals(5, crossHost.size());
        crossHost.forEach(g -> assertTrue(String.valueOf(g.get("status")).contains("not a verdict"), g.toString()));
        assertTrue(Files.readString(out.resolve("summary.md")).contains("## Across two network namespaces"));

        final String tag = "sbbench" + ProcessHandle.current().pid() + "x";
        assertFalse(run("ip", "netns", "list").contains(tag), "a namespace of this run is left");
        assertFalse(run("ip", "-o", "link", "show").contains("vsb" + ProcessHandle.current().pid() + "x"),
            "a veth link of this run is left");
    }
}
