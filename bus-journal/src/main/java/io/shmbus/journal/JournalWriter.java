package io.shmbus.journal;

import io.shmbus.impl.platform.Linux;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The single writer of a journal: appends records to the open segment, rolls to a new segment when one is
 * full, keeps the time index, and on open recovers the tail a crashed writer left (a record it had not
 * committed is cut, and the bytes after the last whole record are zeroed).
 *
 * <p>Exactly one writer per journal: it holds an exclusive OFD lock on {@code journal.meta}, which the kernel
 * releases the moment its process dies. Used by one thread at a time. Most applications use a {@link Recorder},
 * which feeds a writer from a topic.
 *
 * <pre>{@code
 * try (JournalWriter writer = JournalWriter.open(dir, JournalFormat.defaults(), "quotes", 64 << 20, Durability.none()))
 * {
 *     writer.append(buffer, 0, length, topicPosition, topicRecordLength, type, publisherId, timestampNs);
 * }
 * }</pre>
 */
public final class JournalWriter implements AutoCloseable
{
    /** Default mapping window: 64 MiB. */
    public static final long DEFAULT_CHUNK_LENGTH_BYTES = 64L << 20;

    private static final Logger LOG = LoggerFactory.getLogger(JournalWriter.class);

    private final Path directory;
    private final MetaFile meta;
    private final JournalFormat format;
    private final long chunkLengthBytes;
    private final Durability durability;
    private final int alignment;
    private final int dataOffset;
    private final long dataCapacity;
    private final int indexInterval;
    private final int indexCapacity;
    private final RecordChecksum checksum = new RecordChecksum();
    private final Retention retention;
    private SegmentFile segment;
    private SegmentFile nextSegment;
    private long segmentBase;
    private long position;
    private long maxTimestampNs;
    private long nextIndexOffset;
    private int indexCount;
    private long lastTopicNextPosition;
    private int sinceSync;
    private long appended;
    private boolean closed;

    private JournalWriter(
        final Path directory,
        final MetaFile meta,
        final long chunkLengthBytes,
        final Durability durability,
        final Retention retention)
    {
        this.directory = directory;
        this.retention = retention;
        this.meta = meta;
        this.format = meta.format();
        this.chunkLengthBytes = chunkLengthBytes;
        this.durability = durability;
        this.alignment = format.recordAlignment();
        this.dataOffset = format.dataOffset();
        this.dataCapacity = format.dataCapacity();
        this.indexInterval = format.indexIntervalBytes();
        this.indexCapacity = SegmentDescriptor.indexCapacity(format);
    }

    /**
     * Open the journal in a directory for writing, creating it (and the directory) when there is none.
     *
     * @param directory        the journal's directory.
     * @param format           the format of a new journal; an existing journal keeps its own, and when this is
     *                         not null it must match it.
     * @param topicName        the topic recorded: stored in a new journal, checked against an existing one.
     * @param chunkLengthBytes the mapping window.
     * @param durability       when to sync.
     * @return the writer, positioned after the last whole record.
     * @throws JournalLockedException    when another process writes the journal (naming its pid).
     * @throws JournalCorruptedException when a file is not a valid part of this journal.
     * @throws JournalFullException      when there is no room for the first segment.
     */
    public static JournalWriter open(
        final Path directory,
        final JournalFormat format,
        final String topicName,
        final long chunkLengthBytes,
        final Durability durability)
    {
        return open(directory, format, topicName, chunkLengthBytes, durability, Retention.none());
    }

    /**
     * Open the journal in a directory for writing, creating it (and the directory) when there is none, removing
     * old segments as the retention says (now, and at each roll).
     *
     * @param directory        the journal's directory.
     * @param format           the format of a new journal; an existing journal keeps its own, and when this is
     *                         not null it must match it.
     * @param topicName        the topic recorded: stored in a new journal, checked against an existing one.
     * @param chunkLengthBytes the mapping window.
     * @param durability       when to sync.
     * @param retention        which old segments to remove.
     * @return the writer, positioned after the last whole record.
     * @throws JournalLockedException    when another process writes the journal (naming its pid).
     * @throws JournalCorruptedException when a file is not a valid part of this journal.
     * @throws JournalFullException      when there is no room for the first segment.
     */
    public static JournalWriter open(
        final Path directory,
        final JournalFormat format,
        final String topicName,
        final long chunkLengthBytes,
        final Durability durability,
        final Retention retention)
    {
        Linux.ensureUsable();
        final MetaFile meta = MetaFile.openOrCreate(directory, null != format ? format : JournalFormat.defaults(),
            topicName);
        try
        {
            if (!meta.tryLock())
            {
                final int pid = meta.recorderPid();
                throw new JournalLockedException("journal " + directory + " is already being recorded by process " +
                    pid + " (it holds the lock on " + meta.path().getFileName() + "); a journal has one recorder",
                    pid);
            }
            meta.recorder((int)ProcessHandle.current().pid(), EpochClock.nowNs());
            if (null != format && null != format.difference(meta.format()))
            {
                throw new JournalException("journal " + directory + " exists with other settings: " +
                    format.difference(meta.format()) + " (asked vs stored)");
            }
            if (null != topicName && !topicName.equals(meta.topicName()))
            {
                throw new JournalException("journal " + directory + " records topic '" + meta.topicName() +
                    "', not '" + topicName + "'");
            }
            SegmentFile.checkChunkLength(chunkLengthBytes, meta.format());
            final JournalWriter writer = new JournalWriter(directory, meta, chunkLengthBytes, durability,
                java.util.Objects.requireNonNull(retention));
            writer.recover();
            try
            {
                writer.retain();
            }
            catch (final RuntimeException ex)
            {
                writer.close();
                throw ex;
            }
            return writer;
        }
        catch (final RuntimeException ex)
        {
            meta.close();
            throw ex;
        }
    }

    private void recover()
    {
        SegmentRemover.removeLeftovers(directory, meta);
        final long start = meta.startSegment();
        final long[] indices = MetaFile.segmentIndices(directory, () -> start);
        for (int i = 0; i < indices.length; i++)
        {
            SegmentFile.open(directory, indices[i], format, meta.journalId(), chunkLengthBytes, false).close();
        }
        if (0 == indices.length)
        {
            if (0 == start)
            {
                openSegment(SegmentFile.create(directory, 0, format, meta.journalId(), chunkLengthBytes), 0, -1);
                LOG.info("journal {} created: {}", directory, format);
            }
            else
            {
                // every segment file is gone (removed by hand): go on after the last one the meta file knows of
                openSegment(SegmentFile.create(directory, start, format, meta.journalId(), chunkLengthBytes),
                    meta.rollMaxTimestampNs(), meta.rollTopicNextPosition());
                LOG.warn("journal {} has no segment file left: recording goes on in segment {}", directory, start);
            }
            return;
        }

        long last = indices[indices.length - 1];
        SegmentFile candidate = SegmentFile.open(directory, last, format, meta.journalId(), chunkLengthBytes, true);
        RecordScan scan = scanFromIndex(candidate, new RecordScan());
        if (0 == scan.records && !scan.sealed && indices.length > 1)
        {
            // an empty segment made ahead of a roll that did not happen: the one before is still open
            final SegmentFile previous = SegmentFile.open(
                directory, last - 1, format, meta.journalId(), chunkLengthBytes, true);
            final RecordScan previousScan = scanFromIndex(previous, new RecordScan());
            if (!previousScan.sealed)
            {
                candidate.close();
                deleteSegment(last);
                last--;
                candidate = previous;
                scan = previousScan;
            }
            else
            {
                previous.close();
            }
        }
        long lastNext = scan.lastTopicNextPosition;
        if (-1 == lastNext && last > indices[0])
        {
            try (SegmentFile previous = SegmentFile.open(
                directory, last - 1, format, meta.journalId(), chunkLengthBytes, false))
            {
                lastNext = scanFromIndex(previous, new RecordScan()).lastTopicNextPosition;
            }
        }
        else if (-1 == lastNext && last > 0)
        {
            // the segment before was removed by retention: the roll into this one noted where the topic was
            lastNext = meta.rollTopicNextPosition();
        }

        if (scan.sealed)
        {
            final long maxTs = scan.maxTimestampNs;
            candidate.close();
            openSegment(SegmentFile.create(directory, last + 1, format, meta.journalId(), chunkLengthBytes), maxTs,
                lastNext);
        }
        else
        {
            cutTail(candidate, scan);
            openSegment(candidate, scan.maxTimestampNs, lastNext);
            position = scan.endPosition;
            rebuildIndex();
        }
        LOG.info("journal {} reopened at position {} in segment {} (last topic position {})", directory, position,
            segment.index(), lastTopicNextPosition);
    }

    private RecordScan scanFromIndex(final SegmentFile file, final RecordScan scan)
    {
        final UnsafeBuffer header = file.header();
        final int count = header.getIntVolatile(SegmentDescriptor.INDEX_COUNT_OFFSET);
        long from = file.basePosition();
        long maxTs = 0;
        if (count > 0)
        {
            final int entry = SegmentDescriptor.HEADER_LENGTH + (count - 1) * SegmentDescriptor.INDEX_ENTRY_LENGTH;
            from = header.getLong(entry);
            maxTs = header.getLong(entry + 8);
        }
        // index entries are written after their record's commit, and a cut drops those at or past it: the last
        // entry always points at a whole record
        return scan.scan(file, format, from, maxTs);
    }

    private void cutTail(final SegmentFile file, final RecordScan scan)
    {
        final long cut = scan.endPosition;
        final long cutOffset = dataOffset + (cut - file.basePosition());
        final long limit = Math.max(file.allocatedLimit(),
            Math.min(format.segmentLengthBytes(), cutOffset + RecordDescriptor.alignedLength(format.maxFrameLength(),
            alignment)));
        if (null != scan.problem)
        {
            LOG.warn("journal {}: cutting a torn record at position {} in {}: {}", directory, cut,
                file.path().getFileName(), scan.problem);
        }
        long offset = cutOffset;
        while (offset < limit)
        {
            final int index = file.map(offset);
            final UnsafeBuffer chunk = file.chunk();
            final int length = (int)Math.min(limit - offset, chunk.capacity() - index);
            chunk.setMemory(index, length, (byte)0);
            offset += length;
        }
        // drop index entries that point at or past the cut
        final UnsafeBuffer header = file.header();
        int count = header.getIntVolatile(SegmentDescriptor.INDEX_COUNT_OFFSET);
        while (count > 0 &&
            header.getLong(SegmentDescriptor.HEADER_LENGTH + (count - 1) * SegmentDescriptor.INDEX_ENTRY_LENGTH) >= cut)
        {
            count--;
        }
        header.putIntRelease(SegmentDescriptor.INDEX_COUNT_OFFSET, count);
    }

    private void rebuildIndex()
    {
        // entries lost when the previous writer died between a commit and its index entry
        final UnsafeBuffer header = segment.header();
        long from = segmentBase;
        long maxTs = 0;
        if (indexCount > 0)
        {
            final int entry = SegmentDescriptor.HEADER_LENGTH + (indexCount - 1) * SegmentDescriptor.INDEX_ENTRY_LENGTH;
            from = header.getLong(entry);
            maxTs = header.getLong(entry + 8);
        }
        else
        {
            maxTs = maxTimestampNs <= 0 ? 0 : maxTimestampNs;
            if (segment.index() > 0)
            {
                maxTs = previousSegmentMaxTimestamp();
            }
        }
        long p = from;
        while (p < position)
        {
            final int index = segment.map(dataOffset + (p - segmentBase));
            final UnsafeBuffer chunk = segment.chunk();
            final int frameLength = chunk.getInt(index);
            final long ts = chunk.getLong(index + RecordDescriptor.TIMESTAMP_OFFSET);
            indexRecord(p, maxTs);
            maxTs = Math.max(maxTs, ts);
            p += RecordDescriptor.alignedLength(frameLength, alignment);
        }
        maxTimestampNs = maxTs;
    }

    private long previousSegmentMaxTimestamp()
    {
        final Path previousPath = directory.resolve(SegmentDescriptor.fileName(segment.index() - 1));
        if (!Files.exists(previousPath))
        {
            return meta.rollMaxTimestampNs();
        }
        try (SegmentFile previous = SegmentFile.open(
            directory, segment.index() - 1, format, meta.journalId(), chunkLengthBytes, false))
        {
            return scanFromIndex(previous, new RecordScan()).maxTimestampNs;
        }
    }

    private void deleteSegment(final long index)
    {
        try
        {
            Files.deleteIfExists(directory.resolve(SegmentDescriptor.fileName(index)));
        }
        catch (final java.io.IOException ex)
        {
            throw new JournalException("cannot remove the empty segment " + index + " of " + directory + ": " + ex, ex);
        }
    }

    private void openSegment(final SegmentFile file, final long maxTs, final long lastNext)
    {
        segment = file;
        segmentBase = file.basePosition();
        position = segmentBase;
        maxTimestampNs = maxTs;
        lastTopicNextPosition = lastNext;
        indexCount = file.header().getIntVolatile(SegmentDescriptor.INDEX_COUNT_OFFSET);
        nextIndexOffset = (long)indexCount * indexInterval;
        if (indexCount > 0)
        {
            // the next entry is due at the interval after the last entry's record
            final long lastEntryOffset = file.header().getLong(
                SegmentDescriptor.HEADER_LENGTH + (indexCount - 1) * SegmentDescriptor.INDEX_ENTRY_LENGTH) -
                segmentBase;
            nextIndexOffset = (lastEntryOffset / indexInterval + 1) * indexInterval;
        }
    }

    /**
     * Make sure the next {@code bytes} of records can be appended without allocating: allocate the blocks ahead,
     * and create the next segment ahead when they would cross into it. Call it before taking messages that must
     * not be lost to a full disk half way.
     *
     * @param bytes bytes of records (aligned frames) to make room for.
     * @throws JournalFullException when the file system has no room; nothing was appended.
     */
    public void reserve(final long bytes)
    {
        final long endOffset = position - segmentBase + bytes;
        segment.allocate(dataOffset + Math.min(endOffset, dataCapacity));
        if (endOffset >= dataCapacity && null == nextSegment)
        {
            nextSegment = SegmentFile.create(directory, segment.index() + 1, format, meta.journalId(),
                chunkLengthBytes);
            nextSegment.allocate(dataOffset + Math.min(endOffset - dataCapacity + bytes, dataCapacity));
            retain(); // the new file counts toward the limits
        }
        else if (endOffset >= dataCapacity)
        {
            nextSegment.allocate(dataOffset + Math.min(endOffset - dataCapacity + bytes, dataCapacity));
        }
    }

    /**
     * Append a message record.
     *
     * @param buffer            holding the payload.
     * @param offset            where it starts.
     * @param length            its length, 0 to the journal's largest message.
     * @param topicPosition     the message's position in its topic.
     * @param topicRecordLength the topic's next position minus its position.
     * @param type              the message type.
     * @param publisherId       the publisher slot that wrote it.
     * @param timestampNs       epoch nanoseconds.
     * @return the record's journal position.
     * @throws JournalFullException when the file system has no room for the record; nothing was appended.
     */
    public long append(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long topicPosition,
        final int topicRecordLength,
        final int type,
        final int publisherId,
        final long timestampNs)
    {
        if (length < 0 || length > format.maxMessageLength())
        {
            throw new IllegalArgumentException("message length " + length + " is outside 0 to " +
                format.maxMessageLength() + ", the journal's largest message");
        }
        final int frameLength = RecordDescriptor.HEADER_LENGTH + length;
        final int index = claim(frameLength);
        final UnsafeBuffer chunk = segment.chunk();
        chunk.putBytes(index + RecordDescriptor.HEADER_LENGTH, buffer, offset, length);
        return commit(chunk, index, frameLength, topicPosition, topicRecordLength, type, publisherId, timestampNs,
            RecordDescriptor.KIND_MESSAGE, topicPosition + topicRecordLength);
    }

    /**
     * Append a loss record: the topic reused messages before the recorder read them.
     *
     * @param lostMessages messages lost.
     * @param lostBytes    bytes of the topic's stream lost.
     * @param fromPosition the topic position the loss starts at.
     * @param toPosition   the topic position after the loss.
     * @param timestampNs  epoch nanoseconds.
     * @return the record's journal position.
     */
    public long appendLoss(
        final long lostMessages,
        final long lostBytes,
        final long fromPosition,
        final long toPosition,
        final long timestampNs)
    {
        final int frameLength = RecordDescriptor.HEADER_LENGTH + RecordDescriptor.LOSS_PAYLOAD_LENGTH;
        final int index = claim(frameLength);
        final UnsafeBuffer chunk = segment.chunk();
        chunk.putLong(index + RecordDescriptor.HEADER_LENGTH, lostMessages);
        chunk.putLong(index + RecordDescriptor.HEADER_LENGTH + 8, lostBytes);
        chunk.putLong(index + RecordDescriptor.HEADER_LENGTH + 16, fromPosition);
        chunk.putLong(index + RecordDescriptor.HEADER_LENGTH + 24, toPosition);
        return commit(chunk, index, frameLength, fromPosition, (int)Math.min(Integer.MAX_VALUE, toPosition -
            fromPosition), 0, -1, timestampNs, RecordDescriptor.KIND_LOSS, toPosition);
    }

    private int claim(final int frameLength)
    {
        ensureOpen();
        final int aligned = RecordDescriptor.alignedLength(frameLength, alignment);
        if (position - segmentBase + aligned >= dataCapacity)
        {
            roll();
        }
        final long fileOffset = dataOffset + (position - segmentBase);
        final int index = segment.map(fileOffset);
        segment.allocate(fileOffset + aligned);
        segment.populateFor(fileOffset + aligned);
        return index;
    }

    private long commit(
        final UnsafeBuffer chunk,
        final int index,
        final int frameLength,
        final long topicPosition,
        final int topicRecordLength,
        final int type,
        final int publisherId,
        final long timestampNs,
        final short kind,
        final long topicNextPosition)
    {
        final long recordPosition = position;
        chunk.putLong(index + RecordDescriptor.JOURNAL_POSITION_OFFSET, recordPosition);
        chunk.putLong(index + RecordDescriptor.TOPIC_POSITION_OFFSET, topicPosition);
        chunk.putLong(index + RecordDescriptor.TIMESTAMP_OFFSET, timestampNs);
        chunk.putInt(index + RecordDescriptor.TOPIC_RECORD_LENGTH_OFFSET, topicRecordLength);
        chunk.putInt(index + RecordDescriptor.TYPE_OFFSET, type);
        chunk.putInt(index + RecordDescriptor.PUBLISHER_ID_OFFSET, publisherId);
        chunk.putShort(index + RecordDescriptor.KIND_OFFSET, kind);
        chunk.putShort(index + RecordDescriptor.KIND_OFFSET + 2, (short)0);
        chunk.putInt(index + RecordDescriptor.CHECKSUM_OFFSET, checksum.compute(chunk, index, frameLength));
        chunk.putIntRelease(index + RecordDescriptor.FRAME_LENGTH_OFFSET, frameLength);

        final long dataOffsetOfRecord = recordPosition - segmentBase;
        if (dataOffsetOfRecord >= nextIndexOffset)
        {
            indexRecord(recordPosition, maxTimestampNs);
        }
        if (timestampNs > maxTimestampNs)
        {
            maxTimestampNs = timestampNs;
        }
        position = recordPosition + RecordDescriptor.alignedLength(frameLength, alignment);
        lastTopicNextPosition = topicNextPosition;
        appended++;
        final int every = durability.syncEveryMessages();
        if (0 != every && ++sinceSync >= every)
        {
            sinceSync = 0;
            segment.sync();
        }
        return recordPosition;
    }

    private void indexRecord(final long recordPosition, final long maxTimestampBefore)
    {
        final long recordOffset = recordPosition - segmentBase;
        final UnsafeBuffer header = segment.header();
        while (nextIndexOffset <= recordOffset && indexCount < indexCapacity)
        {
            final int entry = SegmentDescriptor.HEADER_LENGTH + indexCount * SegmentDescriptor.INDEX_ENTRY_LENGTH;
            header.putLong(entry, recordPosition);
            header.putLong(entry + 8, maxTimestampBefore);
            indexCount++;
            header.putIntRelease(SegmentDescriptor.INDEX_COUNT_OFFSET, indexCount);
            nextIndexOffset += indexInterval;
        }
    }

    private void roll()
    {
        final long offset = position - segmentBase;
        final long remaining = dataCapacity - offset;
        final SegmentFile next = null != nextSegment ? nextSegment :
            SegmentFile.create(directory, segment.index() + 1, format, meta.journalId(), chunkLengthBytes);
        nextSegment = null;
        final int index = segment.map(dataOffset + offset);
        segment.chunk().putIntRelease(index, (int)-remaining);
        segment.header().putLongRelease(SegmentDescriptor.END_POSITION_OFFSET, segmentBase + dataCapacity);
        if (durability.syncOnRoll())
        {
            segment.sync();
        }
        final long maxTs = maxTimestampNs;
        final long lastNext = lastTopicNextPosition;
        segment.close();
        openSegment(next, maxTs, lastNext);
        meta.rolled(lastNext, maxTs);
        retain();
    }

    /**
     * Remove the old segments the retention no longer keeps (the writer does it when it opens, when it makes a
     * segment ahead of a roll, and at each roll; the recorder once a second too with an age limit). Never the
     * segment being written nor the one made ahead (both count toward the limits); a segment a reader has
     * open, and every later one, is kept until a later call.
     *
     * @return the segments removed.
     */
    public int retain()
    {
        ensureOpen();
        if (retention.keepsEverything())
        {
            return 0;
        }
        final long current = segment.index();
        final long lastFile = null != nextSegment ? current + 1 : current;
        final long segmentLength = format.segmentLengthBytes();
        final long cutoffNs = retention.maxAgeNs() > 0 ? EpochClock.nowNs() - retention.maxAgeNs() : Long.MIN_VALUE;
        final long first = meta.startSegment();
        final int removed = SegmentRemover.removeOldest(directory, meta, current, index ->
            (retention.maxSegments() > 0 && lastFile - index + 1 > retention.maxSegments()) ||
            (retention.maxBytes() > 0 && (lastFile - index + 1) * segmentLength > retention.maxBytes()) ||
            (retention.maxAgeNs() > 0 && newestTimestampUpTo(index) < cutoffNs));
        if (removed > 0)
        {
            LOG.info("journal {}: retention ({}) removed segments {} to {}; the journal starts at position {}",
                directory, retention, first, meta.startSegment() - 1, format.segmentBasePosition(meta.startSegment()));
        }
        return removed;
    }

    /**
     * @return the latest timestamp of the records of segment {@code index} and before: the first time index
     * entry of the next segment carries it, and the writer knows it for the segment before the current one.
     */
    private long newestTimestampUpTo(final long index)
    {
        if (index + 1 == segment.index())
        {
            return indexCount > 0 ? segment.header().getLong(SegmentDescriptor.HEADER_LENGTH + 8) : maxTimestampNs;
        }
        try (SegmentFile next = SegmentFile.open(directory, index + 1, format, meta.journalId(), chunkLengthBytes,
            false))
        {
            final UnsafeBuffer header = next.header();
            if (header.getIntVolatile(SegmentDescriptor.INDEX_COUNT_OFFSET) > 0)
            {
                return header.getLong(SegmentDescriptor.HEADER_LENGTH + 8);
            }
            return Long.MAX_VALUE; // an empty segment after it: cannot tell, keep it
        }
    }

    /**
     * Publish the recorder's topic position after a poll, for readers merging into the live topic.
     *
     * @param topicPosition the topic position up to which every message is in the journal.
     */
    public void recordedTopicPosition(final long topicPosition)
    {
        meta.recordedTopicPosition(topicPosition);
    }

    /**
     * Force what was appended to the device now.
     */
    public void sync()
    {
        ensureOpen();
        segment.sync();
        sinceSync = 0;
    }

    /**
     * @return the journal position the next record will take.
     */
    public long position()
    {
        return position;
    }

    /**
     * @return the topic position after the last message (or loss) recorded, or -1 when none was.
     */
    public long lastTopicNextPosition()
    {
        return lastTopicNextPosition;
    }

    /**
     * @return records appended by this writer.
     */
    public long appendedRecords()
    {
        return appended;
    }

    /**
     * @return the journal's format.
     */
    public JournalFormat format()
    {
        return format;
    }

    /**
     * @return the journal's directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @return bytes mapped by this writer now (its window), whatever the journal's size.
     */
    public long mappedBytes()
    {
        return JournalMetaDescriptor.LENGTH + segment.mappedBytes() + (null != nextSegment ? format.dataOffset() : 0);
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("journal writer of " + directory + " is closed");
        }
    }

    /**
     * Unmap, sync when the durability asks for it, and release the lock. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            if (durability.syncOnRoll())
            {
                segment.sync();
            }
        }
        finally
        {
            segment.close();
            if (null != nextSegment)
            {
                nextSegment.close();
            }
            meta.close();
        }
        LOG.info("journal {} closed at position {}", directory, position);
    }
}
