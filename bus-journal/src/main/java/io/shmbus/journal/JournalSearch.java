package io.shmbus.journal;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Finds places in the segments of a {@link Journal}: its end (a scan of the segment the recorder appends to,
 * from that segment's last time index entry) and the first record at or after a time (through the time index).
 * A segment removed while it looks throws {@link SegmentMissingException}: the journal runs the search again.
 */
final class JournalSearch
{
    private final Journal journal;
    private final JournalFormat format;

    JournalSearch(final Journal journal)
    {
        this.journal = journal;
        this.format = journal.format();
    }

    /**
     * Scan the segment the recorder appends to: the last one, or the one before it when the last is an empty
     * segment made ahead of a roll that has not happened yet.
     */
    RecordScan scanTail(final long[] indices)
    {
        final RecordScan scan;
        try (SegmentFile last = journal.openSegment(indices[indices.length - 1]))
        {
            scan = scanFromLastEntry(last);
        }
        if (0 == scan.records && !scan.sealed && indices.length > 1 &&
            scan.endPosition == format.segmentBasePosition(indices[indices.length - 1]))
        {
            try (SegmentFile previous = journal.openSegment(indices[indices.length - 2]))
            {
                final RecordScan previousScan = scanFromLastEntry(previous);
                if (!previousScan.sealed)
                {
                    return previousScan;
                }
            }
        }
        return scan;
    }

    private RecordScan scanFromLastEntry(final SegmentFile segment)
    {
        final UnsafeBuffer header = segment.header();
        final int count = header.getIntVolatile(SegmentDescriptor.INDEX_COUNT_OFFSET);
        long from = segment.basePosition();
        long maxTs = 0;
        if (count > 0)
        {
            final int entry = SegmentDescriptor.HEADER_LENGTH + (count - 1) * SegmentDescriptor.INDEX_ENTRY_LENGTH;
            from = header.getLong(entry);
            maxTs = header.getLong(entry + 8);
        }
        return new RecordScan().scan(segment, format, from, maxTs);
    }

    /**
     * @return see {@link Journal#positionAtTime(long)}.
     */
    long searchTime(final long timestampNs)
    {
        final long[] indices = journal.segmentIndices();
        if (0 == indices.length)
        {
            return format.segmentBasePosition(journal.startSegment());
        }
        int chosen = 0;
        for (int i = indices.length - 1; i > 0; i--)
        {
            try (SegmentFile segment = journal.openSegment(indices[i]))
            {
                final UnsafeBuffer header = segment.header();
                if (header.getIntVolatile(SegmentDescriptor.INDEX_COUNT_OFFSET) > 0 &&
                    header.getLong(SegmentDescriptor.HEADER_LENGTH + 8) < timestampNs)
                {
                    chosen = i;
                    break;
                }
            }
        }
        for (int i = chosen; i < indices.length; i++)
        {
            try (SegmentFile segment = journal.openSegment(indices[i]))
            {
                final long found = searchSegment(segment, timestampNs);
                if (found >= 0)
                {
                    return found;
                }
            }
        }
        return journal.endPosition();
    }

    private long searchSegment(final SegmentFile segment, final long timestampNs)
    {
        final UnsafeBuffer header = segment.header();
        final int count = header.getIntVolatile(SegmentDescriptor.INDEX_COUNT_OFFSET);
        int low = 0;
        int high = count - 1;
        int best = -1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            if (header.getLong(SegmentDescriptor.HEADER_LENGTH + mid * SegmentDescriptor.INDEX_ENTRY_LENGTH + 8) <
                timestampNs)
            {
                best = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        long position = segment.basePosition();
        long maxTs = Long.MIN_VALUE;
        if (best >= 0)
        {
            final int entry = SegmentDescriptor.HEADER_LENGTH + best * SegmentDescriptor.INDEX_ENTRY_LENGTH;
            position = header.getLong(entry);
            maxTs = header.getLong(entry + 8);
        }
        final long base = segment.basePosition();
        final long capacity = format.dataCapacity();
        while (position - base < capacity)
        {
            final int index = segment.map(format.dataOffset() + (position - base));
            final UnsafeBuffer chunk = segment.chunk();
            final int frameLength = RecordScan.check(
                segment, index, position, capacity - (position - base), format, null);
            if (frameLength <= 0)
            {
                return RecordScan.PADDING == frameLength ? -1 : position;
            }
            maxTs = Math.max(maxTs, chunk.getLong(index + RecordDescriptor.TIMESTAMP_OFFSET));
            if (maxTs >= timestampNs)
            {
                return position;
            }
            position += RecordDescriptor.alignedLength(frameLength, format.recordAlignment());
        }
        return -1;
    }
}
