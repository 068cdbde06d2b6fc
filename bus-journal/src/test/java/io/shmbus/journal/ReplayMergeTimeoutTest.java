package io.shmbus.journal;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.impl.TestBus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A replay merge whose recorder does not advance gives up after its timeout, saying whether the recorder is
 * stalled (it holds the journal) or dead (nobody does), and goes on once a recorder runs again.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReplayMergeTimeoutTest
{
    private static final TopicOptions OPTIONS = TopicOptions.builder().capacityBytes(64 * 1024).maxMessageLength(256)
        .build();
    private static final long TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(300);

    private Path journalDirectory;

    @AfterEach
    void cleanUp()
    {
        JournalTestSupport.delete(journalDirectory);
    }

    private static void publish(final Topic topic, final long from, final long to)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);
        try (Publisher publisher = topic.publisher(PublisherOptions.exclusive()))
        {
            for (long seq = from; seq < to; seq++)
            {
                JournalTestSupport.fill(message, seq, 40);
                assertTrue(publisher.offer(message, 0, 40) > 0, "the ring has room for the test's messages");
            }
        }
    }

    /**
     * Poll the merge until it throws, returning the exception and how long it took.
     */
    private static ReplayMergeStalledException pollUntilItGivesUp(final ReplayMerge merge, final List<Long> seqs)
    {
        return pollUntilItGivesUp(merge, seqs, TIMEOUT_NS);
    }

    private static ReplayMergeStalledException pollUntilItGivesUp(
        final ReplayMerge merge, final List<Long> seqs, final long atLeastNs)
    {
        final long startNs = System.nanoTime();
        while (System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(20))
        {
            try
            {
                merge.poll((buffer, offset, length, header) ->
                    seqs.add(JournalTestSupport.verify(buffer, offset, length)), 64);
            }
            catch (final ReplayMergeStalledException ex)
            {
                final long waitedNs = System.nanoTime() - startNs;
                assertTrue(waitedNs >= atLeastNs, "gave up after " + waitedNs + " ns");
                return ex;
            }
            Thread.onSpinWait();
        }
        fail("the merge never gave up on a recorder that did not advance");
        return null;
    }

    @Test
    void aStalledRecorderAndADeadOneAreNamedAndTheMergeGoesOnOnceOneRuns()
    {
        journalDirectory = JournalTestSupport.newDirectory("merge-timeout");
        final long pid = ProcessHandle.current().pid();
        final RecorderOptions options = RecorderOptions.of(journalDirectory).chunkLengthBytes(64 * 1024)
            .format(JournalFormat.builder().segmentLengthBytes(1 << 20).maxMessageLength(256).build());
        try (TestBus testBus = TestBus.create("merge-timeout"))
        {
            final Topic topic = testBus.bus().topic("quotes", OPTIONS);
            final List<Long> seqs = new ArrayList<>();
            try (Recorder recorder = Recorder.start(topic, options))
            {
                publish(topic, 0, 100);
                while (recorder.poll() > 0)
                {
                }
                // The recorder holds the journal but polls no more while 50 more are published.
                publish(topic, 100, 150);
                try (Journal journal = Journal.open(journalDirectory, 64 * 1024);
                    ReplayMerge merge = new ReplayMerge(journal, topic, journal.startPosition(),
                        SubscriberOptions.untethered(), TIMEOUT_NS))
                {
                    final ReplayMergeStalledException stalled = pollUntilItGivesUp(merge, seqs);
                    System.out.println("STALLED -> " + stalled.getMessage());
                    assertTrue(stalled.recorderAlive());
                    assertEquals(pid, stalled.recorderPid());
                    assertTrue(stalled.getMessage().contains("the recorder (pid " + pid + ") is stalled"),
                        stalled.getMessage());
                    assertTrue(stalled.recordedTopicPosition() < stalled.joinPosition(), stalled.getMessage());
                    assertEquals(100, seqs.size(), "the journal's messages were delivered");
                    assertFalse(merge.isMerged());

                    // The recorder runs again: the same merge goes on and joins the live topic.
                    while (recorder.poll() > 0)
                    {
                    }
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (!merge.isMerged() && System.nanoTime() < deadline)
                    {
                        merge.poll((buffer, offset, length, header) ->
                            seqs.add(JournalTestSupport.verify(buffer, offset, length)), 64);
                        recorder.poll();
                    }
                    assertTrue(merge.isMerged(), "merged once the recorder caught up");
                    assertEquals(150, seqs.size());
                    for (int i = 0; i < seqs.size(); i++)
                    {
                        assertEquals(i, seqs.get(i));
                    }
                }
            }

            // No recorder at all now, and the topic goes on: the merge says the recorder is dead.
            publish(topic, 150, 180);
            seqs.clear();
            try (Journal journal = Journal.open(journalDirectory, 64 * 1024);
                ReplayMerge merge = new ReplayMerge(journal, topic, journal.startPosition(),
                    SubscriberOptions.untethered(), TIMEOUT_NS))
            {
                final ReplayMergeStalledException dead = pollUntilItGivesUp(merge, seqs);
                System.out.println("DEAD -> " + dead.getMessage());
                assertFalse(dead.recorderAlive());
                assertEquals(pid, dead.recorderPid(), "the last recorder's pid");
                assertTrue(dead.getMessage().contains("no recorder is recording it (the last one, pid " + pid +
                    ", is dead or was stopped)"), dead.getMessage());
                assertEquals(150, seqs.size(), "what the journal holds was delivered");
                // It throws again after another timeout (counted from the last throw), not at once.
                final ReplayMergeStalledException again = pollUntilItGivesUp(merge, seqs, TIMEOUT_NS * 9 / 10);
                assertFalse(again.recorderAlive());
            }
        }
    }
}
