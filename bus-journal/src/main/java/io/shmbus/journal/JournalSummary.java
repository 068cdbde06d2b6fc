package io.shmbus.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Gathers {@link Journal#info()}: the segments' sizes, the first record's time, and the end and latest time
 * from a scan of the tail. A segment removed while it looks throws {@link SegmentMissingException}: the journal
 * gathers again.
 */
final class JournalSummary
{
    private JournalSummary()
    {
    }

    static JournalInfo summarise(final Journal journal, final JournalSearch search)
    {
        final Path directory = journal.directory();
        final JournalFormat format = journal.format();
        final long[] indices = journal.segmentIndices();
        long bytes = 0;
        for (final long index : indices)
        {
            try
            {
                bytes += Files.size(directory.resolve(SegmentDescriptor.fileName(index)));
            }
            catch (final java.nio.file.NoSuchFileException ex)
            {
                throw new SegmentMissingException("segment " + index + " of " + directory + " is not there", index, ex);
            }
            catch (final IOException ex)
            {
                throw new JournalException("cannot read the size of segment " + index + " in " + directory, ex);
            }
        }
        long firstTs = 0;
        long lastTs = 0;
        long end = format.segmentBasePosition(journal.startSegment());
        final long start = 0 == indices.length ? end : format.segmentBasePosition(indices[0]);
        if (indices.length > 0)
        {
            try (SegmentFile first = journal.openSegment(indices[0]))
            {
                final int index = first.map(format.dataOffset());
                if (RecordScan.check(first, index, first.basePosition(), format.dataCapacity(), format,
                    new RecordChecksum()) > 0)
                {
                    firstTs = first.chunk().getLong(index + RecordDescriptor.TIMESTAMP_OFFSET);
                }
            }
            final RecordScan scan = search.scanTail(indices);
            end = scan.endPosition;
            lastTs = scan.maxTimestampNs;
        }
        return new JournalInfo(directory, journal.topicName(), format, indices.length,
            indices.length > 0 ? indices[0] : -1, indices.length > 0 ? indices[indices.length - 1] : -1, start, end,
            firstTs, lastTs, bytes, journal.recordedTopicPosition(), journal.isRecording(), journal.recorderPid());
    }
}
