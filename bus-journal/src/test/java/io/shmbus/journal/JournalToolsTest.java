package io.shmbus.journal;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.impl.TestBus;
import io.shmbus.journal.tools.JournalInfoCommand;
import io.shmbus.journal.tools.RecordCommand;
import io.shmbus.journal.tools.ReplayCommand;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The record, replay and journal info commands, run as the command line runs them.
 */
class JournalToolsTest
{
    private Path journalDirectory;

    @AfterEach
    void cleanUp()
    {
        JournalTestSupport.delete(journalDirectory);
    }

    private static String run(final Object command, final int expectedExit, final String... args)
    {
        final PrintStream out = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        final int exit;
        try
        {
            exit = new CommandLine(command).execute(args);
        }
        finally
        {
            System.setOut(out);
        }
        final String text = captured.toString(StandardCharsets.UTF_8);
        assertEquals(expectedExit, exit, text);
        return text;
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void recordThenInfoThenReplayByTimeAndOntoATopic() throws Exception
    {
        journalDirectory = JournalTestSupport.newDirectory("tools");
        try (TestBus testBus = TestBus.create("journal-tools"))
        {
            final Topic topic = testBus.bus().topic("quotes", TopicOptions.builder().maxMessageLength(256)
                .timestamps(true).build());
            final Topic copy = testBus.bus().topic("quotes-copy", TopicOptions.builder().maxMessageLength(256).build());
            final Thread recorder = new Thread(() -> run(new RecordCommand(), 0, "quotes", journalDirectory.toString(),
                "-d", testBus.directory().toString(), "--segment-bytes", "65536", "--chunk-bytes", "65536",
                "--duration-s", "4"), "record-command");
            recorder.start();
            while (topic.status().subscribers().isEmpty())
            {
                assertTrue(recorder.isAlive(), "the record command stopped");
                TimeUnit.MILLISECONDS.sleep(10);
            }
            final long[] timestamps = new long[500];
            try (Publisher publisher = topic.publisher(PublisherOptions.exclusive()))
            {
                final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);
                for (int seq = 0; seq < 500; seq++)
                {
                    JournalTestSupport.fill(message, seq, 100);
                    while (publisher.offer(message, 0, 100, seq) < 0)
                    {
                        TimeUnit.MICROSECONDS.sleep(50);
                    }
                    if (seq == 250)
                    {
                        TimeUnit.MILLISECONDS.sleep(20);
                    }
                    timestamps[seq] = 0;
                }
            }
            recorder.join(TimeUnit.SECONDS.toMillis(30));
            assertTrue(Files.exists(journalDirectory.resolve("journal.meta")));

            final String info = run(new JournalInfoCommand(), 0, journalDirectory.toString());
            System.out.println("JOURNAL INFO\n" + info);
            assertTrue(info.contains("topic           quotes") && info.contains("recorder        none"), info);

            final String all = run(new ReplayCommand(), 0, journalDirectory.toString());
            final List<String> lines = new ArrayList<>(all.lines().toList());
            assertEquals(500, lines.size(), all);
            assertTrue(lines.get(7).contains(" type=7 ") && lines.get(7).contains(" length=100"), lines.get(7));

            // from the time of message 300: starts at message 300 or a message with the same timestamp before it
            final String line300 = lines.get(300);
            final String time300 = line300.substring(line300.indexOf("time=") + 5, line300.indexOf(" type="));
            final String fromTime = run(new ReplayCommand(), 0, journalDirectory.toString(), "--from-time", time300);
            final List<String> tail = fromTime.lines().toList();
            assertTrue(tail.size() >= 200 && tail.size() < 260, "replayed " + tail.size() + " from " + time300);
            assertEquals(line300, tail.get(tail.size() - 200));

            try (Subscriber subscriber = copy.subscriber(SubscriberOptions.tethered()))
            {
                run(new ReplayCommand(), 0, journalDirectory.toString(), "--to-topic", "quotes-copy", "-d",
                    testBus.directory().toString(), "--from", lines.get(400).substring(0, lines.get(400).indexOf(' ')));
                final List<Long> seqs = new ArrayList<>();
                while (subscriber.poll((buffer, offset, length, header) ->
                {
                    seqs.add(JournalTestSupport.verify(buffer, offset, length));
                    assertEquals(seqs.get(seqs.size() - 1).intValue(), header.type());
                }, 100) > 0)
                {
                }
                assertEquals(100, seqs.size());
                assertEquals(400L, seqs.get(0));
                assertEquals(499L, seqs.get(99));
            }

            final String missing = run(new JournalInfoCommand(), 1, testBus.directory().resolve("nothing").toString());
            assertEquals("", missing);
        }
    }
}
