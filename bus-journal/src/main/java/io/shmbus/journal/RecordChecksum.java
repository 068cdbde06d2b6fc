package io.shmbus.journal;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.zip.CRC32C;

/**
 * CRC-32C of a record's bytes 8 to its frame length. The bytes are first copied out of the mapping into a
 * scratch array: the JVM turns a fault during that copy (a file truncated under its mapping) into an
 * {@link InternalError}, which callers report as a corrupt journal, whereas a fault inside the checksum
 * intrinsic reading the mapping directly would abort the JVM. Reused; not thread safe.
 */
final class RecordChecksum
{
    private final CRC32C crc = new CRC32C();
    private byte[] scratch = new byte[4096];

    int compute(final UnsafeBuffer chunk, final int index, final int frameLength)
    {
        final int length = frameLength - RecordDescriptor.CHECKSUM_START;
        if (length > scratch.length)
        {
            scratch = new byte[Integer.highestOneBit(length - 1) << 1];
        }
        chunk.getBytes(index + RecordDescriptor.CHECKSUM_START, scratch, 0, length);
        crc.reset();
        crc.update(scratch, 0, length);
        return (int)crc.getValue();
    }
}
