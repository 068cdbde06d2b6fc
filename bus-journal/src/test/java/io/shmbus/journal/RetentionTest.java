package io.shmbus.journal;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.impl.TestBus;
import io.shmbus.journal.tools.JournalInfoCommand;
import io.shmbus.journal.tools.JournalTrimCommand;
import io.shmbus.journal.tools.ReplayCommand;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retention while recording (by count, by size, by age), a reader keeping the segment it holds, offline trims,
 * and replay from a time once old segments are gone.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RetentionTest
{
    private static final long SEGMENT = 64 * 1024;
    private static final TopicOptions OPTIONS = TopicOptions.builder().capacityBytes(16 * 1024).maxMessageLength(256)
        .build();
    private static final JournalFormat FORMAT = JournalFormat.builder().segmentLengthBytes(SEGMENT)
        .maxMessageLength(256).build();

    private Path journalDirectory;

    @AfterEach
    void cleanUp()
    {
        JournalTestSupport.delete(journalDirectory);
    }

    private RecorderOptions options(final Retention retention)
    {
        return RecorderOptions.of(journalDirectory).chunkLengthBytes(SEGMENT).format(FORMAT).retention(retention);
    }

    /**
     * Publish messages {@code from} to {@code to - 1} and record them as they go; after each, check something.
     */
    private static void publishAndRecord(final Topic topic, final Recorder recorder, final long from, final long to,
        final Runnable check)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);
        try (Publisher publisher = topic.publisher(PublisherOptions.exclusive()))
        {
            for (long seq = from; seq < to; seq++)
            {
                final int length = 12 + (int)(seq % 200);
                JournalTestSupport.fill(message, seq, length);
                while (publisher.offer(message, 0, length) < 0)
                {
                    recorder.poll();
                    check.run();
                }
            }
        }
        while (recorder.poll() > 0)
        {
            check.run();
        }
    }

    private List<Long> readFromStart()
    {
        try (Journal journal = Journal.open(journalDirectory, SEGMENT))
        {
            return read(journal, journal.startPosition());
        }
    }

    private static List<Long> read(final Journal journal, final long from)
    {
        final List<Long> seqs = new ArrayList<>();
        try (JournalReader reader = journal.reader(from))
        {
            while (reader.poll((buffer, offset, length, header) ->
                seqs.add(JournalTestSupport.verify(buffer, offset, length)), 100) > 0)
            {
            }
        }
        return seqs;
    }

    private static void assertContiguous(final List<Long> seqs, final long last)
    {
        assertFalse(seqs.isEmpty(), "nothing read");
        for (int i = 1; i < seqs.size(); i++)
        {
            assertEquals(seqs.get(0) + i, seqs.get(i), "message " + i + " after " + seqs.get(0));
        }
        assertEquals(last, seqs.get(seqs.size() - 1));
    }

    private List<Long> segmentFiles()
    {
        final List<Long> indices = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(journalDirectory, "segment-*.jnl"))
        {
            for (final Path file : files)
            {
                indices.add(SegmentDescriptor.parseFileName(file.getFileName().toString()));
            }
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        indices.sort(null);
        return indices;
    }

    @Test
    void retentionByCountKeepsTheNewestSegmentsWhileRecordingAndAfterARestart()
    {
        journalDirectory = JournalTestSupport.newDirectory("retain-count");
        final RecorderOptions options = options(Retention.none().maxSegments(3));
        final int[] mostFiles = {0};
        try (TestBus testBus = TestBus.create("retain-count"))
        {
            final Topic topic = testBus.bus().topic("orders", OPTIONS);
            try (Recorder recorder = Recorder.start(topic, options))
            {
                publishAndRecord(topic, recorder, 0, 3000, () ->
                {
                    final List<Long> files = segmentFiles();
                    mostFiles[0] = Math.max(mostFiles[0], files.size());
                    assertTrue(files.size() <= 3, "segment files while recording: " + files);
                });
            }
            assertTrue(mostFiles[0] >= 3, "the journal never grew to its limit: " + mostFiles[0]);
            try (Journal journal = Journal.open(journalDirectory, SEGMENT))
            {
                final JournalInfo info = journal.info();
                System.out.println("RETAINED BY COUNT " + info);
                assertTrue(info.firstSegment() >= 5, "old segments removed: " + info);
                assertEquals(info.lastSegment() - info.firstSegment() + 1, info.segments());
                assertTrue(info.segments() <= 3, info.toString());
                assertEquals(FORMAT.segmentBasePosition(info.firstSegment()), journal.startPosition());
                final List<Long> seqs = read(journal, journal.startPosition());
                assertContiguous(seqs, 2999);
                assertTrue(seqs.get(0) > 1900, "only the newest segments are kept: " + seqs.get(0));

                final JournalException before = assertThrows(JournalException.class,
                    () -> journal.reader(FORMAT.basePosition()));
                System.out.println("BEFORE THE START -> " + before.getMessage());
                assertTrue(before.getMessage().contains("is before the start of journal") &&
                    before.getMessage().contains("starts at position " + journal.startPosition()), before.getMessage());
                try (JournalReader clamped = journal.reader(FORMAT.basePosition(), (m, b, f, t) -> { }, true))
                {
                    assertEquals(journal.startPosition(), clamped.position());
                }
                final String infoText = run(new JournalInfoCommand(), 0, journalDirectory.toString());
                assertTrue(infoText.contains("positions       " + journal.startPosition() + " to ") &&
                    infoText.contains("were removed by retention or a trim"), infoText);
            }
            // A restart recovers with the early segments gone, and goes on with no gap and no duplicate.
            try (Recorder recorder = Recorder.start(topic, options))
            {
                publishAndRecord(topic, recorder, 3000, 3500, () -> { });
                assertEquals(0, recorder.skippedMessages());
            }
            final List<Long> after = readFromStart();
            assertContiguous(after, 3499);
            assertTrue(segmentFiles().size() <= 3, segmentFiles().toString());
        }
    }

    @Test
    void retentionBySizeKeepsAtMostThatManyBytes()
    {
        journalDirectory = JournalTestSupport.newDirectory("retain-size");
        final long maxBytes = 2 * SEGMENT + SEGMENT / 2;
        final RecorderOptions options = options(Retention.none().maxBytes(maxBytes));
        try (TestBus testBus = TestBus.create("retain-size"))
        {
            final Topic topic = testBus.bus().topic("orders", OPTIONS);
            try (Recorder recorder = Recorder.start(topic, options))
            {
                publishAndRecord(topic, recorder, 0, 2500, () ->
                {
                    final long bytes = segmentFiles().size() * SEGMENT;
                    assertTrue(bytes <= maxBytes, "bytes of segment files while recording: " + bytes);
                });
            }
            try (Journal journal = Journal.open(journalDirectory, SEGMENT))
            {
                final JournalInfo info = journal.info();
                System.out.println("RETAINED BY SIZE " + info);
                assertTrue(info.segments() <= 2, "2.5 segments of room keep 2: " + info);
                assertTrue(info.sizeBytes() <= maxBytes, info.toString());
                assertTrue(info.firstSegment() > 3, info.toString());
                assertContiguous(read(journal, journal.startPosition()), 2499);
            }
        }
    }

    @Test
    void retentionByAgeRemovesSegmentsWhoseNewestRecordIsOlder() throws Exception
    {
        journalDirectory = JournalTestSupport.newDirectory("retain-age");
        final RecorderOptions options = options(Retention.none().maxAgeNs(TimeUnit.MILLISECONDS.toNanos(300)));
        try (TestBus testBus = TestBus.create("retain-age"))
        {
            final Topic topic = testBus.bus().topic("orders", OPTIONS);
            try (Recorder recorder = Recorder.start(topic, options))
            {
                publishAndRecord(topic, recorder, 0, 1500, () -> { });
                final long firstBefore = segmentFiles().get(0);
                assertEquals(0, firstBefore, "nothing is old yet");
                TimeUnit.MILLISECONDS.sleep(400);
                // Recording goes on: the first roll removes every segment whose records are all older than 300 ms.
                publishAndRecord(topic, recorder, 1500, 2100, () -> { });
                // And an idle recorder removes by age too, once a second.
                TimeUnit.MILLISECONDS.sleep(400);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (System.nanoTime() < deadline &&
                    segmentFiles().get(0) < FORMAT.segmentIndex(recorder.journalPosition()))
                {
                    recorder.poll();
                    TimeUnit.MILLISECONDS.sleep(20);
                }
            }
            try (Journal journal = Journal.open(journalDirectory, SEGMENT))
            {
                final JournalInfo info = journal.info();
                System.out.println("RETAINED BY AGE " + info);
                assertEquals(FORMAT.segmentIndex(info.endPosition()), info.firstSegment(),
                    "only the segment being written is left (and one made ahead): " + info);
                final List<Long> seqs = read(journal, journal.startPosition());
                assertContiguous(seqs, 2099);
                assertTrue(seqs.get(0) > 1500, "the old messages are gone: " + seqs.get(0));
            }
        }
    }

    @Test
    void aSegmentAReaderHoldsIsKeptWithEveryLaterOneAndAReaderThatFellBehindIsTold()
    {
        journalDirectory = JournalTestSupport.newDirectory("retain-reader");
        final RecorderOptions options = options(Retention.none().maxSegments(2));
        try (TestBus testBus = TestBus.create("retain-reader"))
        {
            final Topic topic = testBus.bus().topic("orders", OPTIONS);
            try (Recorder recorder = Recorder.start(topic, options))
            {
                publishAndRecord(topic, recorder, 0, 300, () -> { });
                try (Journal journal = Journal.open(journalDirectory, SEGMENT);
                    JournalReader holder = journal.reader(journal.startPosition());
                    JournalReader idle = journal.reader(journal.startPosition()))
                {
                    final List<Long> seqs = new ArrayList<>();
                    assertEquals(10, holder.poll((buffer, offset, length, header) ->
                        seqs.add(JournalTestSupport.verify(buffer, offset, length)), 10));
                    // The holder has segment 0 mapped; the idle reader has nothing mapped yet.
                    publishAndRecord(topic, recorder, 300, 2300, () ->
                        assertEquals(0L, segmentFiles().get(0), "segment 0 is held by a reader"));
                    final List<Long> files = segmentFiles();
                    assertTrue(files.size() >= 7, "every later segment is kept too: " + files);
                    for (int i = 0; i < files.size(); i++)
                    {
                        assertEquals(i, files.get(i), "no hole: " + files);
                    }
                    assertEquals(0, journal.startPosition(), "the journal still starts at segment 0");
                    while (holder.poll((buffer, offset, length, header) ->
                        seqs.add(JournalTestSupport.verify(buffer, offset, length)), 100) > 0)
                    {
                    }
                    assertContiguous(seqs, 2299);
                    assertEquals(0L, seqs.get(0));
                    // The holder is now in the last segments; the next roll removes what nobody holds.
                    publishAndRecord(topic, recorder, 2300, 2600, () -> { });
                    assertTrue(segmentFiles().get(0) > 4, "released segments are removed: " + segmentFiles());
                    assertEquals(FORMAT.segmentIndex(holder.position()), segmentFiles().get(0),
                        "the holder still has the segment it read last: " + segmentFiles());
                    assertTrue(journal.startPosition() > 0);

                    final JournalException behind = assertThrows(JournalException.class,
                        () -> idle.poll((buffer, offset, length, header) -> { }, 10));
                    System.out.println("FELL BEHIND -> " + behind.getMessage());
                    assertTrue(behind.getMessage().contains("fell behind the journal's start") &&
                        behind.getMessage().contains("segment 0 was removed"), behind.getMessage());
                }
            }
        }
    }

    @Test
    void trimRemovesWholeSegmentsBeforeAPositionOrTimeAndIsRefusedWhileRecording() throws Exception
    {
        journalDirectory = JournalTestSupport.newDirectory("trim");
        final RecorderOptions options = options(Retention.none());
        final long pid = ProcessHandle.current().pid();
        try (TestBus testBus = TestBus.create("trim"))
        {
            final Topic topic = testBus.bus().topic("orders", OPTIONS);
            try (Recorder recorder = Recorder.start(topic, options))
            {
                publishAndRecord(topic, recorder, 0, 2000, () -> { });
                final JournalLockedException refused = assertThrows(JournalLockedException.class,
                    () -> Journal.trim(journalDirectory, 1 << 20));
                System.out.println("TRIM WHILE RECORDING -> " + refused.getMessage());
                assertEquals(pid, refused.holderPid());
                assertTrue(refused.getMessage().contains("being recorded by process " + pid), refused.getMessage());
                assertEquals("", run(new JournalTrimCommand(), 1, journalDirectory.toString(), "--before", "1000"),
                    "refused: the reason goes to stderr, nothing to stdout");
            }
            assertEquals(0L, segmentFiles().get(0), "a refused trim removes nothing");

            // Positions of the messages, to pick one in segment 3.
            final List<long[]> positions = new ArrayList<>();
            try (Journal journal = Journal.open(journalDirectory, SEGMENT);
                JournalReader reader = journal.reader(journal.startPosition()))
            {
                while (reader.poll((buffer, offset, length, header) -> positions.add(new long[] {
                    JournalTestSupport.verify(buffer, offset, length), ((JournalHeader)header).journalPosition()}),
                    100) > 0)
                {
                }
            }
            assertEquals(2000, positions.size());
            final long base3 = FORMAT.segmentBasePosition(3);
            final long[] inSegment3 = positions.stream().filter(p -> p[1] > base3).findFirst().orElseThrow();
            final long firstOf3 = positions.stream().filter(p -> p[1] >= base3).findFirst().orElseThrow()[0];

            final TrimResult trimmed = Journal.trim(journalDirectory, inSegment3[1]);
            assertEquals(3, trimmed.removedSegments(), trimmed.toString());
            assertEquals(base3, trimmed.startPosition());
            assertFalse(trimmed.keptBecauseRead());
            assertEquals(3L, segmentFiles().get(0));
            final List<Long> seqs = readFromStart();
            assertContiguous(seqs, 1999);
            assertEquals(firstOf3, seqs.get(0));

            // A reader holding segment 3 keeps it (and the rest) from a trim.
            try (Journal journal = Journal.open(journalDirectory, SEGMENT);
                JournalReader reader = journal.reader(journal.startPosition()))
            {
                assertEquals(1, reader.poll((buffer, offset, length, header) -> { }, 1));
                final TrimResult held = Journal.trim(journalDirectory, Long.MAX_VALUE);
                assertEquals(0, held.removedSegments(), held.toString());
                assertTrue(held.keptBecauseRead(), held.toString());
            }

            // By time, through the command: everything but the segment the journal ends in.
            final String trimAll = run(new JournalTrimCommand(), 0, journalDirectory.toString(), "--before",
                Instant.now().plusSeconds(60).toString());
            System.out.println("TRIM BY TIME -> " + trimAll);
            final List<Long> left = segmentFiles();
            try (Journal journal = Journal.open(journalDirectory, SEGMENT))
            {
                assertEquals(FORMAT.segmentIndex(journal.endPosition()), left.get(0),
                    "only the segment the journal ends in (and one made ahead) is kept: " + left);
            }
            assertTrue(left.size() <= 2, left.toString());
            assertTrue(trimAll.contains("starts at position " + FORMAT.segmentBasePosition(left.get(0))), trimAll);
            final List<Long> last = readFromStart();
            assertContiguous(last, 1999);

            // Recording goes on after the trim with no gap and no duplicate.
            try (Recorder recorder = Recorder.start(topic, options))
            {
                publishAndRecord(topic, recorder, 2000, 2100, () -> { });
                assertEquals(0, recorder.skippedMessages());
            }
            assertContiguous(readFromStart(), 2099);

            final String bad = run(new JournalTrimCommand(), 1, journalDirectory.toString(), "--before", "yesterday");
            assertEquals("", bad, "bad input is reported on stderr only");
            assertContiguous(readFromStart(), 2099);
        }
    }

    @Test
    void replayFromATimeAfterRetentionStartsAtTheRightRecordOrAtTheFirstKept() throws Exception
    {
        journalDirectory = JournalTestSupport.newDirectory("retain-time");
        final RecorderOptions options = options(Retention.none().maxSegments(4));
        try (TestBus testBus = TestBus.create("retain-time"))
        {
            final Topic topic = testBus.bus().topic("orders", OPTIONS);
            final long beforeEverything = EpochClock.nowNs();
            final long between;
            try (Recorder recorder = Recorder.start(topic, options))
            {
                publishAndRecord(topic, recorder, 0, 1500, () -> { });
                TimeUnit.MILLISECONDS.sleep(30);
                between = EpochClock.nowNs();
                TimeUnit.MILLISECONDS.sleep(30);
                publishAndRecord(topic, recorder, 1500, 1800, () -> { });
            }
            try (Journal journal = Journal.open(journalDirectory, SEGMENT))
            {
                assertTrue(journal.startPosition() > 0, "retention removed the first segments");
                final List<Long> fromBetween = read(journal, journal.positionAtTime(between));
                assertContiguous(fromBetween, 1799);
                assertEquals(1500L, fromBetween.get(0), "the first message recorded after the time");

                assertEquals(journal.startPosition(), journal.positionAtTime(beforeEverything),
                    "a time before the first record kept gives the first record kept");
                final List<Long> fromEarly = read(journal, journal.positionAtTime(beforeEverything));
                assertContiguous(fromEarly, 1799);
                assertTrue(fromEarly.get(0) > 0, fromEarly.get(0).toString());

                final String replayed = run(new ReplayCommand(), 0, journalDirectory.toString(), "--from-time",
                    Long.toString(beforeEverything));
                assertEquals(fromEarly.size(), replayed.lines().count(), "replayed from the first record kept");
                run(new ReplayCommand(), 1, journalDirectory.toString(), "--from", "0");
                final String clamped = run(new ReplayCommand(), 0, journalDirectory.toString(), "--from", "0",
                    "--from-start-if-removed");
                assertEquals(fromEarly.size(), clamped.lines().count());
            }
        }
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
}
