package io.shmbus.aeron;

/**
 * The small header the Aeron transport puts before every message body: the application's message type and the
 * publisher's id, little-endian ints. The publication timestamp, when the topic records timestamps, travels
 * in Aeron's reserved value.
 *
 * <pre>
 *   0        4            8
 *   | type   | publisherId | body ...
 * </pre>
 */
public final class MessageFraming
{
    /** Offset of the message type. */
    public static final int TYPE_OFFSET = 0;
    /** Offset of the publisher id. */
    public static final int PUBLISHER_ID_OFFSET = 4;
    /** Length of the header; the body follows. */
    public static final int HEADER_LENGTH = 8;

    private MessageFraming()
    {
    }
}
