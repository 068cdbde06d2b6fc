package io.shmbus.journal;

/**
 * The layout of one record in a segment's data region. Records start at multiples of the journal's record
 * alignment; all fields are little-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                   frame length (commit word)                  |  0
 *  +---------------------------------------------------------------+
 *  |                 CRC-32C of bytes 8 .. frame length            |  4
 *  +---------------------------------------------------------------+
 *  |                 journal position of this record               |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 topic position of the message                 | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 timestamp, epoch nanoseconds                  | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          topic record length (next topic position - position) | 32
 *  +---------------------------------------------------------------+
 *  |                         message type                          | 36
 *  +---------------------------------------------------------------+
 *  |                         publisher id                          | 40
 *  +-------------------------------+-------------------------------+
 *  |             kind              |          reserved (0)         | 44
 *  +-------------------------------+-------------------------------+
 *  |                     payload (frame length - 48)              ...  48
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>The frame length is written last, with a release store: a reader that sees it non-zero (acquire) sees
 * the whole record. A negative frame length is the end-of-segment padding and must equal minus the bytes left
 * in the segment; a record never ends exactly at the segment's end, so the padding always has room. Kinds:
 * {@link #KIND_MESSAGE}, and {@link #KIND_LOSS} whose payload is four longs: the lost messages, lost bytes, and
 * the topic positions the loss ran from and to.
 */
public final class RecordDescriptor
{
    /** Offset of the frame length, the commit word. */
    public static final int FRAME_LENGTH_OFFSET = 0;
    /** Offset of the checksum. */
    public static final int CHECKSUM_OFFSET = 4;
    /** Offset of the record's own journal position. */
    public static final int JOURNAL_POSITION_OFFSET = 8;
    /** Offset of the message's topic position. */
    public static final int TOPIC_POSITION_OFFSET = 16;
    /** Offset of the timestamp. */
    public static final int TIMESTAMP_OFFSET = 24;
    /** Offset of the topic record length. */
    public static final int TOPIC_RECORD_LENGTH_OFFSET = 32;
    /** Offset of the message type. */
    public static final int TYPE_OFFSET = 36;
    /** Offset of the publisher id. */
    public static final int PUBLISHER_ID_OFFSET = 40;
    /** Offset of the kind. */
    public static final int KIND_OFFSET = 44;
    /** Length of the header; the payload follows. */
    public static final int HEADER_LENGTH = 48;
    /** Where the checksum starts. */
    public static final int CHECKSUM_START = JOURNAL_POSITION_OFFSET;

    /** A recorded message. */
    public static final short KIND_MESSAGE = 1;
    /** A loss the recorder was told of: messages the topic reused before it read them. */
    public static final short KIND_LOSS = 2;
    /** Payload length of a loss record. */
    public static final int LOSS_PAYLOAD_LENGTH = 32;

    private RecordDescriptor()
    {
    }

    /**
     * @param frameLength header and payload.
     * @param alignment   the journal's record alignment (a power of two).
     * @return the bytes the record takes in the segment.
     */
    public static int alignedLength(final int frameLength, final int alignment)
    {
        return (frameLength + alignment - 1) & -alignment;
    }
}
