package io.shmbus.journal;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.impl.TestBus;
import io.shmbus.impl.process.TestUser;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A journal on a 1 MiB tmpfs standing in for a full disk: the recorder stops with an error saying there is no
 * space, everything it recorded stays readable, and once its hold limit has passed the topic's publisher
 * publishes as if it had never been there. Needs root to mount; the mount is removed after the test.
 */
class FullDiskTest
{
    @Test
    @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aFullDiskStopsTheRecorderKeepsTheJournalAndLeavesPublishersAlone() throws Exception
    {
        assumeTrue(TestUser.isRoot(), "needs root to mount a tmpfs");
        final Path mount = Files.createTempDirectory(Path.of("/tmp"), "shmbus-journal-tmpfs-");
        boolean mounted = false;
        try (TestBus testBus = TestBus.create("journal-full"))
        {
            run("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "shmbus-journal-tmpfs", mount.toString());
            mounted = true;
            final Path journalDirectory = mount.resolve("journal");
            final Topic topic = testBus.bus().topic("full", TopicOptions.builder().capacityBytes(64 * 1024)
                .maxMessageLength(256).build());
            final JournalFormat format = JournalFormat.builder().segmentLengthBytes(256 * 1024).maxMessageLength(256)
                .indexIntervalBytes(16 * 1024).build();
            final Recorder recorder = Recorder.start(topic, RecorderOptions.of(journalDirectory).format(format)
                .chunkLengthBytes(64 * 1024).holdLimitNs(TimeUnit.MILLISECONDS.toNanos(200)).pollLimit(32));
            final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);
            long seq = 0;
            JournalFullException full = null;
            try (Publisher publisher = topic.publisher(PublisherOptions.exclusive()))
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (null == full && System.nanoTime() < deadline)
                {
                    final int length = 12 + (int)(seq % 200);
                    JournalTestSupport.fill(message, seq, length);
                    if (publisher.offer(message, 0, length) > 0)
                    {
                        seq++;
                    }
                    try
                    {
                        recorder.poll();
                    }
                    catch (final JournalFullException ex)
                    {
                        full = ex;
                    }
                }
                assertTrue(null != full, "the recorder reported the full disk");
                System.out.println("FULL DISK -> " + full.getMessage());
                assertTrue(full.getMessage().contains("no space left on the file system of " + journalDirectory),
                    full.getMessage());
                assertThrows(IllegalStateException.class, recorder::poll, "a stopped recorder stays stopped");
                final long recorded = recorder.recordedMessages();
                recorder.close();

                // the publisher goes on: the away recorder holds the ring for its hold limit only
                final long before = seq;
                final long publishDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (seq < before + 5_000 && System.nanoTime() < publishDeadline)
                {
                    final int length = 12 + (int)(seq % 200);
                    JournalTestSupport.fill(message, seq, length);
                    if (publisher.offerBlocking(message, 0, length, TimeUnit.MILLISECONDS.toNanos(100)) > 0)
                    {
                        seq++;
                    }
                }
                System.out.println("FULL DISK recorder stopped after " + recorded + " messages; the publisher then " +
                    "published " + (seq - before) + " more (64 KiB ring)");
                assertEquals(before + 5_000, seq, "the publisher is not held back by the stopped recorder");

                // what was recorded is all there, in order, whole
                final List<Long> seqs = new ArrayList<>();
                try (Journal journal = Journal.open(journalDirectory, 64 * 1024);
                    JournalReader reader = journal.reader(journal.startPosition()))
                {
                    while (reader.poll((buffer, offset, length, header) ->
                        seqs.add(JournalTestSupport.verify(buffer, offset, length)), 256) > 0)
                    {
                    }
                    System.out.println("FULL DISK journal " + journal.info());
                }
                assertTrue(recorded > 1000, "recorded a good part of the disk first: " + recorded);
                assertEquals(recorded, seqs.size());
                for (int i = 0; i < seqs.size(); i++)
                {
                    assertEquals(i, seqs.get(i));
                }
            }
        }
        finally
        {
            if (mounted)
            {
                run("umount", mount.toString());
            }
            Files.deleteIfExists(mount);
        }
    }

    private static void run(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "timed out: " + String.join(" ", command));
        assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + output);
    }
}
