package io.shmbus.journal;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Records written through chunk boundaries and segment rolls at every record alignment, from base positions
 * just below 2^31 and 2^32 so that the position arithmetic crosses both, read back exactly; the time index
 * agrees with a scan; a reopened writer continues where the last one stopped.
 */
class JournalWriterReaderTest
{
    private Path directory;

    @AfterEach
    void cleanUp()
    {
        JournalTestSupport.delete(directory);
    }

    static Stream<long[]> alignmentsAndBases()
    {
        final List<long[]> cases = new ArrayList<>();
        for (int alignment = 8; alignment <= 4096; alignment <<= 1)
        {
            cases.add(new long[]{ alignment, (1L << 31) - 3 * 4096 });
            cases.add(new long[]{ alignment, (1L << 32) - 5 * 4096 });
        }
        return cases.stream();
    }

    private record Written(long journalPosition, long seq, int length, long topicPosition, int type, int publisherId,
        long timestampNs)
    {
    }

    @ParameterizedTest(name = "alignment {0}")
    @MethodSource("alignmentsAndBases")
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyRecordReadsBackAcrossChunksAndSegments(final long[] parameters) throws Exception
    {
        final int alignment = (int)parameters[0];
        final long base = parameters[1];
        directory = JournalTestSupport.newDirectory("align" + alignment);
        final JournalFormat format = JournalFormat.builder().segmentLengthBytes(64 * 1024).recordAlignment(alignment)
            .basePosition(base).maxMessageLength(1000).indexIntervalBytes(4096).build();
        final long chunk = 8192;
        final SplittableRandom random = new SplittableRandom(alignment);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[1000]);
        final List<Written> written = new ArrayList<>();
        long topicPosition = 1L << 33;
        long ts = 1_700_000_000_000_000_000L;
        long seq = 0;
        for (int round = 0; round < 2; round++)
        {
            try (JournalWriter writer = JournalWriter.open(directory, format, "t", chunk, Durability.none()))
            {
                if (round == 1)
                {
                    assertEquals(written.get(written.size() - 1).topicPosition + 64, writer.lastTopicNextPosition());
                }
                final int count = 150 + random.nextInt(50);
                for (int i = 0; i < count; i++)
                {
                    final int length = i % 7 == 0 ? 1000 : JournalTestSupport.MIN_LENGTH + random.nextInt(989);
                    JournalTestSupport.fill(message, seq, length);
                    ts += random.nextInt(3) == 0 ? -5 : random.nextInt(1000);
                    final long p = writer.append(message, 0, length, topicPosition, 64,
                        (int)seq * 3, (int)(seq % 5), ts);
                    written.add(new Written(p, seq, length, topicPosition, (int)seq * 3, (int)(seq % 5), ts));
                    assertEquals(0, (p - base) % alignment, "record alignment");
                    topicPosition += 64;
                    seq++;
                }
                assertTrue(writer.mappedBytes() <= JournalMetaDescriptor.LENGTH + format.dataOffset() * 2L + chunk +
                    8192, "writer maps its window only: " + writer.mappedBytes());
            }
        }

        try (Journal journal = Journal.open(directory, chunk);
             JournalReader reader = journal.reader(journal.startPosition()))
        {
            assertEquals(base, journal.startPosition());
            final List<Written> read = new ArrayList<>();
            final int[] polls = new int[1];
            while (reader.poll((buffer, offset, length, header) ->
            {
                final JournalHeader h = (JournalHeader)header;
                read.add(new Written(h.journalPosition(), JournalTestSupport.verify(buffer, offset, length), length,
                    h.position(), h.type(), h.publisherId(), h.timestampNs()));
                assertEquals(h.position() + 64, h.nextPosition());
            }, 17) > 0)
            {
                polls[0]++;
                assertTrue(reader.mappedBytes() <= format.dataOffset() + chunk + 8192, "reader window");
            }
            assertEquals(written, read);
            final JournalInfo info = journal.info();
            assertTrue(info.segments() > 3, "crossed several segments: " + info);
            assertEquals(reader.position(), info.endPosition());
            assertTrue(info.endPosition() > (base & ~((1L << 31) - 1)) + (1L << 31) - 1 || base > (1L << 31),
                "crossed the power of two: " + info.endPosition());

            // time index: the first record whose running maximum timestamp reaches t
            for (int probe = 0; probe < 40; probe++)
            {
                final Written target = written.get(random.nextInt(written.size()));
                final long t = target.timestampNs + random.nextInt(3) - 1;
                long expected = info.endPosition();
                long max = Long.MIN_VALUE;
                for (final Written w : written)
                {
                    max = Math.max(max, w.timestampNs);
                    if (max >= t)
                    {
                        expected = w.journalPosition;
                        break;
                    }
                }
                assertEquals(expected, journal.positionAtTime(t), "position at time " + t);
            }
            assertEquals(base, journal.positionAtTime(0));
            assertEquals(info.endPosition(), journal.positionAtTime(Long.MAX_VALUE));
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void positionsPastTwoToTheThirtyTwoInBigSegmentsAreExact()
    {
        directory = JournalTestSupport.newDirectory("big-positions");
        final long base = (1L << 32) - 64 * 1024;
        // a 3 GiB segment (sparse: only the chunks written are allocated) with a small window
        final JournalFormat format = JournalFormat.builder().segmentLengthBytes(3L << 30).basePosition(base)
            .maxMessageLength(4096).build();
        final UnsafeBuffer message = new UnsafeBuffer(new byte[4096]);
        final List<Long> positions = new ArrayList<>();
        try (JournalWriter writer = JournalWriter.open(directory, format, "t", 64 * 1024, Durability.none()))
        {
            for (int i = 0; i < 100; i++)
            {
                JournalTestSupport.fill(message, i, 4096);
                positions.add(writer.append(message, 0, 4096, (1L << 40) + i * 4160L, 4160, 1, 2, i));
            }
        }
        try (Journal journal = Journal.open(directory, 64 * 1024); JournalReader reader = journal.reader(base))
        {
            final List<Long> read = new ArrayList<>();
            final long[] seq = { 0 };
            while (reader.poll((buffer, offset, length, header) ->
            {
                assertEquals(seq[0]++, JournalTestSupport.verify(buffer, offset, length));
                read.add(((JournalHeader)header).journalPosition());
                assertEquals((1L << 40) + (seq[0] - 1) * 4160L, header.position());
            }, 10) > 0)
            {
            }
            assertEquals(positions, read);
            assertTrue(read.get(read.size() - 1) > (1L << 32), "past 2^32: " + read.get(read.size() - 1));
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aPacedReplayKeepsTheRecordedIntervals()
    {
        directory = JournalTestSupport.newDirectory("paced");
        final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
        final long startNs = 1_800_000_000_000_000_000L;
        try (JournalWriter writer = JournalWriter.open(directory, null, "t", 128 * 1024, Durability.none()))
        {
            for (int i = 0; i < 21; i++)
            {
                JournalTestSupport.fill(message, i, 64);
                writer.append(message, 0, 64, i * 128L, 128, 0, 0, startNs + i * 10_000_000L);
            }
        }
        try (Journal journal = Journal.open(directory, 128 * 1024))
        {
            final long[] arrivals = new long[21];
            final int[] count = new int[1];
            try (JournalReader reader = journal.reader(journal.startPosition()))
            {
                Replayer.replay(reader, journal.endPosition(), true, (buffer, offset, length, header) ->
                    arrivals[count[0]++] = System.nanoTime(), new org.agrona.concurrent.BackoffIdleStrategy());
            }
            assertEquals(21, count[0]);
            for (int i = 1; i < 21; i++)
            {
                assertTrue(arrivals[i] - arrivals[0] >= i * 10_000_000L, "message " + i + " came " +
                    (arrivals[i] - arrivals[0]) + " ns after the first, recorded " + i * 10_000_000L + " ns after");
            }
            final long fast = System.nanoTime();
            try (JournalReader reader = journal.reader(journal.startPosition()))
            {
                assertEquals(21, Replayer.replay(reader, journal.endPosition(), false,
                    (buffer, offset, length, header) -> JournalTestSupport.verify(buffer, offset, length),
                    new org.agrona.concurrent.BackoffIdleStrategy()));
            }
            System.out.println("PACED replay of 200 ms took " + (arrivals[20] - arrivals[0]) / 1_000_000 +
                " ms; at full speed " + (System.nanoTime() - fast) / 1_000 + " us");
        }
    }
}
