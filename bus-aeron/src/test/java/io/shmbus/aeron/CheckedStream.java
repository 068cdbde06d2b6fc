package io.shmbus.aeron;

import io.shmbus.MessageHandler;
import io.shmbus.MessageHeader;
import io.shmbus.Publisher;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;

/**
 * Checksummed messages of mixed sizes for stream tests: each holds its sequence (from 0), a CRC-32 of every
 * other byte, and a pattern that depends on the sequence; the type is the sequence's low bits. The verifier
 * counts every way a stream can go wrong: a sequence out of order (lost, duplicated or reordered), a wrong
 * length, type or checksum.
 */
final class CheckedStream
{
    static final int[] SIZES = {12, 16, 32, 100, 256, 700, 1024, 1500, 2900, 4096};

    private CheckedStream()
    {
    }

    static int lengthOf(final long sequence)
    {
        return SIZES[(int)((sequence * 7 + sequence / 3) % SIZES.length)];
    }

    static int typeOf(final long sequence)
    {
        return (int)(sequence & 0xff);
    }

    static int fill(final MutableDirectBuffer buffer, final long sequence, final CRC32 crc)
    {
        final int length = lengthOf(sequence);
        buffer.putLong(0, sequence);
        for (int i = 12; i < length; i++)
        {
            buffer.putByte(i, (byte)(sequence * 31 + i));
        }
        buffer.putInt(8, checksum(buffer, 0, length, crc));
        return length;
    }

    static int checksum(final DirectBuffer buffer, final int offset, final int length, final CRC32 crc)
    {
        crc.reset();
        for (int i = 0; i < 8; i++)
        {
            crc.update(buffer.getByte(offset + i));
        }
        for (int i = 12; i < length; i++)
        {
            crc.update(buffer.getByte(offset + i));
        }
        return (int)crc.getValue();
    }

    /**
     * Publish messages {@code from} to {@code to - 1}, retrying while back-pressured, until done or stopped.
     */
    static long publish(final Publisher publisher, final long from, final long to, final long deadlineNs,
        final java.util.function.BooleanSupplier stop)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        final CRC32 crc = new CRC32();
        long sequence = from;
        while (sequence < to && !stop.getAsBoolean())
        {
            final int length = fill(buffer, sequence, crc);
            final long result = publisher.offer(buffer, 0, length, typeOf(sequence));
            if (result > 0)
            {
                sequence++;
            }
            else if (result == Publisher.CLOSED || System.nanoTime() - deadlineNs > 0)
            {
                break;
            }
            else
            {
                LockSupport.parkNanos(50_000);
            }
        }
        return sequence;
    }

    /**
     * Checks a stream; polled by one thread.
     */
    static final class Verifier implements MessageHandler
    {
        private final CRC32 crc = new CRC32();
        volatile long next;
        volatile long errors;
        volatile String firstError;

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length, final MessageHeader header)
        {
            final long sequence = length >= 12 ? buffer.getLong(offset) : -1;
            String error = null;
            if (sequence != next)
            {
                error = "sequence " + sequence + " where " + next + " was expected";
            }
            else if (length != lengthOf(sequence))
            {
                error = "message " + sequence + " is " + length + " bytes, not " + lengthOf(sequence);
            }
            else if (header.type() != typeOf(sequence))
            {
                error = "message " + sequence + " has type " + header.type();
            }
            else if (buffer.getInt(offset + 8) != checksum(buffer, offset, length, crc))
            {
                error = "message " + sequence + " fails its checksum";
            }
            if (null != error)
            {
                if (0 == errors)
                {
                    firstError = error;
                }
                errors++;
            }
            next = Math.max(next, sequence) + 1;
        }

        String describe()
        {
            return "received up to " + next + ", " + errors + " errors" +
                (null == firstError ? "" : ", first: " + firstError);
        }
    }
}
