package io.shmbus.interop;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The messages the tests and the C programs exchange (interop/c/testmsg.h is the same in C). A message of publisher
 * tag T with sequence number S has the message type T and a body of {@code 12 + (S * 37 + T * 11) % span} bytes:
 * S (int64, little-endian), T (int32), then byte i (from 12) is {@code (S * 31 + i * 7 + T) & 0xff}. Checksums are
 * FNV-1a 64 over the bodies of one tag, in sequence order.
 */
final class TestMessage
{
    static final long FNV_OFFSET = 0xcbf29ce484222325L;
    static final long FNV_PRIME = 0x100000001b3L;
    static final int DEFAULT_SPAN = 200;

    private TestMessage()
    {
    }

    static int length(final int tag, final long seq, final int span)
    {
        return 12 + (int)((seq * 37 + tag * 11L) % span);
    }

    static byte at(final int tag, final long seq, final int i)
    {
        return (byte)(seq * 31 + i * 7L + tag);
    }

    /**
     * @return the body length written.
     */
    static int fill(final MutableDirectBuffer buffer, final int tag, final long seq, final int span)
    {
        final int length = length(tag, seq, span);
        buffer.putLong(0, seq, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(8, tag, ByteOrder.LITTLE_ENDIAN);
        for (int i = 12; i < length; i++)
        {
            buffer.putByte(i, at(tag, seq, i));
        }
        return length;
    }

    static long fnv(final long hash, final DirectBuffer buffer, final int offset, final int length)
    {
        long h = hash;
        for (int i = 0; i < length; i++)
        {
            h ^= buffer.getByte(offset + i) & 0xff;
            h *= FNV_PRIME;
        }
        return h;
    }

    /**
     * Checks what one subscriber receives: per tag, that sequence numbers only grow, that every body is exactly what
     * its publisher sent, how many were skipped, and the checksum.
     */
    static final class Verifier
    {
        private final int span;
        private final long[] count = new long[16];
        private final long[] next = new long[16];
        private final long[] gaps = new long[16];
        private final long[] fnv = new long[16];
        long received;
        long bad;
        String firstBad;

        Verifier(final int span)
        {
            this.span = span;
            java.util.Arrays.fill(fnv, FNV_OFFSET);
        }

        void onMessage(final DirectBuffer buffer, final int offset, final int length, final int type)
        {
            received++;
            final long seq = length >= 12 ? buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN) : -1;
            final int tag = length >= 12 ? buffer.getInt(offset + 8, ByteOrder.LITTLE_ENDIAN) : -1;
            if (tag < 0 || tag >= count.length || tag != type || seq < next[tag] || length != length(tag, seq, span) ||
                !bodyMatches(buffer, offset, length, tag, seq))
            {
                bad++;
                if (null == firstBad)
                {
                    firstBad = "tag " + tag + " type " + type + " seq " + seq + " length " + length;
                }
                return;
            }
            gaps[tag] += seq - next[tag];
            next[tag] = seq + 1;
            count[tag]++;
            fnv[tag] = fnv(fnv[tag], buffer, offset, length);
        }

        private static boolean bodyMatches(
            final DirectBuffer buffer, final int offset, final int length, final int tag, final long seq)
        {
            for (int i = 12; i < length; i++)
            {
                if (buffer.getByte(offset + i) != at(tag, seq, i))
                {
                    return false;
                }
            }
            return true;
        }

        long count(final int tag)
        {
            return count[tag];
        }

        long gaps(final int tag)
        {
            return gaps[tag];
        }

        String fnvHex(final int tag)
        {
            return String.format("%016x", fnv[tag]);
        }
    }

    /**
     * @return the checksum of messages 0 to count - 1 of one tag, as a publisher of them reports it.
     */
    static String expectedFnv(final int tag, final long count, final int span)
    {
        final org.agrona.concurrent.UnsafeBuffer scratch = new org.agrona.concurrent.UnsafeBuffer(new byte[span + 16]);
        long h = FNV_OFFSET;
        for (long seq = 0; seq < count; seq++)
        {
            final int length = fill(scratch, tag, seq, span);
            h = fnv(h, scratch, 0, length);
        }
        return String.format("%016x", h);
    }
}
