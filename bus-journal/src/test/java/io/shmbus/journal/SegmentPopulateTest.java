package io.shmbus.journal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A writable segment populates its pages ahead of the writer: after each record, every page under it is populated,
 * no more than {@link SegmentFile#POPULATE_AHEAD} (and a page) past it and never past the mapped chunk; a new chunk
 * starts populating from its own start. The records' bytes are not touched by it: what is written reads back.
 */
class SegmentPopulateTest
{
    private static final long PAGE = 4096;
    private Path directory;

    @AfterEach
    void cleanUp()
    {
        JournalTestSupport.delete(directory);
    }

    @Test
    void pagesArePopulatedAheadOfEveryRecordWithinTheChunk()
    {
        directory = JournalTestSupport.newDirectory("populate");
        final long segmentLength = 8L << 20;
        final long chunkLength = 1L << 20;
        final JournalFormat format = JournalFormat.builder().segmentLengthBytes(segmentLength).build();
        assertTrue(SegmentFile.populateSupported(), "this kernel (5.14 or later) knows MADV_POPULATE_WRITE");
        try (SegmentFile segment = SegmentFile.create(directory, 0, format, 42, chunkLength))
        {
            final long dataEnd = segmentLength - PAGE;
            final int recordLength = 88; // not a divisor of a page: records straddle pages at every alignment
            long chunkStart = -1;
            long populateCalls = 0;
            long lastLimit = -1;
            for (long offset = format.dataOffset(); offset + recordLength <= dataEnd; offset += recordLength)
            {
                final int index = segment.map(offset);
                final long start = offset - index;
                if (start != chunkStart)
                {
                    chunkStart = start;
                    lastLimit = -1;
                }
                segment.allocate(offset + recordLength);
                segment.populateFor(offset + recordLength);
                final long limit = segment.populatedLimit();
                final long mappedEnd = chunkStart + segment.mappedBytes() - format.dataOffset();
                assertTrue(limit >= offset + recordLength, "record at " + offset + " populated only to " + limit);
                assertTrue(limit <= offset + recordLength + SegmentFile.POPULATE_AHEAD + PAGE,
                    "populated to " + limit + ", too far past the record at " + offset);
                assertTrue(limit <= mappedEnd, "populated to " + limit + " past the mapping's end " + mappedEnd);
                assertEquals(0, limit % PAGE, "a page boundary");
                if (limit != lastLimit)
                {
                    populateCalls++;
                    lastLimit = limit;
                }
                segment.chunk().putLong(index, offset);
                segment.chunk().putLong(index + recordLength - 8, ~offset);
            }
            // About one call per half of the look-ahead, not one per record.
            final long expected = (dataEnd - format.dataOffset()) / (SegmentFile.POPULATE_AHEAD / 2);
            assertTrue(populateCalls >= expected / 2 && populateCalls <= expected * 2 + 16,
                populateCalls + " populations for about " + expected);
            for (long offset = format.dataOffset(); offset + recordLength <= dataEnd; offset += recordLength)
            {
                final int index = segment.map(offset);
                assertEquals(offset, segment.chunk().getLong(index));
                assertEquals(~offset, segment.chunk().getLong(index + recordLength - 8));
            }
        }
    }
}
