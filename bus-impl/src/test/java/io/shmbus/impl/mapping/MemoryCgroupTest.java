package io.shmbus.impl.mapping;

import io.shmbus.impl.TestBus;
import io.shmbus.impl.process.CgroupTopicMain;
import io.shmbus.impl.process.ChildProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A topic larger than what the process's memory cgroup allows: tmpfs and memfd pages are charged to the cgroup, and
 * a charge past the limit gets the process OOM-killed rather than the allocation failed. So creation must refuse
 * it first with a clear BusException, named and anonymous alike, leave no file behind, and still create a topic
 * that fits. The child JVM runs in a cgroup v1 memory controller group this test makes (as root) and removes.
 */
class MemoryCgroupTest
{
    private static final Path MEMORY = Path.of("/sys/fs/cgroup/memory");
    private static final long LIMIT = 400L << 20;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aTopicLargerThanTheCgroupAllowsIsRefusedAtCreation() throws Exception
    {
        assumeTrue(Files.isWritable(MEMORY), "needs root and a cgroup v1 memory controller at " + MEMORY);
        final Path group = MEMORY.resolve("shmbus-test-" + ProcessHandle.current().pid());
        Files.createDirectory(group);
        try (TestBus bus = TestBus.create("cgroup"))
        {
            Files.writeString(group.resolve("memory.limit_in_bytes"), Long.toString(LIMIT));
            final List<String> wrapper = List.of("sh", "-c",
                "echo $$ > " + group.resolve("cgroup.procs") + " && exec \"$@\"", "sh");
            final ChildProcess child = ChildProcess.start("cgroup-child", wrapper,
                List.of("-Xmx64m", "-XX:TieredStopAtLevel=1",
                    "-Dslf4j.provider=org.slf4j.helpers.NOP_FallbackServiceProvider"),
                CgroupTopicMain.class, "dir=" + bus.directory(), "big=" + (1 << 29), "small=" + (1 << 20));
            try
            {
                final String named = child.awaitLine("RESULT named", Duration.ofSeconds(60));
                final String anonymous = child.awaitLine("RESULT anonymous", Duration.ofSeconds(60));
                final String small = child.awaitLine("RESULT small", Duration.ofSeconds(60));
                assertEquals(0, child.awaitExit(Duration.ofSeconds(30)), "the child was not OOM-killed");
                for (final String line : List.of(named, anonymous))
                {
                    assertTrue(line.contains("io.shmbus.BusException") && line.contains("memory cgroup limit"), line);
                }
                assertEquals("RESULT small OK", small);
            }
            finally
            {
                child.close();
            }
            try (Stream<Path> files = Files.list(bus.directory()))
            {
                assertEquals(List.of("small"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "nothing left of the refused topics");
            }
            assertEquals("0", Files.readString(group.resolve("memory.failcnt")).trim(),
                "no allocation ever hit the limit");
        }
        finally
        {
            deleteGroup(group);
        }
    }

    private static void deleteGroup(final Path group) throws IOException, InterruptedException
    {
        for (int i = 0; i < 100 && Files.exists(group); i++)
        {
            try
            {
                Files.delete(group);
            }
            catch (final IOException ex)
            {
                Thread.sleep(50); // its last process is still exiting
            }
        }
    }
}
