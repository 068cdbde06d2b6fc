package io.shmbus.journal;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The slow test: a journal of 4.5 GiB on disk, in segments of 2.5 GiB (over 2^31 bytes each), written through
 * a 64 MiB window and read back exactly, with positions past 2^32. Off by default; run it with
 * {@code mvn -pl bus-journal -am verify -Dshmbus.journal.large=true -Dtest=LargeJournalTest
 * -Dsurefire.failIfNoSpecifiedTests=false} (needs about 5 GiB free in java.io.tmpdir).
 */
class LargeJournalTest
{
    private static final long TOTAL_BYTES = 4_608L << 20;
    private static final int MESSAGE_LENGTH = 65_000;

    private Path directory;

    @AfterEach
    void cleanUp()
    {
        JournalTestSupport.delete(directory);
    }

    @Test
    @Timeout(value = 1800, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aJournalPastFourGibReadsBackExactly()
    {
        assumeTrue(Boolean.getBoolean("shmbus.journal.large"), "slow test: -Dshmbus.journal.large=true");
        directory = JournalTestSupport.newDirectory("large");
        final JournalFormat format = JournalFormat.builder().segmentLengthBytes(2_560L << 20)
            .maxMessageLength(MESSAGE_LENGTH).build();
        final long chunk = 64L << 20;
        final UnsafeBuffer message = new UnsafeBuffer(new byte[MESSAGE_LENGTH]);
        final long messages = TOTAL_BYTES / (MESSAGE_LENGTH + RecordDescriptor.HEADER_LENGTH);
        long lastPosition = 0;
        try (JournalWriter writer = JournalWriter.open(directory, format, "large", chunk, Durability.perSegment()))
        {
            for (long seq = 0; seq < messages; seq++)
            {
                JournalTestSupport.fill(message, seq, MESSAGE_LENGTH);
                lastPosition = writer.append(message, 0, MESSAGE_LENGTH, seq * 70_000L, 70_000, 0, 0, seq);
                assertTrue(writer.mappedBytes() < 2 * chunk, "writer window");
            }
        }
        assertTrue(lastPosition > (1L << 32), "positions past 2^32: " + lastPosition);
        try (Journal journal = Journal.open(directory, chunk); JournalReader reader = journal.reader(0))
        {
            final long[] next = { 0 };
            final long[] lastRead = { -1 };
            long maxMapped = 0;
            while (reader.poll((buffer, offset, length, header) ->
            {
                assertEquals(next[0], JournalTestSupport.verify(buffer, offset, length));
                assertEquals(next[0] * 70_000L, header.position());
                lastRead[0] = ((JournalHeader)header).journalPosition();
                next[0]++;
            }, 64) > 0)
            {
                maxMapped = Math.max(maxMapped, reader.mappedBytes());
            }
            assertEquals(messages, next[0]);
            assertEquals(lastPosition, lastRead[0]);
            assertEquals(lastRead[0], journal.positionAtTime(messages - 1));
            final long rssFileKb = statusKb("RssFile:");
            System.out.println("LARGE journal of " + journal.info().sizeBytes() + " bytes, " + messages +
                " messages, last position " + lastPosition + ", reader mapped at most " + maxMapped + " bytes; " +
                "after the replay this JVM's resident file-backed memory is " + rssFileKb + " KiB (VmRSS " +
                statusKb("VmRSS:") + " KiB, VmHWM " + statusKb("VmHWM:") + " KiB)");
            assertTrue(rssFileKb < 512 * 1024, "resident file pages bounded by the windows, not the journal: " +
                rssFileKb + " KiB");
            assertTrue(maxMapped < 2 * chunk, "reader window: " + maxMapped);
        }
    }

    private static long statusKb(final String field)
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
            {
                if (line.startsWith(field))
                {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
            return -1;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
