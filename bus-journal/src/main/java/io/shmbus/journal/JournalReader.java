package io.shmbus.journal;

import io.shmbus.LossHandler;
import io.shmbus.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a journal's records in order from a position, following the recorder as it appends (a poll that finds
 * nothing new returns 0). Each record is checked (place, length, CRC-32C) before it is delivered; the handler
 * gets a view into the mapped segment, valid during the call only. At most one chunk of one segment is mapped
 * at a time, so the reader's mapped memory is bounded by its window whatever the journal's length.
 *
 * <pre>{@code
 * try (Journal journal = Journal.open(dir); JournalReader reader = journal.reader(journal.startPosition()))
 * {
 *     while (running)
 *     {
 *         idle.idle(reader.poll((buffer, offset, length, header) -> process(buffer, offset, length), 64));
 *     }
 * }
 * }</pre>
 *
 * <p>Used by one thread at a time.
 */
public final class JournalReader implements AutoCloseable
{
    private final Journal journal;
    private final JournalFormat format;
    private final Path directory;
    private final LossHandler lossHandler;
    private final JournalHeader header = new JournalHeader();
    private final RecordChecksum checksum = new RecordChecksum();
    private final int dataOffset;
    private final long dataCapacity;
    private final int alignment;
    private SegmentFile segment;
    private long awaitedIndex = -1;
    private Path awaitedPath;
    private boolean awaitedListed;
    private long segmentBase;
    private long position;
    private long delivered;
    private boolean closed;

    JournalReader(final Journal journal, final long position, final LossHandler lossHandler)
    {
        this.journal = journal;
        this.format = journal.format();
        this.directory = journal.directory();
        this.lossHandler = lossHandler;
        this.dataOffset = format.dataOffset();
        this.dataCapacity = format.dataCapacity();
        this.alignment = format.recordAlignment();
        if (position < format.basePosition() || 0 != (position - format.basePosition()) % alignment)
        {
            throw new IllegalArgumentException("position " + position + " cannot start a record of journal " +
                directory + " (base " + format.basePosition() + ", alignment " + alignment + ")");
        }
        this.position = position;
    }

    /**
     * Deliver up to {@code messageLimit} records.
     *
     * @param handler      gets each message, with a {@link JournalHeader} as its header.
     * @param messageLimit the most messages to deliver.
     * @return messages delivered (loss records count as one each); 0 when none were there.
     * @throws JournalCorruptedException when the journal holds a record no recorder wrote whole.
     */
    public int poll(final MessageHandler handler, final int messageLimit)
    {
        if (closed)
        {
            return 0;
        }
        int count = 0;
        try
        {
            while (count < messageLimit)
            {
                if (null == segment && !openSegment())
                {
                    break;
                }
                final long offset = position - segmentBase;
                final long remaining = dataCapacity - offset;
                final int index = segment.map(dataOffset + offset);
                final UnsafeBuffer chunk = segment.chunk();
                final int frameLength = RecordScan.check(segment, index, position, remaining, format, checksum);
                if (frameLength > 0)
                {
                    final long next = position + RecordDescriptor.alignedLength(frameLength, alignment);
                    position = next;
                    delivered++;
                    count++;
                    header.wrap(chunk, index, next);
                    if (RecordDescriptor.KIND_LOSS == chunk.getShort(index + RecordDescriptor.KIND_OFFSET))
                    {
                        final int p = index + RecordDescriptor.HEADER_LENGTH;
                        lossHandler.onLoss(chunk.getLong(p), chunk.getLong(p + 8), chunk.getLong(p + 16),
                            chunk.getLong(p + 24));
                    }
                    else
                    {
                        handler.onMessage(chunk, index + RecordDescriptor.HEADER_LENGTH,
                            frameLength - RecordDescriptor.HEADER_LENGTH, header);
                    }
                }
                else if (RecordScan.EMPTY == frameLength)
                {
                    break;
                }
                else if (RecordScan.PADDING == frameLength)
                {
                    position += remaining;
                    segment.close();
                    segment = null;
                }
                else
                {
                    throw new JournalCorruptedException(segment.path() + " holds a record no recorder wrote whole: " +
                        RecordScan.describe(chunk, index, position));
                }
            }
        }
        catch (final InternalError error)
        {
            throw new JournalCorruptedException("fault reading " + (null != segment ? segment.path() : directory) +
                " at position " + position + " (the file was truncated while mapped?)", error);
        }
        return count;
    }

    /**
     * Open the segment of the position, holding a shared lock on it (retention and trims do not remove a segment
     * a reader holds). While it is not there yet, each poll looks for that one file name only; the directory is
     * listed once, to tell a segment not written yet from one that is missing for good.
     */
    private boolean openSegment()
    {
        final long index = format.segmentIndex(position);
        if (index < journal.startSegment())
        {
            throw removed(index);
        }
        if (index != awaitedIndex)
        {
            awaitedIndex = index;
            awaitedPath = directory.resolve(SegmentDescriptor.fileName(index));
            awaitedListed = false;
        }
        if (!Files.exists(awaitedPath))
        {
            if (index < journal.startSegment())
            {
                throw removed(index);
            }
            if (!awaitedListed)
            {
                awaitedListed = true;
                final long[] indices = journal.segmentIndices();
                if (indices.length > 0 && index < indices[0])
                {
                    throw new JournalException("position " + position + " is in segment " + index + ", before the " +
                        "first segment of " + directory + " (" + indices[0] + ")");
                }
            }
            return false;
        }
        final SegmentFile opened;
        try
        {
            opened = SegmentFile.open(directory, index, format, journal.journalId(), journal.chunkLengthBytes(), false);
        }
        catch (final SegmentMissingException ex)
        {
            if (index < journal.startSegment())
            {
                throw removed(index);
            }
            throw ex;
        }
        // Lock first, then look at the start: a remover moves the start past a segment before it lets go of
        // its exclusive lock, so a segment that is locked here and not before the start stays.
        if (!opened.tryLockShared() || index < journal.startSegment())
        {
            opened.close();
            throw removed(index);
        }
        segment = opened;
        segmentBase = segment.basePosition();
        return true;
    }

    private JournalException removed(final long index)
    {
        return new JournalException("reader of " + directory + " at position " + position + " fell behind the " +
            "journal's start: segment " + index + " was removed by retention or a trim (the journal now starts at " +
            "position " + journal.startPosition() + ")");
    }

    /**
     * @return the journal position of the next record to read.
     */
    public long position()
    {
        return position;
    }

    /**
     * @return records delivered so far.
     */
    public long deliveredRecords()
    {
        return delivered;
    }

    /**
     * @return bytes this reader maps now: at most one segment's header and index and one chunk with its overlap.
     */
    public long mappedBytes()
    {
        return null == segment ? 0 : segment.mappedBytes();
    }

    /**
     * @return the journal read.
     */
    public Journal journal()
    {
        return journal;
    }

    /**
     * Unmap. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (null != segment)
        {
            segment.close();
            segment = null;
        }
    }
}
