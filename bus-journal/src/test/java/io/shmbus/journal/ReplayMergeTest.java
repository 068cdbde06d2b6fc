package io.shmbus.journal;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.impl.TestBus;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A recorder records a topic while a publisher keeps publishing; a replay merge started from the journal's
 * beginning part way through delivers every message exactly once, in order, switching to the live topic
 * before the publisher is done; replay by position and by time agree with the journal.
 */
class ReplayMergeTest
{
    private static final int MESSAGES = 200_000;

    private Path journalDirectory;

    @AfterEach
    void cleanUp()
    {
        JournalTestSupport.delete(journalDirectory);
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void replayMergeUnderLoadHasNoGapNoDuplicate() throws Exception
    {
        journalDirectory = JournalTestSupport.newDirectory("merge");
        try (TestBus testBus = TestBus.create("journal-merge"))
        {
            final Topic topic = testBus.bus().topic("merge", TopicOptions.builder().capacityBytes(1 << 20)
                .maxMessageLength(256).timestamps(true).build());
            final JournalFormat format = JournalFormat.builder().segmentLengthBytes(1 << 20).maxMessageLength(256)
                .indexIntervalBytes(16 * 1024).build();
            final AtomicBoolean recording = new AtomicBoolean(true);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Recorder recorder = Recorder.start(topic, RecorderOptions.of(journalDirectory).format(format)
                .chunkLengthBytes(64 * 1024).pollLimit(64));
            final Thread recorderThread = new Thread(() ->
            {
                try
                {
                    // Told to stop, it still records what was published before: on a loaded machine it may trail.
                    recorder.run(() -> recording.get() || recorder.recordedMessages() < MESSAGES,
                        new BackoffIdleStrategy(1, 10, 1_000, 100_000));
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            }, "recorder");
            recorderThread.start();

            final AtomicLong published = new AtomicLong();
            final Thread publisherThread = new Thread(() ->
            {
                try (Publisher publisher = topic.publisher(PublisherOptions.exclusive()))
                {
                    final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);
                    final IdleStrategy idle = new BackoffIdleStrategy(1, 10, 1_000, 100_000);
                    for (long seq = 0; seq < MESSAGES; seq++)
                    {
                        final int length = 12 + (int)(seq * 7 % 200);
                        JournalTestSupport.fill(message, seq, length);
                        idle.reset();
                        while (publisher.offer(message, 0, length, (int)(seq & 0xff)) < 0)
                        {
                            idle.idle();
                        }
                        published.set(seq + 1);
                        if (0 == seq % 250)
                        {
                            // Paced (at least 800 ms for the whole stream), so that the merge, which the test
                            // requires to happen while publishing goes on, is not beaten by a fast publisher.
                            LockSupport.parkNanos(1_000_000);
                        }
                    }
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            }, "publisher");
            publisherThread.start();

            while (published.get() < MESSAGES / 5)
            {
                TimeUnit.MILLISECONDS.sleep(1);
            }
            long expected = 0;
            long mergedAt = -1;
            long publishedAtMerge = -1;
            try (Journal journal = Journal.open(journalDirectory, 64 * 1024);
                ReplayMerge merge = new ReplayMerge(journal, topic, journal.startPosition(),
                    SubscriberOptions.untethered()))
            {
                final long[] next = { 0 };
                final String[] mismatch = new String[1];
                final IdleStrategy idle = new BackoffIdleStrategy(1, 10, 1_000, 100_000);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(100);
                while (next[0] < MESSAGES && System.nanoTime() < deadline && null == failure.get() &&
                    null == mismatch[0])
                {
                    final int n = merge.poll((buffer, offset, length, header) ->
                    {
                        final long seq = JournalTestSupport.verify(buffer, offset, length);
                        if (seq != next[0] && null == mismatch[0])
                        {
                            mismatch[0] = "expected message " + next[0] + ", got " + seq + " at topic position " +
                                header.position() + " (merged " + merge.isMerged() + ", joins " + merge.joins() + ")";
                        }
                        assertEquals((int)(seq & 0xff), header.type());
                        next[0]++;
                    }, 64);
                    if (merge.isMerged() && mergedAt < 0)
                    {
                        mergedAt = next[0];
                        publishedAtMerge = published.get();
                    }
                    idle.idle(n);
                }
                expected = null == mismatch[0] ? next[0] : -1;
                final long mergeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!merge.isMerged() && System.nanoTime() < mergeDeadline)
                {
                    idle.idle(merge.poll((buffer, offset, length, header) -> mismatch[0] = "a message after the last",
                        64));
                }
                assertNull(mismatch[0]);
                System.out.println("MISMATCH " + mismatch[0]);
                System.out.println("REPLAY MERGE merged after " + mergedAt + " messages from the journal, " +
                    publishedAtMerge + " published then; joins " + merge.joins() + ", seen twice " +
                    merge.discardedMessages() + ", delivered " + expected);
                assertTrue(merge.isMerged(), "merged into the live topic");
            }
            publisherThread.join(TimeUnit.SECONDS.toMillis(30));
            recording.set(false);
            recorderThread.join(TimeUnit.SECONDS.toMillis(30));
            recorder.close();
            assertNull(failure.get(), () -> "thread failed: " + failure.get());

            // the journal holds all of them; replay by position and by time agree
            try (Journal journal = Journal.open(journalDirectory, 64 * 1024))
            {
                final long[] seqAndTs = new long[2];
                final long[] tenThousandth = new long[2];
                try (JournalReader reader = journal.reader(journal.startPosition()))
                {
                    final long count = Replayer.replay(reader, journal.endPosition(), false,
                        (buffer, offset, length, h) ->
                        {
                            final long seq = JournalTestSupport.verify(buffer, offset, length);
                            assertEquals(seqAndTs[0]++, seq);
                            if (seq == 10_000)
                            {
                                tenThousandth[0] = ((JournalHeader)h).journalPosition();
                                tenThousandth[1] = h.timestampNs();
                            }
                        }, new BackoffIdleStrategy());
                    assertEquals(MESSAGES, count);
                }
                final long atTime = journal.positionAtTime(tenThousandth[1]);
                assertTrue(atTime <= tenThousandth[0], "the record at that time is at or before message 10000");
                try (JournalReader reader = journal.reader(atTime))
                {
                    final long[] first = { -1 };
                    reader.poll(
                        (buffer, offset, length, h) -> first[0] = JournalTestSupport.verify(buffer, offset, length), 1);
                    assertTrue(first[0] <= 10_000 && first[0] > 9_000,
                        "time lookup lands near message 10000: " + first[0]);
                    System.out.println("TIME LOOKUP for message 10000's timestamp starts at message " + first[0]);
                }
                final JournalInfo info = journal.info();
                System.out.println("JOURNAL " + info);
                assertEquals(MESSAGES, seqAndTs[0]);
            }
            assertEquals(MESSAGES, expected, "every message once, in order");
            assertTrue(mergedAt > 0 && publishedAtMerge < MESSAGES,
                "merged while the publisher was still publishing: " +
                "at " + mergedAt + ", published " + publishedAtMerge);
        }
    }
}
