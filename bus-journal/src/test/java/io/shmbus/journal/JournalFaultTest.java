package io.shmbus.journal;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Torn tails are cut at reopen; foreign, corrupt and truncated files are refused with a message naming the
 * file and what is wrong; a second writer is refused naming the holder's pid.
 */
class JournalFaultTest
{
    private static final JournalFormat FORMAT = JournalFormat.builder().segmentLengthBytes(64 * 1024)
        .maxMessageLength(1000).indexIntervalBytes(4096).build();
    private static final long CHUNK = 8192;

    private final List<Path> directories = new ArrayList<>();

    @AfterEach
    void cleanUp()
    {
        directories.forEach(JournalTestSupport::delete);
    }

    private Path directory(final String label)
    {
        final Path directory = JournalTestSupport.newDirectory(label);
        directories.add(directory);
        return directory;
    }

    private static long write(final Path directory, final long firstSeq, final int count)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[1000]);
        try (JournalWriter writer = JournalWriter.open(directory, FORMAT, "t", CHUNK, Durability.none()))
        {
            for (long seq = firstSeq; seq < firstSeq + count; seq++)
            {
                final int length = 12 + (int)(seq * 37 % 900);
                JournalTestSupport.fill(message, seq, length);
                writer.append(message, 0, length, seq * 1024, 1024, 7, 1, 1000 + seq);
            }
            return writer.position();
        }
    }

    private static List<Long> readAll(final Path directory)
    {
        final List<Long> seqs = new ArrayList<>();
        try (Journal journal = Journal.open(directory, CHUNK);
             JournalReader reader = journal.reader(journal.startPosition()))
        {
            while (reader.poll((buffer, offset, length, header) ->
                seqs.add(JournalTestSupport.verify(buffer, offset, length)), 100) > 0)
            {
            }
        }
        return seqs;
    }

    private static List<Long> range(final long from, final long to)
    {
        final List<Long> list = new ArrayList<>();
        for (long i = from; i < to; i++)
        {
            list.add(i);
        }
        return list;
    }

    private static Path lastSegment(final Path directory)
    {
        final long[] indices = MetaFile.segmentIndices(directory);
        return directory.resolve(SegmentDescriptor.fileName(indices[indices.length - 1]));
    }

    private static long fileOffset(final long position)
    {
        return FORMAT.dataOffset() + (position - FORMAT.segmentBasePosition(FORMAT.segmentIndex(position)));
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aRecordWrittenButNotCommittedIsCutAndTheNextWriterContinues() throws Exception
    {
        final Path directory = directory("torn");
        final long end = write(directory, 0, 150);
        // what a writer killed between copying the payload and the commit leaves: header and payload, no length
        try (RandomAccessFile file = new RandomAccessFile(lastSegment(directory).toFile(), "rw"))
        {
            final ByteBuffer torn = ByteBuffer.allocate(600).order(ByteOrder.LITTLE_ENDIAN);
            torn.putInt(0).putInt(0x1234).putLong(end).putLong(150 * 1024L);
            for (int i = torn.position(); i < 600; i++)
            {
                torn.put((byte)0x5a);
            }
            file.seek(fileOffset(end));
            file.write(torn.array());
        }
        assertEquals(range(0, 150), readAll(directory), "a reader stops before the torn record");
        final long resumed = write(directory, 150, 100);
        assertTrue(resumed > end);
        assertEquals(range(0, 250), readAll(directory), "no torn bytes, no gap, no duplicate");
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aCommittedRecordWithABadChecksumAtTheTailIsCutAtReopen() throws Exception
    {
        final Path directory = directory("badcrc");
        write(directory, 0, 120);
        final long lastPosition;
        try (Journal journal = Journal.open(directory, CHUNK);
             JournalReader reader = journal.reader(journal.startPosition()))
        {
            final long[] last = new long[1];
            while (reader.poll((buffer, offset, length, header) -> last[0] = ((JournalHeader)header).journalPosition(),
                100) > 0)
            {
            }
            lastPosition = last[0];
        }
        // a power loss can leave the commit word on disk without the payload: garble the last record's payload
        try (RandomAccessFile file = new RandomAccessFile(lastSegment(directory).toFile(), "rw"))
        {
            file.seek(fileOffset(lastPosition) + RecordDescriptor.HEADER_LENGTH + 3);
            file.write(new byte[]{ 1, 2, 3, 4 });
        }
        final JournalCorruptedException corrupt = assertThrows(JournalCorruptedException.class,
            () -> readAll(directory));
        System.out.println("CORRUPT RECORD -> " + corrupt.getMessage());
        assertTrue(corrupt.getMessage().contains("at position " + lastPosition), corrupt.getMessage());

        write(directory, 119, 10);
        assertEquals(range(0, 129), readAll(directory), "the damaged last record was cut and recorded again");
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void foreignTruncatedAndCorruptFilesAreRefusedWithTheirNames() throws Exception
    {
        final Path directory = directory("bad");
        write(directory, 0, 400);
        assertTrue(MetaFile.segmentIndices(directory).length >= 3);
        final Path other = directory("other");
        write(other, 0, 10);
        final Path segment0 = directory.resolve(SegmentDescriptor.fileName(0));

        // a segment of another journal
        final Path saved = directory.resolve("saved");
        Files.copy(segment0, saved);
        Files.copy(other.resolve(SegmentDescriptor.fileName(0)), segment0, StandardCopyOption.REPLACE_EXISTING);
        JournalException refused = assertThrows(JournalCorruptedException.class, () -> Journal.open(directory, CHUNK));
        System.out.println("FOREIGN SEGMENT -> " + refused.getMessage());
        assertTrue(refused.getMessage().contains(segment0 + " belongs to another journal"), refused.getMessage());
        assertThrows(JournalCorruptedException.class,
            () -> JournalWriter.open(directory, null, "t", CHUNK, Durability.none()));

        // not a segment at all
        Files.write(segment0, new byte[(int)FORMAT.segmentLengthBytes()]);
        refused = assertThrows(JournalCorruptedException.class, () -> Journal.open(directory, CHUNK));
        System.out.println("ZEROED SEGMENT -> " + refused.getMessage());
        assertTrue(refused.getMessage().contains(segment0 + " is not a journal segment: magic 0x0"),
            refused.getMessage());

        // truncated
        Files.copy(saved, segment0, StandardCopyOption.REPLACE_EXISTING);
        try (RandomAccessFile file = new RandomAccessFile(segment0.toFile(), "rw"))
        {
            file.setLength(20_000);
        }
        refused = assertThrows(JournalCorruptedException.class, () -> Journal.open(directory, CHUNK));
        System.out.println("TRUNCATED SEGMENT -> " + refused.getMessage());
        assertTrue(refused.getMessage().contains(segment0 + " is truncated: 20000 bytes, a segment has 65536"),
            refused.getMessage());
        try (RandomAccessFile file = new RandomAccessFile(segment0.toFile(), "rw"))
        {
            file.setLength(100);
        }
        refused = assertThrows(JournalCorruptedException.class, () -> Journal.open(directory, CHUNK));
        assertTrue(refused.getMessage().contains("is truncated: 100 bytes"), refused.getMessage());

        // a missing segment in the middle
        Files.copy(saved, segment0, StandardCopyOption.REPLACE_EXISTING);
        Files.delete(saved);
        assertEquals(range(0, 400), readAll(directory));
        final Path segment1 = directory.resolve(SegmentDescriptor.fileName(1));
        Files.move(segment1, directory.resolve("away"));
        refused = assertThrows(JournalCorruptedException.class, () -> Journal.open(directory, CHUNK));
        System.out.println("MISSING SEGMENT -> " + refused.getMessage());
        assertTrue(refused.getMessage().contains("lacks segment 1"), refused.getMessage());
        Files.move(directory.resolve("away"), segment1);

        // a foreign meta file
        final Path meta = directory.resolve(JournalMetaDescriptor.FILE_NAME);
        final byte[] metaBytes = Files.readAllBytes(meta);
        final byte[] garbage = metaBytes.clone();
        garbage[0] = 'X';
        Files.write(meta, garbage);
        refused = assertThrows(JournalCorruptedException.class, () -> Journal.open(directory, CHUNK));
        System.out.println("FOREIGN META -> " + refused.getMessage());
        assertTrue(refused.getMessage().contains(meta + " is not a shmbus journal"), refused.getMessage());
        Files.write(meta, new byte[10]);
        refused = assertThrows(JournalCorruptedException.class, () -> Journal.open(directory, CHUNK));
        assertTrue(refused.getMessage().contains("is 10 bytes") && refused.getMessage().contains("truncated"),
            refused.getMessage());
        Files.write(meta, metaBytes);
        assertEquals(range(0, 400), readAll(directory));

        // no journal at all
        final Path empty = directory("empty");
        refused = assertThrows(JournalException.class, () -> Journal.open(empty, CHUNK));
        assertTrue(refused.getMessage().contains("no journal in " + empty), refused.getMessage());
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aSegmentTruncatedUnderAReaderIsRefusedBeforeItsNextChunkIsMapped() throws Exception
    {
        final Path directory = directory("truncated-live");
        write(directory, 0, 200);
        final Path segment0 = directory.resolve(SegmentDescriptor.fileName(0));
        try (Journal journal = Journal.open(directory, CHUNK);
             JournalReader reader = journal.reader(journal.startPosition()))
        {
            assertEquals(1, reader.poll((buffer, offset, length, header) -> JournalTestSupport.verify(buffer, offset,
                length), 1));
            try (RandomAccessFile file = new RandomAccessFile(segment0.toFile(), "rw"))
            {
                file.setLength(16384);
            }
            final JournalException refused = assertThrows(JournalException.class, () ->
            {
                while (true)
                {
                    reader.poll((buffer, offset, length, header) -> JournalTestSupport.verify(buffer, offset, length),
                        100);
                }
            });
            System.out.println("TRUNCATED UNDER A READER -> " + refused.getMessage());
            assertTrue(refused.getMessage().contains(segment0.toString()) &&
                (refused.getMessage().contains("was truncated to 16384 bytes") ||
                refused.getMessage().contains("fault reading")), refused.getMessage());
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aSecondWriterIsRefusedNamingTheHoldersPid()
    {
        final Path directory = directory("locked");
        try (JournalWriter writer = JournalWriter.open(directory, FORMAT, "t", CHUNK, Durability.none()))
        {
            final JournalLockedException refused = assertThrows(JournalLockedException.class,
                () -> JournalWriter.open(directory, FORMAT, "t", CHUNK, Durability.none()));
            System.out.println("SECOND WRITER -> " + refused.getMessage());
            assertEquals(ProcessHandle.current().pid(), refused.holderPid());
            assertTrue(refused.getMessage().contains("process " + ProcessHandle.current().pid()), refused.getMessage());
            try (Journal journal = Journal.open(directory, CHUNK))
            {
                assertTrue(journal.isRecording());
            }
            assertEquals(FORMAT.basePosition(), writer.position());
        }
        try (Journal journal = Journal.open(directory, CHUNK))
        {
            assertTrue(!journal.isRecording());
        }
        final JournalException other = assertThrows(JournalException.class,
            () -> JournalWriter.open(directory, FORMAT, "another-topic", CHUNK, Durability.none()));
        assertTrue(other.getMessage().contains("records topic 't', not 'another-topic'"), other.getMessage());
        final JournalException format = assertThrows(JournalException.class,
            () -> JournalWriter.open(directory, FORMAT.toBuilder().recordAlignment(64).build(), "t", CHUNK,
                Durability.none()));
        assertTrue(format.getMessage().contains("record alignment 64 vs 8"), format.getMessage());
    }
}
