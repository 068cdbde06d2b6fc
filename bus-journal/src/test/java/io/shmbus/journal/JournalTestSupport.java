package io.shmbus.journal;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Test messages carrying a sequence number and a checksum, and temporary journal directories on disk.
 */
final class JournalTestSupport
{
    /** Smallest test message: sequence number and checksum. */
    static final int MIN_LENGTH = 12;

    private JournalTestSupport()
    {
    }

    static Path newDirectory(final String label)
    {
        try
        {
            return Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")),
                "shmbus-journal-" + label + "-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static void delete(final Path directory)
    {
        if (null == directory || !Files.exists(directory))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p ->
            {
                try
                {
                    Files.deleteIfExists(p);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            });
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Write a message: sequence number, CRC-32C of the rest, then bytes that depend on the sequence number.
     */
    static void fill(final MutableDirectBuffer buffer, final long seq, final int length)
    {
        buffer.putLong(0, seq);
        for (int i = MIN_LENGTH; i < length; i++)
        {
            buffer.putByte(i, (byte)(seq * 31 + i));
        }
        buffer.putInt(8, crc(buffer, 0, length));
    }

    private static int crc(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length == MIN_LENGTH)
        {
            return 0x5eed;
        }
        final UnsafeBuffer copy = new UnsafeBuffer(new byte[length - MIN_LENGTH]);
        buffer.getBytes(offset + MIN_LENGTH, copy, 0, length - MIN_LENGTH);
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(copy.byteArray());
        return (int)crc.getValue();
    }

    /**
     * Check a message and return its sequence number.
     */
    static long verify(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MIN_LENGTH)
        {
            throw new AssertionError("message of " + length + " bytes is shorter than a test message");
        }
        final long seq = buffer.getLong(offset);
        final int stored = buffer.getInt(offset + 8);
        final int actual = crc(buffer, offset, length);
        if (stored != actual)
        {
            throw new AssertionError("message " + seq + " of " + length + " bytes is corrupt: checksum 0x" +
                Integer.toHexString(stored) + ", computed 0x" + Integer.toHexString(actual));
        }
        for (int i = MIN_LENGTH; i < length; i++)
        {
            if (buffer.getByte(offset + i) != (byte)(seq * 31 + i))
            {
                throw new AssertionError("message " + seq + " differs at byte " + i);
            }
        }
        return seq;
    }
}
