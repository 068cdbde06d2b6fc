package io.shmbus.impl.ring;

import io.shmbus.MessageHeader;
import io.shmbus.impl.layout.RecordDescriptor;
import org.agrona.DirectBuffer;

import static io.shmbus.impl.layout.RecordDescriptor.PUBLISHER_ID_OFFSET;
import static io.shmbus.impl.layout.RecordDescriptor.TIMESTAMP_OFFSET;
import static io.shmbus.impl.layout.RecordDescriptor.TYPE_OFFSET;

/**
 * The reusable header flyweight handed to handlers: the buffer is fixed for the subscriber's life, the record's
 * index, position and length are set per message (three plain stores), and the rest is read from the record header
 * or computed only when asked for.
 */
final class RingMessageHeader implements MessageHeader
{
    private final boolean timestamps;
    private final int headerLength;
    private final DirectBuffer buffer;
    private int index;
    private long position;
    private int length;

    /**
     * @param buffer       the buffer the subscriber reads records from (the ring, or its copy of one record).
     * @param headerLength the record header's length.
     * @param timestamps   whether records carry a timestamp.
     */
    RingMessageHeader(final DirectBuffer buffer, final int headerLength, final boolean timestamps)
    {
        this.buffer = buffer;
        this.headerLength = headerLength;
        this.timestamps = timestamps;
    }

    /**
     * @param index    the record's index in {@link #buffer}.
     * @param position the record's stream position.
     * @param length   the message's length (the record's, less its header).
     */
    void set(final int index, final long position, final int length)
    {
        this.index = index;
        this.position = position;
        this.length = length;
    }

    @Override
    public long position()
    {
        return position;
    }

    @Override
    public long nextPosition()
    {
        return position + RecordDescriptor.alignedLength(headerLength + length);
    }

    @Override
    public int length()
    {
        return length;
    }

    @Override
    public int type()
    {
        return buffer.getInt(index + TYPE_OFFSET);
    }

    @Override
    public int publisherId()
    {
        return buffer.getShort(index + PUBLISHER_ID_OFFSET);
    }

    @Override
    public long timestampNs()
    {
        return timestamps ? buffer.getLong(index + TIMESTAMP_OFFSET) : 0;
    }

    @Override
    public String toString()
    {
        return "MessageHeader{position=" + position + ", length=" + length + '}';
    }
}
