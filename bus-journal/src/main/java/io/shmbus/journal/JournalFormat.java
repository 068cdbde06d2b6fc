package io.shmbus.journal;

/**
 * The settings a journal is created with, stored in {@code journal.meta} and in every segment header; fixed for
 * the journal's life. Immutable, validated when built.
 *
 * <table>
 *     <caption>Format settings</caption>
 *     <tr><th>setting</th><th>default</th><th>range</th></tr>
 *     <tr><td>segmentLengthBytes</td><td>1 GiB</td><td>a multiple of 4096, 64 KiB to 1 TiB, room for at least
 *     two of the largest records</td></tr>
 *     <tr><td>recordAlignment</td><td>8</td><td>a power of two, 8 to 4096</td></tr>
 *     <tr><td>basePosition</td><td>0</td><td>0 or more, a multiple of the alignment: the journal position of the
 *     first record</td></tr>
 *     <tr><td>maxMessageLength</td><td>64 KiB</td><td>0 to 16 MiB</td></tr>
 *     <tr><td>indexIntervalBytes</td><td>1 MiB, or a sixteenth of a smaller segment</td><td>4096 to the segment
 *     length, a multiple of 4096</td></tr>
 * </table>
 */
public final class JournalFormat
{
    /** Default segment length: 1 GiB. */
    public static final long DEFAULT_SEGMENT_LENGTH_BYTES = 1L << 30;
    /** Smallest segment. */
    public static final long MIN_SEGMENT_LENGTH_BYTES = 64 * 1024;
    /** Largest segment: 1 TiB. */
    public static final long MAX_SEGMENT_LENGTH_BYTES = 1L << 40;
    /** Default record alignment. */
    public static final int DEFAULT_RECORD_ALIGNMENT = 8;
    /** Default largest message. */
    public static final int DEFAULT_MAX_MESSAGE_LENGTH = 64 * 1024;
    /** Largest message a journal takes. */
    public static final int MAX_MAX_MESSAGE_LENGTH = 16 * 1024 * 1024;
    /** Default time index interval. */
    public static final int DEFAULT_INDEX_INTERVAL_BYTES = 1 << 20;
    private static final int PAGE = 4096;

    private final long segmentLengthBytes;
    private final int recordAlignment;
    private final long basePosition;
    private final int maxMessageLength;
    private final int indexIntervalBytes;
    private final int dataOffset;

    private JournalFormat(final Builder builder)
    {
        segmentLengthBytes = builder.segmentLengthBytes;
        recordAlignment = builder.recordAlignment;
        basePosition = builder.basePosition;
        maxMessageLength = builder.maxMessageLength;
        indexIntervalBytes = builder.indexIntervalBytes > 0 ? builder.indexIntervalBytes :
            (int)Math.min(DEFAULT_INDEX_INTERVAL_BYTES, Math.max(PAGE, (builder.segmentLengthBytes / 16) & -PAGE));
        validate();
        dataOffset = SegmentDescriptor.dataOffset(this);
        if (dataCapacity() < 2L * RecordDescriptor.alignedLength(maxFrameLength(), recordAlignment))
        {
            throw new IllegalArgumentException("segment length " + segmentLengthBytes + " leaves " + dataCapacity() +
                " bytes of data, less than two records of the largest message (" + maxMessageLength + " bytes)");
        }
    }

    private void validate()
    {
        if (segmentLengthBytes < MIN_SEGMENT_LENGTH_BYTES || segmentLengthBytes > MAX_SEGMENT_LENGTH_BYTES ||
            0 != segmentLengthBytes % PAGE)
        {
            throw new IllegalArgumentException("segment length must be a multiple of 4096 from " +
                MIN_SEGMENT_LENGTH_BYTES + " to " + MAX_SEGMENT_LENGTH_BYTES + ": " + segmentLengthBytes);
        }
        if (recordAlignment < 8 || recordAlignment > PAGE || Integer.bitCount(recordAlignment) != 1)
        {
            throw new IllegalArgumentException("record alignment must be a power of two from 8 to 4096: " +
                recordAlignment);
        }
        if (basePosition < 0 || 0 != basePosition % recordAlignment)
        {
            throw new IllegalArgumentException("base position must be 0 or more and a multiple of the record " +
                "alignment " + recordAlignment + ": " + basePosition);
        }
        if (maxMessageLength < 0 || maxMessageLength > MAX_MAX_MESSAGE_LENGTH)
        {
            throw new IllegalArgumentException("largest message length must be 0 to " + MAX_MAX_MESSAGE_LENGTH +
                ": " + maxMessageLength);
        }
        if (indexIntervalBytes < PAGE || 0 != indexIntervalBytes % PAGE || indexIntervalBytes > segmentLengthBytes)
        {
            throw new IllegalArgumentException("time index interval must be a multiple of 4096 from 4096 to the " +
                "segment length " + segmentLengthBytes + ": " + indexIntervalBytes);
        }
    }

    /**
     * @return the defaults.
     */
    public static JournalFormat defaults()
    {
        return builder().build();
    }

    /**
     * @return a builder starting from the defaults.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return a builder starting from these settings.
     */
    public Builder toBuilder()
    {
        return builder().segmentLengthBytes(segmentLengthBytes).recordAlignment(recordAlignment)
            .basePosition(basePosition).maxMessageLength(maxMessageLength).indexIntervalBytes(indexIntervalBytes);
    }

    /**
     * @return a segment file's size.
     */
    public long segmentLengthBytes()
    {
        return segmentLengthBytes;
    }

    /**
     * @return the record alignment.
     */
    public int recordAlignment()
    {
        return recordAlignment;
    }

    /**
     * @return the journal position of the first record.
     */
    public long basePosition()
    {
        return basePosition;
    }

    /**
     * @return the largest message payload.
     */
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    /**
     * @return the largest record, header included.
     */
    public int maxFrameLength()
    {
        return RecordDescriptor.HEADER_LENGTH + maxMessageLength;
    }

    /**
     * @return the time index interval.
     */
    public int indexIntervalBytes()
    {
        return indexIntervalBytes;
    }

    /**
     * @return where a segment's data region starts.
     */
    public int dataOffset()
    {
        return dataOffset;
    }

    /**
     * @return the bytes of records one segment holds.
     */
    public long dataCapacity()
    {
        return segmentLengthBytes - dataOffset;
    }

    /**
     * @param segmentIndex a segment's index.
     * @return the journal position of its first byte of data.
     */
    public long segmentBasePosition(final long segmentIndex)
    {
        return basePosition + segmentIndex * dataCapacity();
    }

    /**
     * @param position a journal position at or after the base.
     * @return the index of the segment holding it.
     */
    public long segmentIndex(final long position)
    {
        return (position - basePosition) / dataCapacity();
    }

    /**
     * @param other a format.
     * @return a description of the first setting that differs, or null when they are the same.
     */
    public String difference(final JournalFormat other)
    {
        if (segmentLengthBytes != other.segmentLengthBytes)
        {
            return "segment length " + segmentLengthBytes + " vs " + other.segmentLengthBytes;
        }
        if (recordAlignment != other.recordAlignment)
        {
            return "record alignment " + recordAlignment + " vs " + other.recordAlignment;
        }
        if (basePosition != other.basePosition)
        {
            return "base position " + basePosition + " vs " + other.basePosition;
        }
        if (maxMessageLength != other.maxMessageLength)
        {
            return "largest message length " + maxMessageLength + " vs " + other.maxMessageLength;
        }
        if (indexIntervalBytes != other.indexIntervalBytes)
        {
            return "time index interval " + indexIntervalBytes + " vs " + other.indexIntervalBytes;
        }
        return null;
    }

    @Override
    public String toString()
    {
        return "segments of " + segmentLengthBytes + " bytes, alignment " + recordAlignment + ", base position " +
            basePosition + ", messages up to " + maxMessageLength + " bytes, time index every " + indexIntervalBytes +
            " bytes";
    }

    /**
     * Builds a {@link JournalFormat}.
     */
    public static final class Builder
    {
        private long segmentLengthBytes = DEFAULT_SEGMENT_LENGTH_BYTES;
        private int recordAlignment = DEFAULT_RECORD_ALIGNMENT;
        private long basePosition;
        private int maxMessageLength = DEFAULT_MAX_MESSAGE_LENGTH;
        private int indexIntervalBytes = -1;

        private Builder()
        {
        }

        /**
         * @param segmentLengthBytes a segment file's size.
         * @return this.
         */
        public Builder segmentLengthBytes(final long segmentLengthBytes)
        {
            this.segmentLengthBytes = segmentLengthBytes;
            return this;
        }

        /**
         * @param recordAlignment the alignment of every record.
         * @return this.
         */
        public Builder recordAlignment(final int recordAlignment)
        {
            this.recordAlignment = recordAlignment;
            return this;
        }

        /**
         * @param basePosition the journal position of the first record.
         * @return this.
         */
        public Builder basePosition(final long basePosition)
        {
            this.basePosition = basePosition;
            return this;
        }

        /**
         * @param maxMessageLength the largest message payload.
         * @return this.
         */
        public Builder maxMessageLength(final int maxMessageLength)
        {
            this.maxMessageLength = maxMessageLength;
            return this;
        }

        /**
         * @param indexIntervalBytes bytes of records between two time index entries.
         * @return this.
         */
        public Builder indexIntervalBytes(final int indexIntervalBytes)
        {
            this.indexIntervalBytes = indexIntervalBytes;
            return this;
        }

        /**
         * @return the format.
         * @throws IllegalArgumentException naming the setting out of range and its value.
         */
        public JournalFormat build()
        {
            return new JournalFormat(this);
        }
    }
}
