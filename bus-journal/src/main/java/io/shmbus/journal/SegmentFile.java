package io.shmbus.journal;

import io.shmbus.impl.platform.ErrnoException;
import io.shmbus.impl.platform.Linux;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * One open segment file: its header page and time index mapped for good, and a sliding window of one chunk
 * (plus an overlap of the largest record, so a record that starts in the chunk is whole in the window) over
 * its data. Before each chunk is mapped the file's size is checked, so a truncated file is refused with a
 * message instead of faulting; a writer allocates the chunk's blocks first, so a full file system is an
 * error at that point, never a fault on a write.
 */
final class SegmentFile implements AutoCloseable
{
    private static final long PAGE = 4096;
    /** How far past the record being written a writer's pages are populated (see {@link #populateFor}). */
    static final long POPULATE_AHEAD = 512 * 1024;
    private static volatile boolean populateSupported = true;

    private final Path path;
    private final long index;
    private final JournalFormat format;
    private final boolean writable;
    private final long chunkLengthBytes;
    private final long overlapBytes;
    private final int fd;
    private final long headerAddress;
    private final UnsafeBuffer header;
    private final UnsafeBuffer chunk = new UnsafeBuffer(0, 0);
    private final long basePosition;
    private long chunkAddress;
    private long chunkMappedLength;
    private long chunkFileStart = -1;
    private long chunkFileEnd = -1;
    private long allocatedLimit;
    private long populatedLimit;
    private long populateMark;
    private FileChannel syncChannel;
    private boolean closed;

    private SegmentFile(
        final Path path,
        final long index,
        final JournalFormat format,
        final long chunkLengthBytes,
        final boolean writable,
        final int fd,
        final long headerAddress)
    {
        this.path = path;
        this.index = index;
        this.format = format;
        this.chunkLengthBytes = chunkLengthBytes;
        this.overlapBytes = (RecordDescriptor.alignedLength(format.maxFrameLength(), format.recordAlignment()) +
            PAGE - 1) & -PAGE;
        this.writable = writable;
        this.fd = fd;
        this.headerAddress = headerAddress;
        this.header = new UnsafeBuffer(headerAddress, format.dataOffset());
        this.basePosition = format.segmentBasePosition(index);
    }

    /**
     * Check a chunk length against a format.
     *
     * @param chunkLengthBytes the window's chunk.
     * @param format           the journal's format.
     */
    static void checkChunkLength(final long chunkLengthBytes, final JournalFormat format)
    {
        if (chunkLengthBytes < PAGE || 0 != chunkLengthBytes % PAGE || chunkLengthBytes > (1L << 30))
        {
            throw new IllegalArgumentException("chunk length must be a multiple of 4096 from 4096 to 1 GiB: " +
                chunkLengthBytes);
        }
        if (chunkLengthBytes < format.maxFrameLength())
        {
            throw new IllegalArgumentException("chunk length " + chunkLengthBytes +
                " is smaller than the journal's largest record, " + format.maxFrameLength() + " bytes");
        }
    }

    static SegmentFile open(
        final Path directory,
        final long index,
        final JournalFormat format,
        final long journalId,
        final long chunkLengthBytes,
        final boolean writable)
    {
        final Path path = directory.resolve(SegmentDescriptor.fileName(index));
        int fd = -1;
        long address = 0;
        SegmentFile segment = null;
        try
        {
            fd = Linux.open(path.toString(), (writable ? Linux.O_RDWR : Linux.O_RDONLY) | Linux.O_CLOEXEC, 0);
            final long size = Linux.fstat(fd).size();
            if (size < format.dataOffset())
            {
                throw new JournalCorruptedException(path + " is truncated: " + size + " bytes, a segment has " +
                    format.segmentLengthBytes());
            }
            address = Linux.mmap(fd, 0, format.dataOffset(), writable);
            segment = new SegmentFile(path, index, format, chunkLengthBytes, writable, fd, address);
            SegmentDescriptor.check(segment.header, path.toString(), format, journalId, index, size);
            segment.allocatedLimit = writable ? segment.header.getLong(SegmentDescriptor.MAPPED_LIMIT_OFFSET) : 0;
            return segment;
        }
        catch (final ErrnoException | RuntimeException | InternalError ex)
        {
            if (null != segment)
            {
                segment.close();
            }
            else
            {
                if (0 != address)
                {
                    Linux.munmap(address, format.dataOffset());
                }
                Linux.close(fd);
            }
            if (ex instanceof JournalException journalException)
            {
                throw journalException;
            }
            if (ex instanceof InternalError)
            {
                throw new JournalCorruptedException("fault reading the header of " + path + " (truncated?)", ex);
            }
            if (ex instanceof ErrnoException errno && errno.errno() == Linux.ENOENT)
            {
                throw new SegmentMissingException("segment " + index + " (" + path + ") is not there", index, ex);
            }
            throw new JournalException("cannot open segment " + path + ": " + ex.getMessage(), ex);
        }
    }

    static SegmentFile create(
        final Path directory,
        final long index,
        final JournalFormat format,
        final long journalId,
        final long chunkLengthBytes)
    {
        final Path path = directory.resolve(SegmentDescriptor.fileName(index));
        final Path temporary = directory.resolve(SegmentDescriptor.fileName(index) + ".tmp");
        int fd = -1;
        long address = 0;
        try
        {
            Files.deleteIfExists(temporary);
            fd = Linux.open(temporary.toString(), Linux.O_RDWR | Linux.O_CREAT | Linux.O_EXCL | Linux.O_CLOEXEC, 0644);
            Linux.ftruncate(fd, format.segmentLengthBytes());
            Linux.fallocate(fd, 0, format.dataOffset());
            address = Linux.mmap(fd, 0, format.dataOffset(), true);
            final UnsafeBuffer header = new UnsafeBuffer(address, format.dataOffset());
            header.putLong(SegmentDescriptor.MAGIC_OFFSET, SegmentDescriptor.MAGIC);
            header.putInt(SegmentDescriptor.ALIGNMENT_OFFSET, format.recordAlignment());
            header.putLong(SegmentDescriptor.JOURNAL_ID_OFFSET, journalId);
            header.putLong(SegmentDescriptor.SEGMENT_INDEX_OFFSET, index);
            header.putLong(SegmentDescriptor.BASE_POSITION_OFFSET, format.segmentBasePosition(index));
            header.putLong(SegmentDescriptor.SEGMENT_LENGTH_OFFSET, format.segmentLengthBytes());
            header.putInt(SegmentDescriptor.DATA_OFFSET_OFFSET, format.dataOffset());
            header.putInt(SegmentDescriptor.INDEX_INTERVAL_OFFSET, format.indexIntervalBytes());
            header.putInt(SegmentDescriptor.INDEX_CAPACITY_OFFSET, SegmentDescriptor.indexCapacity(format));
            header.putInt(SegmentDescriptor.MAX_FRAME_LENGTH_OFFSET, format.maxFrameLength());
            header.putLong(SegmentDescriptor.CREATED_OFFSET, EpochClock.nowNs());
            header.putLong(SegmentDescriptor.MAPPED_LIMIT_OFFSET, format.dataOffset());
            header.putIntRelease(SegmentDescriptor.VERSION_OFFSET, SegmentDescriptor.VERSION);
            if (Files.exists(path))
            {
                throw new JournalException("cannot create segment " + path + ": it exists already");
            }
            Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE);
            final SegmentFile segment = new SegmentFile(path, index, format, chunkLengthBytes, true, fd, address);
            segment.allocatedLimit = format.dataOffset();
            return segment;
        }
        catch (final IOException | RuntimeException ex)
        {
            if (0 != address)
            {
                Linux.munmap(address, format.dataOffset());
            }
            Linux.close(fd);
            try
            {
                Files.deleteIfExists(temporary);
            }
            catch (final IOException ignore)
            {
                // reported below
            }
            if (ex instanceof ErrnoException errno && errno.errno() == Linux.ENOSPC)
            {
                throw new JournalFullException("no space left on the file system of " + directory +
                    " for segment " + index + " (" + format.dataOffset() + " bytes of header and index): " +
                    ex.getMessage(), ex);
            }
            if (ex instanceof JournalException journalException)
            {
                throw journalException;
            }
            throw new JournalException("cannot create segment " + path + ": " + ex.getMessage(), ex);
        }
    }

    Path path()
    {
        return path;
    }

    long index()
    {
        return index;
    }

    long basePosition()
    {
        return basePosition;
    }

    UnsafeBuffer header()
    {
        return header;
    }

    UnsafeBuffer chunk()
    {
        return chunk;
    }

    /**
     * @return bytes mapped now: header and index, and the current chunk with its overlap.
     */
    long mappedBytes()
    {
        return format.dataOffset() + chunkMappedLength;
    }

    /**
     * Make the record at a file offset addressable in {@link #chunk()}.
     *
     * @param fileOffset where the record starts in the file.
     * @return its index in {@link #chunk()}.
     */
    int map(final long fileOffset)
    {
        if (fileOffset >= chunkFileStart && fileOffset < chunkFileEnd)
        {
            return (int)(fileOffset - chunkFileStart);
        }
        return remap(fileOffset);
    }

    private int remap(final long fileOffset)
    {
        unmapChunk();
        final long start = (fileOffset / chunkLengthBytes) * chunkLengthBytes;
        final long end = Math.min(format.segmentLengthBytes(), start + chunkLengthBytes + overlapBytes);
        try
        {
            final long size = Linux.fstat(fd).size();
            if (size < format.segmentLengthBytes())
            {
                throw new JournalCorruptedException(path + " was truncated to " + size + " bytes, a segment has " +
                    format.segmentLengthBytes() + " (refusing to map bytes " + start + " to " + end + ")");
            }
            if (writable)
            {
                allocate(end);
            }
            chunkAddress = Linux.mmap(fd, start, end - start, writable);
        }
        catch (final ErrnoException ex)
        {
            throw new JournalException("cannot map bytes " + start + " to " + end + " of " + path + ": " +
                ex.getMessage(), ex);
        }
        chunkMappedLength = end - start;
        chunkFileStart = start;
        chunkFileEnd = Math.min(end, start + chunkLengthBytes);
        chunk.wrap(chunkAddress, (int)chunkMappedLength);
        populatedLimit = start;
        populateMark = writable && populateSupported ? start : Long.MAX_VALUE;
        return (int)(fileOffset - start);
    }

    /**
     * Fault in, writable, the pages a writer is about to fill: called before each record is written with the end of
     * the record, it populates the chunk's pages up to {@link #POPULATE_AHEAD} bytes past that end, half of that at a
     * time, with one {@code madvise(MADV_POPULATE_WRITE)} each.
     * <p>
     * The first write to each page of a shared file mapping traps into the kernel, which finds or allocates the page
     * in the page cache, zeroes it and marks it dirty. Taken one page at a time from inside the copy of a 32 byte
     * message, that trap is most of what appending costs (about 1.5 to 7 us a page here, against about 0.5 us a page
     * populated in bulk), so a recorder spends its time in page faults rather than in keeping up with the topic.
     * Populating ahead takes the same kernel work in batches and outside the copy. It changes nothing the file holds:
     * the pages read as zeroes until written, exactly as they would have after the fault.
     * <p>
     * The blocks were allocated before the chunk was mapped ({@link #allocate}), so population cannot meet a full
     * disk. A kernel without {@code MADV_POPULATE_WRITE} (before Linux 5.14) refuses it with {@code EINVAL}: then
     * nothing is populated again in this process and every page is faulted by its first write, as before. Any
     * other refusal stops it for this segment only. The window the writer keeps resident grows by at most
     * {@link #POPULATE_AHEAD}.
     *
     * @param fileLimit the file offset the next record ends at.
     */
    void populateFor(final long fileLimit)
    {
        if (fileLimit > populateMark)
        {
            populateAhead(fileLimit);
        }
    }

    private void populateAhead(final long fileLimit)
    {
        final long mappedEnd = chunkFileStart + chunkMappedLength;
        final long from = Math.max(populatedLimit, ((fileLimit - 1) / PAGE) * PAGE);
        final long to = Math.min(mappedEnd, ((fileLimit + POPULATE_AHEAD + PAGE - 1) / PAGE) * PAGE);
        if (from < to && from >= chunkFileStart)
        {
            try
            {
                Linux.madvise(chunkAddress + (from - chunkFileStart), to - from, Linux.MADV_POPULATE_WRITE);
            }
            catch (final ErrnoException ex)
            {
                if (Linux.EINVAL == ex.errno())
                {
                    populateSupported = false;
                }
                populateMark = Long.MAX_VALUE;
                return;
            }
            populatedLimit = to;
        }
        populateMark = to >= mappedEnd ? Long.MAX_VALUE : to - POPULATE_AHEAD / 2;
    }

    /**
     * @return the file offset up to which the current chunk's pages were populated ahead of the writer.
     */
    long populatedLimit()
    {
        return populatedLimit;
    }

    /**
     * @return whether this process still populates ahead: false once the kernel refused
     *         {@code MADV_POPULATE_WRITE} as unknown.
     */
    static boolean populateSupported()
    {
        return populateSupported;
    }

    /**
     * Take a shared OFD lock on the whole file without waiting: a reader's claim on the segment, which keeps
     * retention and trims from removing it while the lock is held (they need an exclusive lock first). Closing
     * the segment releases it.
     *
     * @return true when held; false when a remover holds the exclusive lock (the segment is being removed).
     */
    boolean tryLockShared()
    {
        try
        {
            return Linux.tryLock(fd, 0, 0, false);
        }
        catch (final ErrnoException ex)
        {
            throw new JournalException("cannot lock " + path + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Allocate the file's blocks up to a file offset, so that writes through the mapping cannot fault.
     *
     * @param fileLimit the file offset to allocate up to (clipped to the segment).
     */
    void allocate(final long fileLimit)
    {
        final long limit = Math.min(format.segmentLengthBytes(), fileLimit);
        if (limit <= allocatedLimit)
        {
            return;
        }
        final long from = allocatedLimit;
        final long to = Math.min(format.segmentLengthBytes(), Math.max(limit, from + chunkLengthBytes));
        try
        {
            Linux.fallocate(fd, from, to - from);
        }
        catch (final ErrnoException ex)
        {
            if (ex.errno() == Linux.ENOSPC)
            {
                throw new JournalFullException("no space left on the file system of " + path.getParent() +
                    " for bytes " + from + " to " + to + " of " + path.getFileName() + ": " + ex.getMessage(), ex);
            }
            throw new JournalException("cannot allocate bytes " + from + " to " + to + " of " + path + ": " +
                ex.getMessage(), ex);
        }
        allocatedLimit = to;
        header.putLongRelease(SegmentDescriptor.MAPPED_LIMIT_OFFSET, to);
    }

    /**
     * @return the furthest file offset a writer allocated (and so may have written).
     */
    long allocatedLimit()
    {
        return header.getLongVolatile(SegmentDescriptor.MAPPED_LIMIT_OFFSET);
    }

    /**
     * Write the segment's dirty pages to the device and wait ({@code fdatasync}, which on Linux writes back
     * pages dirtied through a shared mapping as {@code msync(MS_SYNC)} does).
     */
    void sync()
    {
        try
        {
            if (null == syncChannel)
            {
                syncChannel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
            syncChannel.force(false);
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot sync " + path + ": " + ex.getMessage(), ex);
        }
    }

    private void unmapChunk()
    {
        if (0 != chunkAddress)
        {
            chunk.wrap(0, 0);
            Linux.munmap(chunkAddress, chunkMappedLength);
            chunkAddress = 0;
            chunkMappedLength = 0;
            chunkFileStart = -1;
            chunkFileEnd = -1;
        }
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        unmapChunk();
        header.wrap(0, 0);
        Linux.munmap(headerAddress, format.dataOffset());
        Linux.close(fd);
        if (null != syncChannel)
        {
            try
            {
                syncChannel.close();
            }
            catch (final IOException ignore)
            {
                // nothing left to release
            }
        }
    }

    @Override
    public String toString()
    {
        return path.toString();
    }
}
