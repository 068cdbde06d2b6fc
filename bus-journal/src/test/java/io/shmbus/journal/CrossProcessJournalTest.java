package io.shmbus.journal;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.impl.TestBus;
import io.shmbus.impl.process.ChildGroup;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.journal.process.JournalReaderMain;
import io.shmbus.journal.process.RecorderMain;
import io.shmbus.journal.process.TornWriterMain;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recorder and readers in separate JVMs: two readers tail the journal while a third JVM records and this one
 * publishes; recorders killed with SIGKILL in the middle of recording leave a journal that reopens with every
 * message once; a second recorder is refused naming the first one's pid, and takes over the moment it dies.
 */
class CrossProcessJournalTest
{
    private static final Duration START = Duration.ofSeconds(60);

    private Path journalDirectory;

    @AfterEach
    void cleanUp()
    {
        JournalTestSupport.delete(journalDirectory);
    }

    private static Topic topic(final TestBus testBus)
    {
        return testBus.bus().topic("recorded", TopicOptions.builder().capacityBytes(1 << 20).maxMessageLength(256)
            .build());
    }

    private ChildProcess startRecorder(final ChildGroup children, final String name, final TestBus testBus)
    {
        return children.start(name, RecorderMain.class, "bus=" + testBus.directory(), "topic=recorded",
            "journal=" + journalDirectory, "segment=" + (1 << 20), "chunk=65536");
    }

    private static void publish(final Publisher publisher, final UnsafeBuffer message, final long seq,
        final IdleStrategy idle)
    {
        final int length = 12 + (int)(seq * 13 % 240);
        JournalTestSupport.fill(message, seq, length);
        idle.reset();
        long result;
        while ((result = publisher.offer(message, 0, length)) < 0)
        {
            if (Publisher.CLOSED == result)
            {
                throw new IllegalStateException("publisher closed");
            }
            idle.idle();
        }
    }

    private static List<Long> readJournal(final Path directory, final List<String> losses)
    {
        final List<Long> seqs = new ArrayList<>();
        try (Journal journal = Journal.open(directory, 65536);
            JournalReader reader = journal.reader(journal.startPosition(),
                (messages, bytes, from, to) -> losses.add(messages + " messages at " + from)))
        {
            while (reader.poll((buffer, offset, length, header) ->
                seqs.add(JournalTestSupport.verify(buffer, offset, length)), 256) > 0)
            {
            }
        }
        return seqs;
    }

    private static void assertSequence(final List<Long> seqs, final long count)
    {
        for (int i = 0; i < seqs.size(); i++)
        {
            if (seqs.get(i) != i)
            {
                throw new AssertionError("journal entry " + i + " holds message " + seqs.get(i) +
                    (i > 0 ? " after " + seqs.get(i - 1) : ""));
            }
        }
        assertEquals(count, seqs.size(), "every message once");
    }

    @Test
    @Timeout(value = 150, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void twoReadersAndARecorderInThreeJvms()
    {
        journalDirectory = JournalTestSupport.newDirectory("three-jvms");
        final long messages = 100_000;
        try (TestBus testBus = TestBus.create("journal-3jvm"); ChildGroup children = new ChildGroup())
        {
            final Topic topic = topic(testBus);
            final ChildProcess recorder = startRecorder(children, "recorder", testBus);
            recorder.awaitLine("READY", START);
            final ChildProcess reader1 = children.start("reader-1", JournalReaderMain.class,
                "journal=" + journalDirectory, "count=" + messages, "chunk=65536");
            final ChildProcess reader2 = children.start("reader-2", JournalReaderMain.class,
                "journal=" + journalDirectory, "count=" + messages, "chunk=131072");
            reader1.awaitLine("READY", START);
            reader2.awaitLine("READY", START);
            try (Publisher publisher = topic.publisher(PublisherOptions.exclusive()))
            {
                final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);
                final IdleStrategy idle = new BackoffIdleStrategy(1, 10, 1_000, 100_000);
                for (long seq = 0; seq < messages; seq++)
                {
                    publish(publisher, message, seq, idle);
                }
            }
            final long sum = messages * (messages - 1) / 2;
            for (final ChildProcess reader : List.of(reader1, reader2))
            {
                final String[] done = reader.awaitWords("DONE", START);
                System.out.println("THREE JVMS " + reader.name() + " read " + done[0] + " messages, sum " + done[1] +
                    ", largest mapping " + done[2] + " bytes");
                assertEquals(messages, Long.parseLong(done[0]));
                assertEquals(sum, Long.parseLong(done[1]), "sequence numbers sum");
                assertTrue(Long.parseLong(done[2]) <= 131072 + 8192 + 4096 + 8192, "reader window bounded: " + done[2]);
            }
            recorder.send("STOP");
            final String[] done = recorder.awaitWords("DONE", START);
            assertEquals(messages, Long.parseLong(done[0]), "recorded");
            final List<String> losses = new ArrayList<>();
            assertSequence(readJournal(journalDirectory, losses), messages);
            assertEquals(List.of(), losses);
        }
    }

    @Test
    @Timeout(value = 170, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void recordersKilledMidWriteLeaveEveryMessageOnceAndNoTornRecord() throws Exception
    {
        journalDirectory = JournalTestSupport.newDirectory("kill");
        final long messages = 150_000;
        try (TestBus testBus = TestBus.create("journal-kill"); ChildGroup children = new ChildGroup())
        {
            final Topic topic = topic(testBus);
            ChildProcess recorder = startRecorder(children, "recorder-0", testBus);
            recorder.awaitLine("READY", START);
            final AtomicLong published = new AtomicLong();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread publisherThread = new Thread(() ->
            {
                try (Publisher publisher = topic.publisher(PublisherOptions.exclusive()))
                {
                    final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);
                    final IdleStrategy idle = new BackoffIdleStrategy(1, 10, 1_000, 100_000);
                    for (long seq = 0; seq < messages; seq++)
                    {
                        publish(publisher, message, seq, idle);
                        published.set(seq + 1);
                    }
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            }, "publisher");
            publisherThread.setDaemon(true);
            publisherThread.start();

            final long[] killAt = { messages / 5, messages / 2 };
            for (int kill = 0; kill < killAt.length; kill++)
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (published.get() < killAt[kill] && System.nanoTime() < deadline && null == failure.get())
                {
                    TimeUnit.MILLISECONDS.sleep(1);
                }
                recorder.killNow();
                recorder.awaitExit(START);
                System.out.println("KILL -9 recorder " + kill + " after " + published.get() + " messages published");
                recorder = startRecorder(children, "recorder-" + (kill + 1), testBus);
                recorder.awaitLine("READY", START);
            }
            publisherThread.join(TimeUnit.SECONDS.toMillis(90));
            assertNull(failure.get(), () -> "publisher failed: " + failure.get());
            assertEquals(messages, published.get());
            // wait for the last recorder to have everything
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            try (Journal journal = Journal.open(journalDirectory, 65536))
            {
                while (journal.recordedTopicPosition() < topic.status().tail() && System.nanoTime() < deadline)
                {
                    TimeUnit.MILLISECONDS.sleep(5);
                }
            }
            recorder.send("STOP");
            final String[] done = recorder.awaitWords("DONE", START);
            System.out.println("KILL -9 last recorder recorded " + done[0] + ", skipped " + done[1] +
                " already in the journal");
            final List<String> losses = new ArrayList<>();
            assertSequence(readJournal(journalDirectory, losses), messages);
            assertEquals(List.of(), losses);
        }
    }

    @Test
    @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aSecondRecorderIsRefusedNamingThePidAndTakesOverWhenItDies() throws Exception
    {
        journalDirectory = JournalTestSupport.newDirectory("second");
        try (TestBus testBus = TestBus.create("journal-second"); ChildGroup children = new ChildGroup())
        {
            topic(testBus);
            final ChildProcess first = startRecorder(children, "recorder-1", testBus);
            final long pid = Long.parseLong(first.awaitWords("READY", START)[0]);
            assertEquals(first.pid(), pid);

            final ChildProcess second = startRecorder(children, "recorder-2", testBus);
            final String locked = second.awaitLine("LOCKED", START);
            System.out.println("SECOND RECORDER -> " + locked);
            assertTrue(locked.startsWith("LOCKED " + pid + " ") && locked.contains("by process " + pid), locked);

            final JournalLockedException refused = assertThrows(JournalLockedException.class,
                () -> JournalWriter.open(journalDirectory, null, "recorded", 65536, Durability.none()));
            assertEquals(pid, refused.holderPid());

            first.killNow();
            first.awaitExit(START);
            final long killedNs = System.nanoTime();
            JournalWriter taken = null;
            int attempts = 0;
            while (null == taken)
            {
                attempts++;
                try
                {
                    taken = JournalWriter.open(journalDirectory, null, "recorded", 65536, Durability.none());
                }
                catch (final JournalLockedException stillHeld)
                {
                    if (System.nanoTime() - killedNs > TimeUnit.SECONDS.toNanos(10))
                    {
                        throw stillHeld;
                    }
                    TimeUnit.MILLISECONDS.sleep(1);
                }
            }
            System.out.println("SECOND RECORDER took the journal " +
                TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - killedNs) + " us after the holder's exit was seen, " +
                "at attempt " + attempts);
            taken.close();
        }
    }

    @Test
    @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aTailingReaderNeverSeesTheRecordAKilledWriterLeftHalfWritten() throws Exception
    {
        journalDirectory = JournalTestSupport.newDirectory("half-written");
        try (ChildGroup children = new ChildGroup())
        {
            final ChildProcess writer = children.start("torn-writer", TornWriterMain.class,
                "journal=" + journalDirectory, "count=300");
            final long tornAt = Long.parseLong(writer.awaitWords("TORN", START)[0]);
            final List<Long> seqs = new ArrayList<>();
            try (Journal journal = Journal.open(journalDirectory, 8192);
                JournalReader reader = journal.reader(journal.startPosition()))
            {
                while (reader.poll((buffer, offset, length, header) ->
                    seqs.add(JournalTestSupport.verify(buffer, offset, length)), 100) > 0)
                {
                }
                assertEquals(300, seqs.size());
                assertEquals(tornAt, reader.position(), "the reader waits at the half-written record");
                writer.killNow();
                writer.awaitExit(START);
                assertEquals(0, reader.poll((buffer, offset, length, header) -> seqs.add(-1L), 100));

                // a new writer cuts the torn record (under the tailing reader) and appends after the last whole one
                final UnsafeBuffer message = new UnsafeBuffer(new byte[1000]);
                try (JournalWriter next = JournalWriter.open(journalDirectory, null, "t", 8192, Durability.none()))
                {
                    assertEquals(tornAt, next.position());
                    for (long seq = 300; seq < 400; seq++)
                    {
                        final int length = 12 + (int)(seq * 37 % 900);
                        JournalTestSupport.fill(message, seq, length);
                        next.append(message, 0, length, seq * 1024, 1024, 7, 1, 1000 + seq);
                    }
                }
                while (reader.poll((buffer, offset, length, header) ->
                    seqs.add(JournalTestSupport.verify(buffer, offset, length)), 100) > 0)
                {
                }
            }
            assertSequence(seqs, 400);
        }
    }
}
