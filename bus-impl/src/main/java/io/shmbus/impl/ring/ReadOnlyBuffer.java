package io.shmbus.impl.ring;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The buffer a subscriber's handler reads messages from: a {@link DirectBuffer} and nothing more, so a
 * handler cannot write into the shared ring through it (it is not a {@link MutableDirectBuffer}; a cast fails
 * with {@link ClassCastException}, in the handler's own process, and nothing shared is touched). Behind it, the
 * ring is mapped read-only in subscribers as a second line of defence.
 */
public final class ReadOnlyBuffer implements DirectBuffer
{
    private final DirectBuffer buffer;

    /**
     * @param buffer the buffer to expose read-only.
     */
    public ReadOnlyBuffer(final DirectBuffer buffer)
    {
        this.buffer = buffer;
    }

    @Override
    public void wrap(final byte[] a0)
    {
        throw new UnsupportedOperationException("a subscriber's view of the ring cannot be re-pointed");
    }

    @Override
    public void wrap(final byte[] a0, final int a1, final int a2)
    {
        throw new UnsupportedOperationException("a subscriber's view of the ring cannot be re-pointed");
    }

    @Override
    public void wrap(final ByteBuffer a0)
    {
        throw new UnsupportedOperationException("a subscriber's view of the ring cannot be re-pointed");
    }

    @Override
    public void wrap(final ByteBuffer a0, final int a1, final int a2)
    {
        throw new UnsupportedOperationException("a subscriber's view of the ring cannot be re-pointed");
    }

    @Override
    public void wrap(final DirectBuffer a0)
    {
        throw new UnsupportedOperationException("a subscriber's view of the ring cannot be re-pointed");
    }

    @Override
    public void wrap(final DirectBuffer a0, final int a1, final int a2)
    {
        throw new UnsupportedOperationException("a subscriber's view of the ring cannot be re-pointed");
    }

    @Override
    public void wrap(final long a0, final int a1)
    {
        throw new UnsupportedOperationException("a subscriber's view of the ring cannot be re-pointed");
    }

    @Override
    public long addressOffset()
    {
        return buffer.addressOffset();
    }

    @Override
    public byte[] byteArray()
    {
        return buffer.byteArray();
    }

    @Override
    public ByteBuffer byteBuffer()
    {
        return buffer.byteBuffer();
    }

    @Override
    public int capacity()
    {
        return buffer.capacity();
    }

    @Override
    public void checkLimit(final int a0)
    {
        buffer.checkLimit(a0);
    }

    @Override
    public long getLong(final int a0, final ByteOrder a1)
    {
        return buffer.getLong(a0, a1);
    }

    @Override
    public long getLong(final int a0)
    {
        return buffer.getLong(a0);
    }

    @Override
    public int getInt(final int a0, final ByteOrder a1)
    {
        return buffer.getInt(a0, a1);
    }

    @Override
    public int getInt(final int a0)
    {
        return buffer.getInt(a0);
    }

    @Override
    public int parseNaturalIntAscii(final int a0, final int a1)
    {
        return buffer.parseNaturalIntAscii(a0, a1);
    }

    @Override
    public long parseNaturalLongAscii(final int a0, final int a1)
    {
        return buffer.parseNaturalLongAscii(a0, a1);
    }

    @Override
    public int parseIntAscii(final int a0, final int a1)
    {
        return buffer.parseIntAscii(a0, a1);
    }

    @Override
    public long parseLongAscii(final int a0, final int a1)
    {
        return buffer.parseLongAscii(a0, a1);
    }

    @Override
    public double getDouble(final int a0, final ByteOrder a1)
    {
        return buffer.getDouble(a0, a1);
    }

    @Override
    public double getDouble(final int a0)
    {
        return buffer.getDouble(a0);
    }

    @Override
    public float getFloat(final int a0, final ByteOrder a1)
    {
        return buffer.getFloat(a0, a1);
    }

    @Override
    public float getFloat(final int a0)
    {
        return buffer.getFloat(a0);
    }

    @Override
    public short getShort(final int a0, final ByteOrder a1)
    {
        return buffer.getShort(a0, a1);
    }

    @Override
    public short getShort(final int a0)
    {
        return buffer.getShort(a0);
    }

    @Override
    public char getChar(final int a0, final ByteOrder a1)
    {
        return buffer.getChar(a0, a1);
    }

    @Override
    public char getChar(final int a0)
    {
        return buffer.getChar(a0);
    }

    @Override
    public byte getByte(final int a0)
    {
        return buffer.getByte(a0);
    }

    @Override
    public void getBytes(final int a0, final byte[] a1)
    {
        buffer.getBytes(a0, a1);
    }

    @Override
    public void getBytes(final int a0, final byte[] a1, final int a2, final int a3)
    {
        buffer.getBytes(a0, a1, a2, a3);
    }

    @Override
    public void getBytes(final int a0, final MutableDirectBuffer a1, final int a2, final int a3)
    {
        buffer.getBytes(a0, a1, a2, a3);
    }

    @Override
    public void getBytes(final int a0, final ByteBuffer a1, final int a2)
    {
        buffer.getBytes(a0, a1, a2);
    }

    @Override
    public void getBytes(final int a0, final ByteBuffer a1, final int a2, final int a3)
    {
        buffer.getBytes(a0, a1, a2, a3);
    }

    @Override
    public String getStringAscii(final int a0)
    {
        return buffer.getStringAscii(a0);
    }

    @Override
    public int getStringAscii(final int a0, final Appendable a1)
    {
        return buffer.getStringAscii(a0, a1);
    }

    @Override
    public String getStringAscii(final int a0, final ByteOrder a1)
    {
        return buffer.getStringAscii(a0, a1);
    }

    @Override
    public int getStringAscii(final int a0, final Appendable a1, final ByteOrder a2)
    {
        return buffer.getStringAscii(a0, a1, a2);
    }

    @Override
    public String getStringAscii(final int a0, final int a1)
    {
        return buffer.getStringAscii(a0, a1);
    }

    @Override
    public int getStringAscii(final int a0, final int a1, final Appendable a2)
    {
        return buffer.getStringAscii(a0, a1, a2);
    }

    @Override
    public String getStringWithoutLengthAscii(final int a0, final int a1)
    {
        return buffer.getStringWithoutLengthAscii(a0, a1);
    }

    @Override
    public int getStringWithoutLengthAscii(final int a0, final int a1, final Appendable a2)
    {
        return buffer.getStringWithoutLengthAscii(a0, a1, a2);
    }

    @Override
    public String getStringUtf8(final int a0)
    {
        return buffer.getStringUtf8(a0);
    }

    @Override
    public String getStringUtf8(final int a0, final ByteOrder a1)
    {
        return buffer.getStringUtf8(a0, a1);
    }

    @Override
    public String getStringUtf8(final int a0, final int a1)
    {
        return buffer.getStringUtf8(a0, a1);
    }

    @Override
    public String getStringWithoutLengthUtf8(final int a0, final int a1)
    {
        return buffer.getStringWithoutLengthUtf8(a0, a1);
    }

    @Override
    public void boundsCheck(final int a0, final int a1)
    {
        buffer.boundsCheck(a0, a1);
    }

    @Override
    public int wrapAdjustment()
    {
        return buffer.wrapAdjustment();
    }

    @Override
    public int compareTo(final DirectBuffer that)
    {
        return buffer.compareTo(that);
    }

    @Override
    public boolean equals(final Object obj)
    {
        return obj instanceof ReadOnlyBuffer that ? buffer.equals(that.buffer) : buffer.equals(obj);
    }

    @Override
    public int hashCode()
    {
        return buffer.hashCode();
    }

    @Override
    public String toString()
    {
        return "ReadOnlyBuffer{" + buffer + "}";
    }
}
