package io.shmbus.journal;

import io.shmbus.LossHandler;
import io.shmbus.impl.platform.Linux;

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
    private final Path directory;
    private final MetaFile meta;
    private final JournalFormat format;
    private final long chunkLengthBytes;
    private final JournalSearch search;
    private boolean closed;

    private Journal(final Path directory, final MetaFile meta, final long chunkLengthBytes)
    {
        this.directory = directory;
        this.meta = meta;
        this.format = meta.format();
        this.chunkLengthBytes = chunkLengthBytes;
        this.search = new JournalSearch(this);
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
        return JournalTrim.trim(directory, beforePosition);
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
            return search.scanTail(indices).endPosition;
        });
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
        return retrying(() -> search.searchTime(timestampNs));
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
        return retrying(() -> JournalSummary.summarise(this, search));
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
