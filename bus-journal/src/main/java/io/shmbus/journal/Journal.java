package io.shmbus.journal;

import io.shmbus.LossHandler;
import io.shmbus.impl.platform.Linux;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A journal on disk, opened for reading: a directory of segment files written by one {@link Recorder}
 * (or {@link JournalWriter}), possibly while it is being written.
 *
 * <pre>{@code
 * try (Journal journal = Journal.open(Path.of("/var/lib/app/quotes-journal"));
 *     JournalReader reader = journal.reader(journal.positionAtTime(startOfDayNs)))
 * {
 *     while (reader.poll(handler, 256) > 0)
 *     {
 *     }
 * }
 * }</pre>
 *
 * <p>Positions are journal positions: bytes since the journal's base, each record's start a multiple of the
 * record alignment. Every record also carries the topic position of its message ({@link JournalHeader}).
 * Thread safe for opening readers; each reader is used by one thread.
 */
public final class Journal implements AutoCloseable
{
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Journal.class);

    private final Path directory;
    private final MetaFile meta;
    private final JournalFormat format;
    private final long chunkLengthBytes;
    private boolean closed;

    private Journal(final Path directory, final MetaFile meta, final long chunkLengthBytes)
    {
        this.directory = directory;
        this.meta = meta;
        this.format = meta.format();
        this.chunkLengthBytes = chunkLengthBytes;
    }

    /**
     * Open a journal with the default mapping window ({@value JournalWriter#DEFAULT_CHUNK_LENGTH_BYTES} bytes).
     *
     * @param directory the journal's directory.
     * @return the journal.
     * @throws JournalException when there is no journal there, or its files are not valid (the message says which).
     */
    public static Journal open(final Path directory)
    {
        return open(directory, JournalWriter.DEFAULT_CHUNK_LENGTH_BYTES);
    }

    /**
     * Open a journal and check every segment's header.
     *
     * @param directory        the journal's directory.
     * @param chunkLengthBytes the mapping window of its readers.
     * @return the journal.
     * @throws JournalException when there is no journal there, or its files are not valid (the message says which).
     */
    public static Journal open(final Path directory, final long chunkLengthBytes)
    {
        Linux.ensureUsable();
        final MetaFile meta = MetaFile.open(directory, false);
        try
        {
            SegmentFile.checkChunkLength(chunkLengthBytes, meta.format());
            final Journal journal = new Journal(directory, meta, chunkLengthBytes);
            for (final long index : journal.segmentIndices())
            {
                try
                {
                    journal.openSegment(index).close();
                }
                catch (final SegmentMissingException ex)
                {
                    if (index >= meta.startSegment())
                    {
                        throw new JournalCorruptedException(directory + " lacks segment " + index + " (" +
                            SegmentDescriptor.fileName(index) + "), which it has not removed", ex);
                    }
                    // removed by retention since the listing
                }
            }
            return journal;
        }
        catch (final RuntimeException ex)
        {
            meta.close();
            throw ex;
        }
    }

    /**
     * Remove the segments whose records all lie before a journal position, oldest first, with no recorder
     * running. The segment that holds the journal's end is always kept, and so is a segment a reader has open
     * (with every later one: the journal stays one run of segments); readers see the new start at once.
     *
     * @param directory      the journal's directory.
     * @param beforePosition records before this journal position may go (whole segments only).
     * @return how many segments were removed and where the journal starts now.
     * @throws JournalLockedException when a recorder holds the journal (naming its pid): stop it, or give it a
     *                                retention instead.
     */
    public static TrimResult trim(final Path directory, final long beforePosition)
    {
        Linux.ensureUsable();
        final MetaFile meta = MetaFile.open(directory, true);
        try
        {
            if (!meta.tryLock())
            {
                final int pid = meta.recorderPid();
                throw new JournalLockedException("journal " + directory + " is being recorded by process " + pid +
                    " (it holds the lock on " + meta.path().getFileName() + "): a trim needs the journal to itself; " +
                    "stop the recorder, or record with a retention", pid);
            }
            SegmentRemover.removeLeftovers(directory, meta);
            final long endPosition;
            try (Journal journal = Journal.open(directory, JournalWriter.DEFAULT_CHUNK_LENGTH_BYTES))
            {
                endPosition = journal.endPosition();
            }
            final JournalFormat format = meta.format();
            final long[] indices = MetaFile.segmentIndices(directory, meta::startSegment);
            if (0 == indices.length)
            {
                return new TrimResult(0, format.segmentBasePosition(meta.startSegment()), false);
            }
            // never the segment the journal ends in (a recorder appends there next), nor the last file
            final long limit = Math.min(indices[indices.length - 1],
                format.segmentIndex(Math.max(format.basePosition(), endPosition)));
            final int removed = SegmentRemover.removeOldest(directory, meta, limit,
                index -> format.segmentBasePosition(index + 1) <= beforePosition);
            final long start = meta.startSegment();
            final boolean held = start < limit && format.segmentBasePosition(start + 1) <= beforePosition;
            LOG.info("journal {}: trim before position {} removed {} segment(s); it starts at position {}{}", directory,
                beforePosition, removed, format.segmentBasePosition(start), held ? " (a reader holds segment " +
                start + ")" : "");
            return new TrimResult(removed, format.segmentBasePosition(start), held);
        }
        finally
        {
            meta.close();
        }
    }

    SegmentFile openSegment(final long index)
    {
        return SegmentFile.open(directory, index, format, meta.journalId(), chunkLengthBytes, false);
    }

    /**
     * @return the segments kept now, in order (files of segments being removed are left out).
     */
    long[] segmentIndices()
    {
        return MetaFile.segmentIndices(directory, meta::startSegment);
    }

    /**
     * @return the index of the first segment kept: segments before it were removed by retention or a trim.
     */
    long startSegment()
    {
        return meta.startSegment();
    }

    /**
     * Run a read of the segments again when one of them was removed while it ran (retention goes on while
     * readers look).
     */
    private <T> T retrying(final java.util.function.Supplier<T> read)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return read.get();
            }
            catch (final SegmentMissingException ex)
            {
                if (ex.index() >= meta.startSegment() || attempt >= 100)
                {
                    throw new JournalCorruptedException(directory + " lacks segment " + ex.index() + " (" +
                        SegmentDescriptor.fileName(ex.index()) + "), which it has not removed", ex);
                }
            }
        }
    }

    /**
     * @return the journal's directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @return the journal's format.
     */
    public JournalFormat format()
    {
        return format;
    }

    /**
     * @return the name of the topic recorded.
     */
    public String topicName()
    {
        return meta.topicName();
    }

    long journalId()
    {
        return meta.journalId();
    }

    long chunkLengthBytes()
    {
        return chunkLengthBytes;
    }

    /**
     * @return the topic position up to which the recorder had recorded every message after its last poll, or -1
     * before its first.
     */
    public long recordedTopicPosition()
    {
        return meta.recordedTopicPosition();
    }

    /**
     * @return true when a recorder holds the journal's lock now.
     */
    public boolean isRecording()
    {
        return meta.isLockedElsewhere();
    }

    /**
     * @return the pid the last recorder wrote when it took the lock (0 when none did).
     */
    public int recorderPid()
    {
        return meta.recorderPid();
    }

    /**
     * @return the journal position of the first record kept (the first segment's base): later than the
     * journal's base once retention or a trim removed segments.
     */
    public long startPosition()
    {
        final long[] indices = segmentIndices();
        return format.segmentBasePosition(0 == indices.length ? meta.startSegment() : indices[0]);
    }

    /**
     * @return the journal position after the last whole record now.
     */
    public long endPosition()
    {
        return retrying(() ->
        {
            final long[] indices = segmentIndices();
            if (0 == indices.length)
            {
                return format.segmentBasePosition(meta.startSegment());
            }
            return scanTail(indices).endPosition;
        });
    }

    /**
     * Scan the segment the recorder appends to: the last one, or the one before it when the last is an empty
     * segment made ahead of a roll that has not happened yet.
     */
    private RecordScan scanTail(final long[] indices)
    {
        final RecordScan scan;
        try (SegmentFile last = openSegment(indices[indices.length - 1]))
        {
            scan = scanFromLastEntry(last);
        }
        if (0 == scan.records && !scan.sealed && indices.length > 1 &&
            scan.endPosition == format.segmentBasePosition(indices[indices.length - 1]))
        {
            try (SegmentFile previous = openSegment(indices[indices.length - 2]))
            {
                final RecordScan previousScan = scanFromLastEntry(previous);
                if (!previousScan.sealed)
                {
                    return previousScan;
                }
            }
        }
        return scan;
    }

    private RecordScan scanFromLastEntry(final SegmentFile segment)
    {
        final UnsafeBuffer header = segment.header();
        final int count = header.getIntVolatile(SegmentDescriptor.INDEX_COUNT_OFFSET);
        long from = segment.basePosition();
        long maxTs = 0;
        if (count > 0)
        {
            final int entry = SegmentDescriptor.HEADER_LENGTH + (count - 1) * SegmentDescriptor.INDEX_ENTRY_LENGTH;
            from = header.getLong(entry);
            maxTs = header.getLong(entry + 8);
        }
        return new RecordScan().scan(segment, format, from, maxTs);
    }

    /**
     * Find where to start reading to replay from a time, through the time index (no scan of the journal): the
     * first record whose timestamp, or that of a record before it, is at or after {@code timestampNs}.
     * Timestamps of different publishers may interleave out of order; taking the running maximum makes the
     * answer well defined, and for a single clock it is the first record at or after the time. A time before
     * the first record kept gives the first record kept ({@link #startPosition()}): whatever was older was
     * removed by retention or a trim.
     *
     * @param timestampNs epoch nanoseconds.
     * @return a journal position: a record's start, or the end of the journal when no record is that late.
     */
    public long positionAtTime(final long timestampNs)
    {
        return retrying(() -> searchTime(timestampNs));
    }

    private long searchTime(final long timestampNs)
    {
        final long[] indices = segmentIndices();
        if (0 == indices.length)
        {
            return format.segmentBasePosition(meta.startSegment());
        }
        int chosen = 0;
        for (int i = indices.length - 1; i > 0; i--)
        {
            try (SegmentFile segment = openSegment(indices[i]))
            {
                final UnsafeBuffer header = segment.header();
                if (header.getIntVolatile(SegmentDescriptor.INDEX_COUNT_OFFSET) > 0 &&
                    header.getLong(SegmentDescriptor.HEADER_LENGTH + 8) < timestampNs)
                {
                    chosen = i;
                    break;
                }
            }
        }
        for (int i = chosen; i < indices.length; i++)
        {
            try (SegmentFile segment = openSegment(indices[i]))
            {
                final long found = searchSegment(segment, timestampNs);
                if (found >= 0)
                {
                    return found;
                }
            }
        }
        return endPosition();
    }

    private long searchSegment(final SegmentFile segment, final long timestampNs)
    {
        final UnsafeBuffer header = segment.header();
        final int count = header.getIntVolatile(SegmentDescriptor.INDEX_COUNT_OFFSET);
        int low = 0;
        int high = count - 1;
        int best = -1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            if (header.getLong(SegmentDescriptor.HEADER_LENGTH + mid * SegmentDescriptor.INDEX_ENTRY_LENGTH + 8) <
                timestampNs)
            {
                best = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        long position = segment.basePosition();
        long maxTs = Long.MIN_VALUE;
        if (best >= 0)
        {
            final int entry = SegmentDescriptor.HEADER_LENGTH + best * SegmentDescriptor.INDEX_ENTRY_LENGTH;
            position = header.getLong(entry);
            maxTs = header.getLong(entry + 8);
        }
        final long base = segment.basePosition();
        final long capacity = format.dataCapacity();
        while (position - base < capacity)
        {
            final int index = segment.map(format.dataOffset() + (position - base));
            final UnsafeBuffer chunk = segment.chunk();
            final int frameLength = RecordScan.check(
                segment, index, position, capacity - (position - base), format, null);
            if (frameLength <= 0)
            {
                return RecordScan.PADDING == frameLength ? -1 : position;
            }
            maxTs = Math.max(maxTs, chunk.getLong(index + RecordDescriptor.TIMESTAMP_OFFSET));
            if (maxTs >= timestampNs)
            {
                return position;
            }
            position += RecordDescriptor.alignedLength(frameLength, format.recordAlignment());
        }
        return -1;
    }

    /**
     * Open a reader at a journal position.
     *
     * @param position a record's start, for example {@link #startPosition()} or {@link #positionAtTime(long)}.
     * @return the reader; loss records are dropped.
     */
    public JournalReader reader(final long position)
    {
        return reader(position, (messages, bytes, from, to) -> {});
    }

    /**
     * Open a reader at a journal position.
     *
     * @param position    a record's start.
     * @param lossHandler told of each loss the recorder recorded (messages the topic reused before it read them).
     * @return the reader.
     */
    public JournalReader reader(final long position, final LossHandler lossHandler)
    {
        return reader(position, lossHandler, false);
    }

    /**
     * Open a reader at a journal position, or at the first record kept when that position was removed.
     *
     * @param position      a record's start.
     * @param lossHandler   told of each loss the recorder recorded (messages the topic reused before it read them).
     * @param startIfBefore true to start at {@link #startPosition()} when {@code position} is before it; false to
     *                      refuse such a position.
     * @return the reader.
     * @throws JournalException when {@code position} is before the journal's start (segments removed by retention
     *                          or a trim) and {@code startIfBefore} is false; the message names the start.
     */
    public JournalReader reader(final long position, final LossHandler lossHandler, final boolean startIfBefore)
    {
        ensureOpen();
        long from = position;
        final long start = startPosition();
        if (position < start)
        {
            if (!startIfBefore)
            {
                throw new JournalException("position " + position + " is before the start of journal " + directory +
                    ": it starts at position " + start + " (segment " + format.segmentIndex(start) + "); the " +
                    "segments before were removed by retention or a trim");
            }
            from = start;
        }
        return new JournalReader(this, from, lossHandler);
    }

    /**
     * Summarise the journal: segments, first and last position and time, size. Reads the segment headers and
     * the records of the last index interval only.
     *
     * @return the summary.
     */
    public JournalInfo info()
    {
        return retrying(this::summarise);
    }

    private JournalInfo summarise()
    {
        final long[] indices = segmentIndices();
        long bytes = 0;
        for (final long index : indices)
        {
            try
            {
                bytes += Files.size(directory.resolve(SegmentDescriptor.fileName(index)));
            }
            catch (final java.nio.file.NoSuchFileException ex)
            {
                throw new SegmentMissingException("segment " + index + " of " + directory + " is not there", index, ex);
            }
            catch (final IOException ex)
            {
                throw new JournalException("cannot read the size of segment " + index + " in " + directory, ex);
            }
        }
        long firstTs = 0;
        long lastTs = 0;
        long end = format.segmentBasePosition(meta.startSegment());
        final long start = 0 == indices.length ? end : format.segmentBasePosition(indices[0]);
        if (indices.length > 0)
        {
            try (SegmentFile first = openSegment(indices[0]))
            {
                final int index = first.map(format.dataOffset());
                if (RecordScan.check(first, index, first.basePosition(), format.dataCapacity(), format,
                    new RecordChecksum()) > 0)
                {
                    firstTs = first.chunk().getLong(index + RecordDescriptor.TIMESTAMP_OFFSET);
                }
            }
            final RecordScan scan = scanTail(indices);
            end = scan.endPosition;
            lastTs = scan.maxTimestampNs;
        }
        return new JournalInfo(directory, meta.topicName(), format, indices.length,
            indices.length > 0 ? indices[0] : -1, indices.length > 0 ? indices[indices.length - 1] : -1, start, end,
            firstTs, lastTs, bytes, meta.recordedTopicPosition(), isRecording(), meta.recorderPid());
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("journal " + directory + " is closed");
        }
    }

    /**
     * Unmap the meta file. Readers opened from it must be closed first. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            meta.close();
        }
    }
}
