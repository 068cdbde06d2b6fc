package io.shmbus.journal;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * The layout of {@code journal.meta}, the file that names a journal's settings and carries the recorder's lock.
 * One page, little-endian.
 *
 * <pre>
 *   offset  field
 *      0    long  magic "SHMBJRNL" (0x4c4e524a424d4853)
 *      8    int   version, written last when the journal is created (the ready flag)
 *     12    int   record alignment
 *     16    long  segment length in bytes (a segment file's size)
 *     24    long  base position: journal position of segment 0's first record
 *     32    int   largest frame (record header + payload) in bytes
 *     36    int   time index interval in bytes
 *     40    long  journal id (random; every segment carries it)
 *     48    long  creation time, epoch nanoseconds
 *     56    int   topic name length in bytes
 *     60    byte[100] topic name, US-ASCII
 *    192    int   pid of the recorder that last took the lock
 *    200    long  when it took it, epoch nanoseconds
 *    256    long  recorded topic position: the recorder's topic position after its last poll (release)
 *    264    long  start segment: the index of the first segment kept; segments before it were removed by
 *                 retention or a trim (release, written before the segment file is unlinked)
 *    272    long  topic next position of the last record before the last roll (for a recovery whose
 *                 previous segment is gone)
 *    280    long  latest timestamp before the last roll
 * </pre>
 *
 * <p>The fields from 264 on are zero in a journal written before they existed, which reads as "nothing
 * removed": the same version reads both.
 *
 * <p>The recorder (and {@code journal trim}) holds an exclusive OFD lock on the whole file while it runs.
 * Readers never lock it; they take a shared OFD lock on each segment file they map, and whoever removes a
 * segment must first take an exclusive one on it (see {@link SegmentDescriptor}).
 */
public final class JournalMetaDescriptor
{
    /** The file's name in the journal directory. */
    public static final String FILE_NAME = "journal.meta";
    /** "SHMBJRNL" read as a little-endian long. */
    public static final long MAGIC = 0x4c4e524a424d4853L;
    /** The format version this code writes and reads. */
    public static final int VERSION = 1;
    /** The file's length. */
    public static final int LENGTH = 4096;
    /** Longest topic name. */
    public static final int MAX_TOPIC_NAME_LENGTH = 100;

    /** Offset of the magic. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the version. */
    public static final int VERSION_OFFSET = 8;
    /** Offset of the record alignment. */
    public static final int ALIGNMENT_OFFSET = 12;
    /** Offset of the segment length. */
    public static final int SEGMENT_LENGTH_OFFSET = 16;
    /** Offset of the base position. */
    public static final int BASE_POSITION_OFFSET = 24;
    /** Offset of the largest frame length. */
    public static final int MAX_FRAME_LENGTH_OFFSET = 32;
    /** Offset of the index interval. */
    public static final int INDEX_INTERVAL_OFFSET = 36;
    /** Offset of the journal id. */
    public static final int JOURNAL_ID_OFFSET = 40;
    /** Offset of the creation time. */
    public static final int CREATED_OFFSET = 48;
    /** Offset of the topic name length. */
    public static final int TOPIC_NAME_LENGTH_OFFSET = 56;
    /** Offset of the topic name. */
    public static final int TOPIC_NAME_OFFSET = 60;
    /** Offset of the recorder's pid. */
    public static final int RECORDER_PID_OFFSET = 192;
    /** Offset of the recorder's start time. */
    public static final int RECORDER_STARTED_OFFSET = 200;
    /** Offset of the recorded topic position. */
    public static final int RECORDED_TOPIC_POSITION_OFFSET = 256;
    /** Offset of the start segment. */
    public static final int START_SEGMENT_OFFSET = 264;
    /** Offset of the topic next position at the last roll. */
    public static final int ROLL_TOPIC_NEXT_POSITION_OFFSET = 272;
    /** Offset of the latest timestamp at the last roll. */
    public static final int ROLL_MAX_TIMESTAMP_OFFSET = 280;

    private JournalMetaDescriptor()
    {
    }

    /**
     * @param buffer the mapped file.
     * @return the topic name stored.
     */
    public static String topicName(final UnsafeBuffer buffer)
    {
        final int length = buffer.getInt(TOPIC_NAME_LENGTH_OFFSET);
        final byte[] bytes = new byte[Math.max(0, Math.min(length, MAX_TOPIC_NAME_LENGTH))];
        buffer.getBytes(TOPIC_NAME_OFFSET, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /**
     * Check a mapped meta file and read its format.
     *
     * @param buffer the mapped file.
     * @param file   for messages.
     * @return the journal's format as stored.
     * @throws JournalCorruptedException naming the field and the value found.
     */
    public static JournalFormat check(final UnsafeBuffer buffer, final String file)
    {
        final long magic = buffer.getLong(MAGIC_OFFSET);
        if (MAGIC != magic)
        {
            throw new JournalCorruptedException(file + " is not a shmbus journal: magic 0x" + Long.toHexString(magic) +
                ", expected 0x" + Long.toHexString(MAGIC));
        }
        final int version = buffer.getIntVolatile(VERSION_OFFSET);
        if (VERSION != version)
        {
            throw new JournalCorruptedException(file + " has format version " + version + ", this code reads " +
                VERSION + (0 == version ? " (its creator died before finishing it)" : ""));
        }
        try
        {
            return JournalFormat.builder()
                .recordAlignment(buffer.getInt(ALIGNMENT_OFFSET))
                .segmentLengthBytes(buffer.getLong(SEGMENT_LENGTH_OFFSET))
                .basePosition(buffer.getLong(BASE_POSITION_OFFSET))
                .maxMessageLength(buffer.getInt(MAX_FRAME_LENGTH_OFFSET) - RecordDescriptor.HEADER_LENGTH)
                .indexIntervalBytes(buffer.getInt(INDEX_INTERVAL_OFFSET))
                .build();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new JournalCorruptedException(file + " holds settings no recorder writes: " + ex.getMessage(), ex);
        }
    }
}
