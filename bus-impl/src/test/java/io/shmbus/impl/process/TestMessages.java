package io.shmbus.impl.process;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.zip.CRC32C;

/**
 * The messages of the stress tests: each one identifies its publisher and sequence number and carries a
 * checksum, at every length from 0 bytes up.
 *
 * <ul>
 *     <li>The message type (record header) holds the publisher id in its top 8 bits and the low 24 bits of the
 *     sequence number; a reader that knows the last sequence it saw recovers the full number
 *     ({@link #sequenceOf(int, long)}). So even a 0-byte message says who sent it and which one it is.</li>
 *     <li>The length is a function of (publisher, sequence): a reader knows what length to expect. About one
 *     message in eight is 0 to 15 bytes, one in eight is within 15 bytes of the maximum, half are at most 64
 *     bytes and a quarter anywhere from 0 to the maximum.</li>
 *     <li>The body is pseudo-random bytes seeded by (publisher, full sequence). From 4 bytes up, its last 4
 *     bytes are {@code CRC32C(body without them) ^ type ^ length}; below 4 bytes, the reader regenerates the
 *     body and compares it byte for byte.</li>
 * </ul>
 *
 * <p>The checksum of a message (summed per publisher by both sides) is its trailer, or its packed bytes when
 * it has none.
 */
public final class TestMessages
{
    /** Bits of the sequence number carried in the type. */
    public static final int SEQUENCE_BITS = 24;
    /** Mask of those bits. */
    public static final int SEQUENCE_MASK = (1 << SEQUENCE_BITS) - 1;
    /** Publisher ids are 0 to this, exclusive. */
    public static final int MAX_PUBLISHER_IDS = 256;

    /** Returned by {@link #verify} when the length is not the one the sequence number implies. */
    public static final long BAD_LENGTH = -1;
    /** Returned by {@link #verify} when the checksum or the bytes do not match. */
    public static final long BAD_BODY = -2;

    private TestMessages()
    {
    }

    /**
     * @param publisher the test's publisher id (not the slot index).
     * @param sequence  its sequence number.
     * @return the message type to publish.
     */
    public static int type(final int publisher, final long sequence)
    {
        return publisher << SEQUENCE_BITS | (int)(sequence & SEQUENCE_MASK);
    }

    /**
     * @param type a message type.
     * @return the publisher id it carries.
     */
    public static int publisherOf(final int type)
    {
        return type >>> SEQUENCE_BITS;
    }

    /**
     * @param type  a message type.
     * @param after the last sequence number seen from that publisher (-1 for none).
     * @return the smallest sequence number above {@code after} whose low bits the type carries.
     */
    public static long sequenceOf(final int type, final long after)
    {
        final long next = after + 1;
        return next + (((type & SEQUENCE_MASK) - next) & SEQUENCE_MASK);
    }

    /**
     * @param publisher        publisher id.
     * @param sequence         sequence number.
     * @param maxMessageLength the topic's largest message.
     * @return the length of that message.
     */
    public static int length(final int publisher, final long sequence, final int maxMessageLength)
    {
        final long h = mix(publisher * 0x9E3779B97F4A7C15L + sequence * 0xC2B2AE3D27D4EB4FL + 0x5DEECE66DL);
        final int select = (int)(h & 7);
        final long r = h >>> 3;
        return switch (select)
        {
            case 0 -> (int)Math.min(r % 16, maxMessageLength);
            case 1 -> (int)Math.max(0, maxMessageLength - r % 16);
            case 2, 3, 4, 5 -> (int)(r % (Math.min(64, maxMessageLength) + 1));
            default -> (int)(r % (maxMessageLength + 1));
        };
    }

    /**
     * Write a message body into {@code scratch} from offset 0.
     *
     * @param scratch   at least {@code length} bytes, backed by a byte array.
     * @param crc       a reusable checksum.
     * @param publisher publisher id.
     * @param sequence  sequence number.
     * @param length    the body length.
     * @return the message's checksum.
     */
    public static long fill(
        final UnsafeBuffer scratch, final CRC32C crc, final int publisher, final long sequence, final int length)
    {
        if (length < 4)
        {
            generate(scratch, publisher, sequence, length);
            return packed(scratch, length);
        }
        final int bodyLength = length - 4;
        generate(scratch, publisher, sequence, bodyLength);
        crc.reset();
        crc.update(scratch.byteArray(), 0, bodyLength);
        final int trailer = (int)crc.getValue() ^ type(publisher, sequence) ^ length;
        scratch.putInt(bodyLength, trailer);
        return Integer.toUnsignedLong(trailer);
    }

    /**
     * Check a received message.
     *
     * @param buffer    holds the message.
     * @param offset    where its body starts.
     * @param length    its length.
     * @param type      its type.
     * @param publisher the publisher id the type names.
     * @param sequence  the full sequence number.
     * @param max       the topic's largest message.
     * @param scratch   at least the largest message, backed by a byte array.
     * @param expected  another such scratch buffer.
     * @param crc       a reusable checksum.
     * @return the checksum (0 or more), {@link #BAD_LENGTH} or {@link #BAD_BODY}.
     */
    public static long verify(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int type,
        final int publisher,
        final long sequence,
        final int max,
        final UnsafeBuffer scratch,
        final UnsafeBuffer expected,
        final CRC32C crc)
    {
        if (length != length(publisher, sequence, max))
        {
            return BAD_LENGTH;
        }
        buffer.getBytes(offset, scratch, 0, length);
        if (length < 4)
        {
            generate(expected, publisher, sequence, length);
            for (int i = 0; i < length; i++)
            {
                if (scratch.getByte(i) != expected.getByte(i))
                {
                    return BAD_BODY;
                }
            }
            return packed(scratch, length);
        }
        final int bodyLength = length - 4;
        crc.reset();
        crc.update(scratch.byteArray(), 0, bodyLength);
        final int trailer = scratch.getInt(bodyLength);
        if (trailer != ((int)crc.getValue() ^ type ^ length))
        {
            return BAD_BODY;
        }
        return Integer.toUnsignedLong(trailer);
    }

    private static long packed(final DirectBuffer scratch, final int length)
    {
        long value = (long)length << 32;
        for (int i = 0; i < length; i++)
        {
            value |= (scratch.getByte(i) & 0xFFL) << (8 * i);
        }
        return value;
    }

    private static void generate(final UnsafeBuffer into, final int publisher, final long sequence, final int length)
    {
        long x = mix(publisher * 0xD1B54A32D192ED03L + sequence + 1);
        int i = 0;
        while (i + 8 <= length)
        {
            into.putLong(i, x);
            x = x * 6364136223846793005L + 1442695040888963407L;
            i += 8;
        }
        long tail = x ^ (x >>> 29);
        while (i < length)
        {
            into.putByte(i, (byte)tail);
            tail >>>= 8;
            i++;
        }
    }

    private static long mix(final long seed)
    {
        long z = seed;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
