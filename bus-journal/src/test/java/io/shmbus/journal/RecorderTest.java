package io.shmbus.journal;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A recorder closed and started again resumes at the next message; a topic created anew under the same name is
 * refused rather than silently skipped; a topic whose messages are larger than the journal takes is refused.
 */
class RecorderTest
{
    private static final TopicOptions OPTIONS = TopicOptions.builder().capacityBytes(4096).maxMessageLength(256)
        .build();

    private Path journalDirectory;

    @AfterEach
    void cleanUp()
    {
        JournalTestSupport.delete(journalDirectory);
    }

    private static long publishAndRecord(final Topic topic, final Recorder recorder, final long from, final int count)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);
        try (Publisher publisher = topic.publisher(PublisherOptions.exclusive()))
        {
            for (long seq = from; seq < from + count; seq++)
            {
                final int length = 12 + (int)(seq % 200);
                JournalTestSupport.fill(message, seq, length);
                while (publisher.offer(message, 0, length) < 0)
                {
                    recorder.poll();
                }
            }
        }
        while (recorder.poll() > 0)
        {
        }
        return recorder.recordedMessages();
    }

    private List<Long> read()
    {
        final List<Long> seqs = new ArrayList<>();
        try (Journal journal = Journal.open(journalDirectory, 65536);
            JournalReader reader = journal.reader(journal.startPosition()))
        {
            while (reader.poll((buffer, offset, length, header) ->
                seqs.add(JournalTestSupport.verify(buffer, offset, length)), 100) > 0)
            {
            }
        }
        return seqs;
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aRestartedRecorderResumesAtTheNextMessageAndANewTopicIsRefused()
    {
        journalDirectory = JournalTestSupport.newDirectory("recorder");
        final RecorderOptions options = RecorderOptions.of(journalDirectory).chunkLengthBytes(65536)
            .format(JournalFormat.builder().segmentLengthBytes(64 * 1024).maxMessageLength(256).build());
        try (TestBus testBus = TestBus.create("journal-recorder"))
        {
            final Topic topic = testBus.bus().topic("orders", OPTIONS);
            try (Recorder recorder = Recorder.start(topic, options))
            {
                assertEquals(500, publishAndRecord(topic, recorder, 0, 500));
            }
            try (Recorder recorder = Recorder.start(topic, options))
            {
                assertEquals(300, publishAndRecord(topic, recorder, 500, 300));
                assertEquals(0, recorder.skippedMessages());
            }
            final List<Long> seqs = read();
            assertEquals(800, seqs.size());
            for (int i = 0; i < seqs.size(); i++)
            {
                assertEquals(i, seqs.get(i));
            }

            topic.close();
            assertTrue(testBus.bus().deleteTopic("orders"));
            final Topic again = testBus.bus().topic("orders", OPTIONS);
            final JournalException refused = assertThrows(JournalException.class, () -> Recorder.start(again, options));
            System.out.println("NEW TOPIC -> " + refused.getMessage());
            assertTrue(refused.getMessage().contains("the topic was created anew"), refused.getMessage());

            final Topic large = testBus.bus().topic("large", TopicOptions.builder().capacityBytes(1 << 16)
                .maxMessageLength(4096).build());
            final JournalException tooLarge = assertThrows(JournalException.class,
                () -> Recorder.start(large, RecorderOptions.of(journalDirectory.resolve("large")).format(
                    JournalFormat.builder().segmentLengthBytes(64 * 1024).maxMessageLength(256).build())));
            System.out.println("TOO LARGE -> " + tooLarge.getMessage());
            assertTrue(tooLarge.getMessage().contains("up to 4096 bytes"), tooLarge.getMessage());
            assertEquals(800, read().size(), "refusals change nothing");
        }
    }
}
