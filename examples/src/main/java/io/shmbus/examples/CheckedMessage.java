package io.shmbus.examples;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The message the producer and consumer demos exchange: self-checking, so the consumer can prove it saw
 * every message exactly once, in order and intact.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     sequence (64 bits)                        |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     producer index                            |
 *  +---------------------------------------------------------------+
 *  |                     checksum                                  |
 *  +---------------------------------------------------------------+
 *  |                     payload (length - 16 bytes) ...           |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Data messages have type {@link #TYPE_DATA} and a sequence counting from 0 for each producer. When a
 * producer is done it sends one {@link #TYPE_END} message whose sequence field is the number of data
 * messages it sent. The checksum covers the length, the sequence, the producer index and the payload; it is
 * a 64-bit multiply-xorshift hash folded to 32 bits: not cryptographic, but any torn, stale or shifted bytes
 * change it with overwhelming probability.
 */
final class CheckedMessage
{
    static final int TYPE_DATA = 1;
    static final int TYPE_END = 2;

    static final int SEQUENCE_OFFSET = 0;
    static final int PRODUCER_OFFSET = SEQUENCE_OFFSET + Long.BYTES;
    static final int CHECKSUM_OFFSET = PRODUCER_OFFSET + Integer.BYTES;
    static final int PAYLOAD_OFFSET = CHECKSUM_OFFSET + Integer.BYTES;
    /** Shortest valid message: the header with an empty payload. */
    static final int HEADER_LENGTH = PAYLOAD_OFFSET;

    private static final long MULTIPLIER = 0x9E3779B97F4A7C15L;

    private CheckedMessage()
    {
    }

    /**
     * The length of a producer's message number {@code sequence}: spread evenly over
     * {@code [minLength, maxLength]}, the same on every run.
     */
    static int length(final int producer, final long sequence, final int minLength, final int maxLength)
    {
        final long span = maxLength - minLength + 1L;
        return minLength + (int)Long.remainderUnsigned(mix(sequence * 31 + producer), span);
    }

    /**
     * Write a complete message.
     *
     * @param buffer   where to write.
     * @param offset   where the message starts.
     * @param length   the message length, at least {@link #HEADER_LENGTH}.
     * @param producer the producer's index.
     * @param sequence the sequence number (for an end message: the number of messages sent).
     */
    static void write(
        final MutableDirectBuffer buffer, final int offset, final int length, final int producer, final long sequence)
    {
        buffer.putLong(offset + SEQUENCE_OFFSET, sequence);
        buffer.putInt(offset + PRODUCER_OFFSET, producer);
        long fill = mix(sequence ^ ((long)producer << 48));
        int i = offset + PAYLOAD_OFFSET;
        final int end = offset + length;
        for (; i + Long.BYTES <= end; i += Long.BYTES)
        {
            fill += MULTIPLIER;
            buffer.putLong(i, fill);
        }
        for (; i < end; i++)
        {
            buffer.putByte(i, (byte)(i - offset));
        }
        buffer.putInt(offset + CHECKSUM_OFFSET, checksum(buffer, offset, length));
    }

    /**
     * @return true when the message is long enough and its checksum matches its bytes.
     */
    static boolean isIntact(final DirectBuffer buffer, final int offset, final int length)
    {
        return length >= HEADER_LENGTH &&
            buffer.getInt(offset + CHECKSUM_OFFSET) == checksum(buffer, offset, length);
    }

    static long sequence(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + SEQUENCE_OFFSET);
    }

    static int producer(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + PRODUCER_OFFSET);
    }

    /**
     * The checksum of a message: every byte but the checksum field itself, and the length.
     */
    static int checksum(final DirectBuffer buffer, final int offset, final int length)
    {
        long hash = mix(length);
        hash = mix(hash ^ buffer.getLong(offset + SEQUENCE_OFFSET));
        hash = mix(hash ^ buffer.getInt(offset + PRODUCER_OFFSET));
        int i = offset + PAYLOAD_OFFSET;
        final int end = offset + length;
        for (; i + Long.BYTES <= end; i += Long.BYTES)
        {
            hash = mix(hash ^ buffer.getLong(i));
        }
        for (; i < end; i++)
        {
            hash = mix(hash ^ buffer.getByte(i));
        }
        return (int)(hash ^ (hash >>> 32));
    }

    private static long mix(final long value)
    {
        long x = value * MULTIPLIER;
        x ^= x >>> 29;
        x *= 0xBF58476D1CE4E5B9L;
        return x ^ (x >>> 32);
    }
}
