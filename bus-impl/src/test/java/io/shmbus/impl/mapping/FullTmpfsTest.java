package io.shmbus.impl.mapping;

import io.shmbus.Bus;
import io.shmbus.BusException;
import io.shmbus.BusOptions;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.impl.TestBus;
import io.shmbus.impl.process.BusProbeMain;
import io.shmbus.impl.process.ChildGroup;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.ChildSupport;
import io.shmbus.impl.process.TestUser;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A bus directory on a full tmpfs: creating a topic that does not fit fails at once with a BusException saying
 * there is no space and naming the size, and leaves no file, neither the topic nor its temporary file; topics that
 * fit keep working. A tmpfs of 1 MiB is mounted for the test (root only) and unmounted after it.
 *
 * <p>An anonymous topic's memory is not limited by any file system: only a memory cgroup limit could make its
 * allocation fail, and this test does not touch the machine's cgroups. Instead a child JVM whose file size limit
 * ({@code prlimit --fsize}, which the kernel applies to a memfd's size too) is below the topic's size must get a
 * BusException, not a crash.
 */
class FullTmpfsTest
{
    @Test
    @Timeout(60)
    void aTopicLargerThanTheTmpfsFailsCleanlyAndLeavesNoFile() throws Exception
    {
        assumeTrue(TestUser.isRoot(), "needs root to mount a tmpfs");
        final Path mount = Files.createTempDirectory(Path.of("/tmp"), "shmbus-test-tmpfs-");
        boolean mounted = false;
        try
        {
            run("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "shmbus-test-tmpfs", mount.toString());
            mounted = true;
            try (Bus bus = Bus.open(BusOptions.builder().directory(mount).build()))
            {
                final TopicOptions tooBig = TopicOptions.builder().capacityBytes(4 << 20).build();
                final BusException full = assertThrows(BusException.class, () -> bus.topic("big", tooBig));
                System.out.println("FULL TMPFS 4 MiB topic on a 1 MiB tmpfs -> " + full.getMessage());
                assertTrue(full.getMessage().contains("no space left on " + mount) &&
                    full.getMessage().contains("for its " + io.shmbus.impl.layout.TopicHeaderDescriptor.Geometry.of(
                        4 << 20, tooBig.maxMessageLength(), tooBig.maxPublishers(), tooBig.maxSubscribers(), false)
                        .fileLength() + " bytes"), full.getMessage());
                assertEquals(List.of(), list(mount), "no topic and no temporary file left");

                // One that fits works; a second that no longer fits fails the same way, leaving the first alone.
                final Topic small = bus.topic("small", TopicOptions.builder().capacityBytes(512 * 1024).build());
                final BusException second = assertThrows(BusException.class,
                    () -> bus.topic("second", TopicOptions.builder().capacityBytes(512 * 1024).build()));
                System.out.println("FULL TMPFS second 512 KiB topic -> " + second.getMessage());
                assertTrue(second.getMessage().contains("no space left"), second.getMessage());
                assertEquals(List.of(mount.resolve("small")), list(mount));

                final Subscriber subscriber = small.subscriber(SubscriberOptions.tethered());
                final Publisher publisher = small.publisher(PublisherOptions.exclusive());
                final UnsafeBuffer message = new UnsafeBuffer(new byte[1024]);
                long received = 0;
                for (int i = 0; i < 2_000; i++) // four laps of the ring: every page is written, none faults
                {
                    while (publisher.offer(message, 0, message.capacity()) < 0)
                    {
                        received += subscriber.poll((b, o, l, h) -> { }, 100);
                    }
                }
                while (received < 2_000)
                {
                    received += subscriber.poll((b, o, l, h) -> { }, 100);
                }
                small.close();
            }
        }
        finally
        {
            if (mounted)
            {
                unmountWhenUnmapped(mount);
            }
            TestBus.delete(mount);
        }
    }

    @Test
    @Timeout(60)
    void anAnonymousTopicThatMayNotBeAllocatedFailsCleanly()
    {
        final TopicOptions options = TopicOptions.builder().capacityBytes(4 << 20).build();
        final Path directory = TestBus.newDirectory("fsize");
        try (ChildGroup children = new ChildGroup())
        {
            final ChildProcess child = children.start("fsize", List.of("prlimit", "--fsize=1048576"),
                ChildProcess.JVM_FLAGS, System.getProperty("java.class.path"), BusProbeMain.class,
                "dir=" + directory, "topic=big", "action=anonymous", "spec=" + ChildSupport.spec(options));
            final String line = child.awaitAnyLine(Duration.ofSeconds(45), "OK", "BUS_EXCEPTION", "OTHER");
            System.out.println("FULL MEMORY 4 MiB anonymous topic, file size limit 1 MiB -> " + line);
            assertTrue(line.startsWith("BUS_EXCEPTION BusException cannot create anonymous topic big") &&
                line.contains("EFBIG"), line);
            assertEquals(0, child.awaitExit(Duration.ofSeconds(30)), child.diagnostics());
        }
        finally
        {
            TestBus.delete(directory);
        }
    }

    private static List<Path> list(final Path directory) throws IOException
    {
        try (Stream<Path> files = Files.list(directory))
        {
            return files.sorted().toList();
        }
    }

    private static void run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0)
        {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    /**
     * A closed topic's memory stays mapped for a short linger (see MappedTopic#close), and a tmpfs with a file
     * still mapped cannot be unmounted: retry for a while.
     */
    private static void unmountWhenUnmapped(final Path mount) throws Exception
    {
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (true)
        {
            try
            {
                run("umount", mount.toString());
                return;
            }
            catch (final java.io.IOException ex)
            {
                if (System.nanoTime() - deadline > 0 || !ex.getMessage().contains("busy"))
                {
                    throw ex;
                }
                Thread.sleep(200);
            }
        }
    }
}
