package io.shmbus.journal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC-32C of a record's bytes 8 to its frame length, computed on a view of the mapped chunk without copying.
 * Reused; not thread safe.
 */
final class RecordChecksum
{
    private final CRC32C crc = new CRC32C();

    int compute(final ByteBuffer view, final int index, final int frameLength)
    {
        view.clear();
        view.position(index + RecordDescriptor.CHECKSUM_START).limit(index + frameLength);
        crc.reset();
        crc.update(view);
        return (int)crc.getValue();
    }
}
