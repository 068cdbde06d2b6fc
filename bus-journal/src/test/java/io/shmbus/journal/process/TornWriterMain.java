package io.shmbus.journal.process;

import io.shmbus.impl.process.ChildSupport;
import io.shmbus.journal.Durability;
import io.shmbus.journal.JournalFormat;
import io.shmbus.journal.JournalWriter;
import io.shmbus.journal.RecordDescriptor;
import io.shmbus.journal.SegmentDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * A writer that appends {@code count} records, then leaves the next one half written (payload and header, no
 * commit word) as a writer killed between the two would, prints {@code TORN <position>} and waits to be killed
 * while holding the journal's lock and mappings.
 */
public final class TornWriterMain
{
    private TornWriterMain()
    {
    }

    /**
     * @param args {@code journal=DIR count=N}.
     */
    public static void main(final String[] args)
    {
        ChildSupport.main(args, 60, a ->
        {
            final JournalFormat format = JournalFormat.builder().segmentLengthBytes(64 * 1024).maxMessageLength(1000)
                .indexIntervalBytes(4096).build();
            final UnsafeBuffer message = new UnsafeBuffer(new byte[1000]);
            final JournalWriter writer = JournalWriter.open(Path.of(a.get("journal")), format, "t", 8192,
                Durability.none());
            final long count = a.getLong("count", 0);
            for (long seq = 0; seq < count; seq++)
            {
                final int length = 12 + (int)(seq * 37 % 900);
                message.putLong(0, seq);
                for (int i = 12; i < length; i++)
                {
                    message.putByte(i, (byte)(seq * 31 + i));
                }
                final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
                crc.update(message.byteArray(), 12, length - 12);
                message.putInt(8, length == 12 ? 0x5eed : (int)crc.getValue());
                writer.append(message, 0, length, seq * 1024, 1024, 7, 1, 1000 + seq);
            }
            final long position = writer.position();
            final long segment = format.segmentIndex(position);
            final long fileOffset = format.dataOffset() + (position - format.segmentBasePosition(segment));
            try (RandomAccessFile file = new RandomAccessFile(Path.of(a.get("journal"))
                .resolve(SegmentDescriptor.fileName(segment)).toFile(), "rw"))
            {
                final ByteBuffer torn = ByteBuffer.allocate(RecordDescriptor.HEADER_LENGTH + 500)
                    .order(ByteOrder.LITTLE_ENDIAN);
                torn.putInt(0).putInt(0x1234).putLong(position).putLong(count * 1024).putLong(1000 + count)
                    .putInt(1024).putInt(7).putInt(1).putShort(RecordDescriptor.KIND_MESSAGE);
                while (torn.hasRemaining())
                {
                    torn.put((byte)0x77);
                }
                file.seek(fileOffset);
                file.write(torn.array());
            }
            ChildSupport.out("TORN " + position);
            ChildSupport.awaitCommand("NEVER");
        });
    }
}
