package io.shmbus.journal;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The layout of a segment file: a header page, the time index, then the data region of records
 * ({@link RecordDescriptor}). Little-endian.
 *
 * <pre>
 *   offset  field
 *      0    long  magic "SHMBJSEG" (0x4745534a424d4853)
 *      8    int   version, written last (the segment is complete once it is non-zero)
 *     12    int   record alignment
 *     16    long  journal id (as in journal.meta)
 *     24    long  segment index (0, 1, 2, ...; the file is named after it)
 *     32    long  base position: journal position of the first byte of the data region
 *     40    long  segment length (the file's size)
 *     48    int   data offset: where the data region starts (a multiple of 4096)
 *     52    int   time index interval in bytes
 *     56    int   time index capacity, entries
 *     60    int   largest frame length
 *     64    long  creation time, epoch nanoseconds
 *    128    int   time index entries written (release; recorder-owned)
 *    136    long  mapped limit: the end of the furthest chunk the recorder allocated and mapped (file offset)
 *    144    long  end position: journal position where this segment's records end; 0 while it is being written
 *   4096    time index: entry k (16 bytes) = { long position, long max timestamp before it } of the first record
 *           that starts at or after data offset k * interval
 *   data offset .. segment length: records
 * </pre>
 */
public final class SegmentDescriptor
{
    /** "SHMBJSEG" read as a little-endian long. */
    public static final long MAGIC = 0x4745534a424d4853L;
    /** The format version this code writes and reads. */
    public static final int VERSION = 1;
    /** Length of the header page. */
    public static final int HEADER_LENGTH = 4096;
    /** Length of one time index entry. */
    public static final int INDEX_ENTRY_LENGTH = 16;

    /** Offset of the magic. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the version. */
    public static final int VERSION_OFFSET = 8;
    /** Offset of the record alignment. */
    public static final int ALIGNMENT_OFFSET = 12;
    /** Offset of the journal id. */
    public static final int JOURNAL_ID_OFFSET = 16;
    /** Offset of the segment index. */
    public static final int SEGMENT_INDEX_OFFSET = 24;
    /** Offset of the base position. */
    public static final int BASE_POSITION_OFFSET = 32;
    /** Offset of the segment length. */
    public static final int SEGMENT_LENGTH_OFFSET = 40;
    /** Offset of the data offset. */
    public static final int DATA_OFFSET_OFFSET = 48;
    /** Offset of the index interval. */
    public static final int INDEX_INTERVAL_OFFSET = 52;
    /** Offset of the index capacity. */
    public static final int INDEX_CAPACITY_OFFSET = 56;
    /** Offset of the largest frame length. */
    public static final int MAX_FRAME_LENGTH_OFFSET = 60;
    /** Offset of the creation time. */
    public static final int CREATED_OFFSET = 64;
    /** Offset of the number of index entries written. */
    public static final int INDEX_COUNT_OFFSET = 128;
    /** Offset of the mapped limit. */
    public static final int MAPPED_LIMIT_OFFSET = 136;
    /** Offset of the end position. */
    public static final int END_POSITION_OFFSET = 144;

    private SegmentDescriptor()
    {
    }

    /**
     * @param format the journal's format.
     * @return the number of time index entries a segment holds.
     */
    public static int indexCapacity(final JournalFormat format)
    {
        return (int)((format.segmentLengthBytes() - HEADER_LENGTH) / format.indexIntervalBytes()) + 1;
    }

    /**
     * @param format the journal's format.
     * @return where a segment's data region starts.
     */
    public static int dataOffset(final JournalFormat format)
    {
        final long indexBytes = (long)indexCapacity(format) * INDEX_ENTRY_LENGTH;
        return (int)(HEADER_LENGTH + ((indexBytes + HEADER_LENGTH - 1) & -HEADER_LENGTH));
    }

    /**
     * @param segmentIndex the segment's index.
     * @return the file name: {@code segment-} and the index in 12 digits, {@code .jnl}.
     */
    public static String fileName(final long segmentIndex)
    {
        return String.format("segment-%012d.jnl", segmentIndex);
    }

    /**
     * @param name a file name.
     * @return the segment index it names, or -1 when it is not a segment file's name.
     */
    public static long parseFileName(final String name)
    {
        if (name.length() != 24 || !name.startsWith("segment-") || !name.endsWith(".jnl"))
        {
            return -1;
        }
        long index = 0;
        for (int i = 8; i < 20; i++)
        {
            final char c = name.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            index = index * 10 + (c - '0');
        }
        return index;
    }

    /**
     * Check a segment's header against the journal it should belong to.
     *
     * @param header       the mapped header page.
     * @param file         for messages.
     * @param format       the journal's format.
     * @param journalId    the journal's id.
     * @param segmentIndex the index the file name gives.
     * @param fileSize     the file's size now.
     * @throws JournalCorruptedException naming the field and the value found.
     */
    public static void check(
        final UnsafeBuffer header,
        final String file,
        final JournalFormat format,
        final long journalId,
        final long segmentIndex,
        final long fileSize)
    {
        if (fileSize < HEADER_LENGTH)
        {
            throw new JournalCorruptedException(file + " is truncated: " + fileSize + " bytes, a segment has " +
                format.segmentLengthBytes());
        }
        final long magic = header.getLong(MAGIC_OFFSET);
        if (MAGIC != magic)
        {
            throw new JournalCorruptedException(file + " is not a journal segment: magic 0x" +
                Long.toHexString(magic) + ", expected 0x" + Long.toHexString(MAGIC));
        }
        final int version = header.getIntVolatile(VERSION_OFFSET);
        if (VERSION != version)
        {
            throw new JournalCorruptedException(file + " has segment version " + version + ", this code reads " +
                VERSION);
        }
        final long id = header.getLong(JOURNAL_ID_OFFSET);
        if (id != journalId)
        {
            throw new JournalCorruptedException(file + " belongs to another journal: id 0x" + Long.toHexString(id) +
                ", this journal's is 0x" + Long.toHexString(journalId));
        }
        expect(file, "segment index", header.getLong(SEGMENT_INDEX_OFFSET), segmentIndex);
        expect(file, "record alignment", header.getInt(ALIGNMENT_OFFSET), format.recordAlignment());
        expect(file, "segment length", header.getLong(SEGMENT_LENGTH_OFFSET), format.segmentLengthBytes());
        expect(file, "base position", header.getLong(BASE_POSITION_OFFSET), format.segmentBasePosition(segmentIndex));
        expect(file, "data offset", header.getInt(DATA_OFFSET_OFFSET), dataOffset(format));
        expect(file, "index interval", header.getInt(INDEX_INTERVAL_OFFSET), format.indexIntervalBytes());
        expect(file, "largest frame length", header.getInt(MAX_FRAME_LENGTH_OFFSET), format.maxFrameLength());
        if (fileSize != format.segmentLengthBytes())
        {
            throw new JournalCorruptedException(file + " is " + (fileSize < format.segmentLengthBytes() ?
                "truncated" : "too long") + ": " + fileSize + " bytes, a segment has " + format.segmentLengthBytes());
        }
        final int count = header.getIntVolatile(INDEX_COUNT_OFFSET);
        if (count < 0 || count > indexCapacity(format))
        {
            throw new JournalCorruptedException(file + " holds " + count + " time index entries, at most " +
                indexCapacity(format) + " fit");
        }
    }

    private static void expect(final String file, final String field, final long found, final long expected)
    {
        if (found != expected)
        {
            throw new JournalCorruptedException(file + " has " + field + " " + found + ", expected " + expected);
        }
    }
}
