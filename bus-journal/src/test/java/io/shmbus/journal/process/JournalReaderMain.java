package io.shmbus.journal.process;

import io.shmbus.impl.process.ChildSupport;
import io.shmbus.journal.Journal;
import io.shmbus.journal.JournalReader;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * A child that tails a journal from its start until it has read {@code count} messages, checking that their
 * sequence numbers run 0, 1, 2, ... and that each checksum holds; prints {@code READY} once the journal is open
 * and {@code DONE <messages> <sum of sequence numbers> <largest mapped bytes>}.
 */
public final class JournalReaderMain
{
    private JournalReaderMain()
    {
    }

    /**
     * @param args {@code journal=DIR count=N chunk=BYTES}.
     */
    public static void main(final String[] args)
    {
        ChildSupport.main(args, 120, a ->
        {
            final long count = a.getLong("count", 0);
            final long[] state = new long[3];
            final CRC32C crc = new CRC32C();
            final byte[] scratch = new byte[65536];
            try (Journal journal = Journal.open(Path.of(a.get("journal")), a.getLong("chunk", 65536));
                JournalReader reader = journal.reader(journal.startPosition()))
            {
                ChildSupport.out("READY");
                final IdleStrategy idle = new BackoffIdleStrategy(1, 10, 1_000, 100_000);
                while (state[0] < count)
                {
                    idle.idle(reader.poll((buffer, offset, length, header) ->
                    {
                        final long seq = check(buffer, offset, length, crc, scratch);
                        if (seq != state[0])
                        {
                            throw new IllegalStateException("expected message " + state[0] + ", read " + seq);
                        }
                        state[0]++;
                        state[1] += seq;
                    }, 64));
                    state[2] = Math.max(state[2], reader.mappedBytes());
                }
                ChildSupport.out("DONE " + state[0] + " " + state[1] + " " + state[2]);
            }
        });
    }

    private static long check(
        final DirectBuffer buffer, final int offset, final int length, final CRC32C crc, final byte[] scratch)
    {
        final long seq = buffer.getLong(offset);
        if (length > 12)
        {
            buffer.getBytes(offset + 12, scratch, 0, length - 12);
            crc.reset();
            crc.update(scratch, 0, length - 12);
            if ((int)crc.getValue() != buffer.getInt(offset + 8))
            {
                throw new IllegalStateException("message " + seq + " fails its checksum");
            }
        }
        return seq;
    }
}
