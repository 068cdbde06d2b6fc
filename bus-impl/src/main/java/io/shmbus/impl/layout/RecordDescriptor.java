package io.shmbus.impl.layout;

/**
 * A record in the data ring: a header, then the message body, padded to {@value #ALIGNMENT} bytes.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+  0
 *  |R|                 Length (int32, commit word)                 |
 *  +---------------------------------------------------------------+  4
 *  |                     Message type (int32)                      |
 *  +-------------------------------+-------------------------------+  8
 *  |      Publisher id (int16)     |        Kind (int16)           |
 *  +-------------------------------+-------------------------------+ 12
 *  |                      Reserved, zero (int32)                   |
 *  +---------------------------------------------------------------+ 16
 *  |         Timestamp, epoch ns (int64, timestamped topics)       |
 *  +---------------------------------------------------------------+ 24
 *  |                 Reserved, zero (timestamped topics)           |
 *  +---------------------------------------------------------------+ 32 (16 without timestamps)
 *  |                         Message body                        ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>The length word is the commit: 0 means nothing written yet (the bytes were zeroed before the tail could
 * reach them), a negative value {@code -length} means claimed and being written, a positive value is the
 * record's length (header plus body, before alignment) and means committed. The writer stores every other
 * field and the body first, then the length with release semantics; a reader loads the length with acquire
 * semantics and then may read the rest. Kind {@link #KIND_PADDING} marks a record that carries no message
 * (the end of the ring before a wrap, or an aborted or repaired claim).
 */
public final class RecordDescriptor
{
    /** Records start at multiples of this, so the 16-byte base header always fits before the ring's end. */
    public static final int ALIGNMENT = 16;
    public static final int HEADER_LENGTH = 16;
    public static final int HEADER_LENGTH_WITH_TIMESTAMP = 32;

    public static final int LENGTH_OFFSET = 0;
    public static final int TYPE_OFFSET = 4;
    public static final int PUBLISHER_ID_OFFSET = 8;
    public static final int KIND_OFFSET = 10;
    public static final int TIMESTAMP_OFFSET = 16;

    public static final short KIND_MESSAGE = 0;
    public static final short KIND_PADDING = 1;

    private RecordDescriptor()
    {
    }

    /**
     * @param recordLength header plus body.
     * @return the bytes the record occupies in the ring.
     */
    public static int alignedLength(final int recordLength)
    {
        return (recordLength + (ALIGNMENT - 1)) & -ALIGNMENT;
    }
}
