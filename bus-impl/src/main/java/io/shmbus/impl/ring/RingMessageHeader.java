package io.shmbus.impl.ring;

import io.shmbus.MessageHeader;
import org.agrona.DirectBuffer;

import static io.shmbus.impl.layout.RecordDescriptor.PUBLISHER_ID_OFFSET;
import static io.shmbus.impl.layout.RecordDescriptor.TIMESTAMP_OFFSET;
import static io.shmbus.impl.layout.RecordDescriptor.TYPE_OFFSET;

/**
 * The reusable header flyweight handed to handlers: positions are set per message, the rest is read from the
 * record header only when asked for.
 */
final class RingMessageHeader implements MessageHeader
{
    private final boolean timestamps;
    private DirectBuffer buffer;
    private int index;
    private long position;
    private long nextPosition;
    private int length;

    RingMessageHeader(final boolean timestamps)
    {
        this.timestamps = timestamps;
    }

    void set(final DirectBuffer buffer, final int index, final long position, final long nextPosition, final int length)
    {
        this.buffer = buffer;
        this.index = index;
        this.position = position;
        this.nextPosition = nextPosition;
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
        return nextPosition;
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
