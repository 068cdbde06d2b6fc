package io.shmbus.journal;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Walks the records of one segment from a record start: where they end, whether the segment is sealed, the last
 * message's next topic position and the running maximum of the timestamps. Reused; not thread safe.
 */
final class RecordScan
{
    /** Verdict of {@link #check}: no record here yet. */
    static final int EMPTY = 0;
    /** Verdict of {@link #check}: the end-of-segment padding. */
    static final int PADDING = -1;
    /** Verdict of {@link #check}: bytes no recorder wrote whole. */
    static final int INVALID = -2;

    long endPosition;
    boolean sealed;
    long lastTopicNextPosition = -1;
    long maxTimestampNs;
    long records;
    String problem;
    private final RecordChecksum checksum = new RecordChecksum();

    /**
     * Check the record at a position.
     *
     * @param segment   the segment, its chunk mapped over the record.
     * @param index     the record's index in the chunk.
     * @param position  the record's journal position.
     * @param remaining bytes left in the segment from it.
     * @param format    the journal's format.
     * @param checksum  to check the checksum with, or null not to check it.
     * @return the frame length of a valid record, or {@link #EMPTY}, {@link #PADDING}, {@link #INVALID}.
     */
    static int check(
        final SegmentFile segment,
        final int index,
        final long position,
        final long remaining,
        final JournalFormat format,
        final RecordChecksum checksum)
    {
        final UnsafeBuffer chunk = segment.chunk();
        final int frameLength = chunk.getIntAcquire(index + RecordDescriptor.FRAME_LENGTH_OFFSET);
        if (0 == frameLength)
        {
            return EMPTY;
        }
        if (frameLength < 0)
        {
            return -(long)frameLength == remaining ? PADDING : INVALID;
        }
        if (frameLength < RecordDescriptor.HEADER_LENGTH || frameLength > format.maxFrameLength() ||
            RecordDescriptor.alignedLength(frameLength, format.recordAlignment()) >= remaining)
        {
            return INVALID;
        }
        if (chunk.getLong(index + RecordDescriptor.JOURNAL_POSITION_OFFSET) != position)
        {
            return INVALID;
        }
        if (null != checksum && chunk.getInt(index + RecordDescriptor.CHECKSUM_OFFSET) !=
            checksum.compute(chunk, index, frameLength))
        {
            return INVALID;
        }
        return frameLength;
    }

    /**
     * @param chunk    the mapped window.
     * @param index    the record's index in it.
     * @param position the record's journal position.
     * @return a description of what is wrong with the record, for messages.
     */
    static String describe(final UnsafeBuffer chunk, final int index, final long position)
    {
        return "frame length " + chunk.getInt(index) + ", stored position " +
            chunk.getLong(index + RecordDescriptor.JOURNAL_POSITION_OFFSET) + " at position " + position +
            ", checksum 0x" + Integer.toHexString(chunk.getInt(index + RecordDescriptor.CHECKSUM_OFFSET));
    }

    /**
     * Walk a segment's records from {@code fromPosition} until the first empty or invalid slot or the padding.
     *
     * @param segment           the segment.
     * @param format            the journal's format.
     * @param fromPosition      a record start in the segment.
     * @param maxTimestampStart the running maximum of the timestamps before {@code fromPosition}.
     * @return this, filled in.
     */
    RecordScan scan(
        final SegmentFile segment, final JournalFormat format, final long fromPosition, final long maxTimestampStart)
    {
        final long base = segment.basePosition();
        final long capacity = format.dataCapacity();
        final int alignment = format.recordAlignment();
        long position = fromPosition;
        long maxTs = maxTimestampStart;
        long lastNext = -1;
        long count = 0;
        sealed = false;
        problem = null;
        try
        {
            while (position - base < capacity)
            {
                final long remaining = capacity - (position - base);
                final int index = segment.map(format.dataOffset() + (position - base));
                final UnsafeBuffer chunk = segment.chunk();
                final int frameLength = check(segment, index, position, remaining, format, checksum);
                if (EMPTY == frameLength)
                {
                    break;
                }
                if (PADDING == frameLength)
                {
                    sealed = true;
                    position += remaining;
                    break;
                }
                if (INVALID == frameLength)
                {
                    problem = describe(chunk, index, position);
                    break;
                }
                final long ts = chunk.getLong(index + RecordDescriptor.TIMESTAMP_OFFSET);
                maxTs = Math.max(maxTs, ts);
                if (RecordDescriptor.KIND_LOSS == chunk.getShort(index + RecordDescriptor.KIND_OFFSET))
                {
                    lastNext = chunk.getLong(index + RecordDescriptor.HEADER_LENGTH + 24);
                }
                else
                {
                    lastNext = chunk.getLong(index + RecordDescriptor.TOPIC_POSITION_OFFSET) +
                        chunk.getInt(index + RecordDescriptor.TOPIC_RECORD_LENGTH_OFFSET);
                }
                count++;
                position += RecordDescriptor.alignedLength(frameLength, alignment);
            }
        }
        catch (final InternalError error)
        {
            throw new JournalCorruptedException("fault reading " + segment.path() + " at position " + position +
                " (truncated while mapped?)", error);
        }
        endPosition = position;
        maxTimestampNs = maxTs;
        lastTopicNextPosition = lastNext;
        records = count;
        return this;
    }
}
