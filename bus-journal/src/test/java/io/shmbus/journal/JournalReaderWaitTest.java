package io.shmbus.journal;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reader waiting at the start of a segment that is not written yet looks for that one file on each poll and
 * lists the directory once, not on every poll; it reads the segment as soon as it appears.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JournalReaderWaitTest
{
    private Path directory;

    @AfterEach
    void cleanUp()
    {
        JournalTestSupport.delete(directory);
    }

    @Test
    void aReaderWaitingForTheNextSegmentDoesNotListTheDirectoryOnEachPoll()
    {
        directory = JournalTestSupport.newDirectory("reader-wait");
        final JournalFormat format = JournalFormat.builder().segmentLengthBytes(64 * 1024).maxMessageLength(256)
            .build();
        final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);
        try (JournalWriter writer = JournalWriter.open(directory, format, "t", 64 * 1024, Durability.none());
            Journal journal = Journal.open(directory, 64 * 1024);
            JournalReader reader = journal.reader(format.segmentBasePosition(1)))
        {
            writer.append(message, 0, 0, 0, 16, 0, 0, 1);
            assertFalse(Files.exists(directory.resolve(SegmentDescriptor.fileName(1))));
            final List<Long> seqs = new ArrayList<>();
            final long listingsBefore = MetaFile.LISTINGS.get();
            for (int i = 0; i < 10_000; i++)
            {
                assertEquals(0, reader.poll((buffer, offset, length, header) -> seqs.add(buffer.getLong(offset)), 10));
            }
            final long listings = MetaFile.LISTINGS.get() - listingsBefore;
            assertTrue(listings <= 1, "listed the directory " + listings + " times in 10,000 polls");

            long seq = 0;
            while (writer.position() < format.segmentBasePosition(1) + 1000)
            {
                JournalTestSupport.fill(message, seq, 100);
                writer.append(message, 0, 100, 16 + seq * 128, 128, 0, 0, 2 + seq);
                seq++;
            }
            while (reader.poll((buffer, offset, length, header) ->
                seqs.add(JournalTestSupport.verify(buffer, offset, length)), 100) > 0)
            {
            }
            assertFalse(seqs.isEmpty(), "the reader read the new segment");
            final long first = seqs.get(0);
            assertTrue(first > 0, "it started in segment 1, not at the journal's start");
            for (int i = 0; i < seqs.size(); i++)
            {
                assertEquals(first + i, seqs.get(i));
            }
            assertEquals(seq - 1, seqs.get(seqs.size() - 1));
        }
    }
}
