package io.shmbus.journal;

import io.shmbus.impl.platform.ErrnoException;
import io.shmbus.impl.platform.Linux;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code journal.meta} mapped: the journal's format, id and topic, the recorder's pid and the recorded topic
 * position. The recorder's lock is an exclusive OFD lock on it.
 */
final class MetaFile implements AutoCloseable
{
    /** Directory listings made for segment indices (a reader waiting for a segment must not list on each poll). */
    static final java.util.concurrent.atomic.AtomicLong LISTINGS = new java.util.concurrent.atomic.AtomicLong();

    private final Path path;
    private final int fd;
    private final long address;
    private final UnsafeBuffer buffer;
    private final JournalFormat format;
    private final long journalId;
    private final String topicName;
    private boolean closed;

    private MetaFile(final Path path, final int fd, final long address)
    {
        this.path = path;
        this.fd = fd;
        this.address = address;
        this.buffer = new UnsafeBuffer(address, JournalMetaDescriptor.LENGTH);
        this.format = JournalMetaDescriptor.check(buffer, path.toString());
        this.journalId = buffer.getLong(JournalMetaDescriptor.JOURNAL_ID_OFFSET);
        this.topicName = JournalMetaDescriptor.topicName(buffer);
    }

    static MetaFile open(final Path directory, final boolean writable)
    {
        final Path path = directory.resolve(JournalMetaDescriptor.FILE_NAME);
        int fd = -1;
        long address = 0;
        try
        {
            fd = Linux.open(path.toString(), (writable ? Linux.O_RDWR : Linux.O_RDONLY) | Linux.O_CLOEXEC, 0);
            final long size = Linux.fstat(fd).size();
            if (size != JournalMetaDescriptor.LENGTH)
            {
                throw new JournalCorruptedException(path + " is " + size + " bytes, a journal's meta file has " +
                    JournalMetaDescriptor.LENGTH + (size < JournalMetaDescriptor.LENGTH ? " (truncated)" : ""));
            }
            address = Linux.mmap(fd, 0, JournalMetaDescriptor.LENGTH, writable);
            return new MetaFile(path, fd, address);
        }
        catch (final ErrnoException | RuntimeException ex)
        {
            if (0 != address)
            {
                Linux.munmap(address, JournalMetaDescriptor.LENGTH);
            }
            Linux.close(fd);
            if (ex instanceof ErrnoException errno && errno.errno() == Linux.ENOENT)
            {
                throw new JournalException("no journal in " + directory + ": " + path.getFileName() +
                    " is missing", ex);
            }
            if (ex instanceof JournalException journalException)
            {
                throw journalException;
            }
            throw new JournalException("cannot open " + path + ": " + ex.getMessage(), ex);
        }
    }

    static MetaFile openOrCreate(final Path directory, final JournalFormat format, final String topicName)
    {
        final Path path = directory.resolve(JournalMetaDescriptor.FILE_NAME);
        if (!Files.exists(path))
        {
            create(directory, path, format, topicName);
        }
        return open(directory, true);
    }

    private static void create(final Path directory, final Path path, final JournalFormat format, final String topic)
    {
        final byte[] name = topic.getBytes(StandardCharsets.US_ASCII);
        if (name.length > JournalMetaDescriptor.MAX_TOPIC_NAME_LENGTH)
        {
            throw new IllegalArgumentException("topic name longer than " +
                JournalMetaDescriptor.MAX_TOPIC_NAME_LENGTH + " bytes: " + topic);
        }
        final Path temporary = directory.resolve(JournalMetaDescriptor.FILE_NAME + ".tmp-" +
            ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime()));
        int fd = -1;
        long address = 0;
        try
        {
            Files.createDirectories(directory);
            fd = Linux.open(temporary.toString(), Linux.O_RDWR | Linux.O_CREAT | Linux.O_EXCL | Linux.O_CLOEXEC, 0644);
            Linux.ftruncate(fd, JournalMetaDescriptor.LENGTH);
            Linux.fallocate(fd, 0, JournalMetaDescriptor.LENGTH);
            address = Linux.mmap(fd, 0, JournalMetaDescriptor.LENGTH, true);
            final UnsafeBuffer buffer = new UnsafeBuffer(address, JournalMetaDescriptor.LENGTH);
            buffer.putLong(JournalMetaDescriptor.MAGIC_OFFSET, JournalMetaDescriptor.MAGIC);
            buffer.putInt(JournalMetaDescriptor.ALIGNMENT_OFFSET, format.recordAlignment());
            buffer.putLong(JournalMetaDescriptor.SEGMENT_LENGTH_OFFSET, format.segmentLengthBytes());
            buffer.putLong(JournalMetaDescriptor.BASE_POSITION_OFFSET, format.basePosition());
            buffer.putInt(JournalMetaDescriptor.MAX_FRAME_LENGTH_OFFSET, format.maxFrameLength());
            buffer.putInt(JournalMetaDescriptor.INDEX_INTERVAL_OFFSET, format.indexIntervalBytes());
            long id;
            do
            {
                id = ThreadLocalRandom.current().nextLong();
            }
            while (0 == id);
            buffer.putLong(JournalMetaDescriptor.JOURNAL_ID_OFFSET, id);
            buffer.putLong(JournalMetaDescriptor.CREATED_OFFSET, EpochClock.nowNs());
            buffer.putInt(JournalMetaDescriptor.TOPIC_NAME_LENGTH_OFFSET, name.length);
            buffer.putBytes(JournalMetaDescriptor.TOPIC_NAME_OFFSET, name);
            buffer.putLong(JournalMetaDescriptor.RECORDED_TOPIC_POSITION_OFFSET, -1);
            buffer.putIntRelease(JournalMetaDescriptor.VERSION_OFFSET, JournalMetaDescriptor.VERSION);
            try
            {
                Files.createLink(path, temporary);
            }
            catch (final FileAlreadyExistsException raced)
            {
                // another recorder created it first: use theirs
            }
        }
        catch (final ErrnoException ex)
        {
            if (ex.errno() == Linux.ENOSPC)
            {
                throw new JournalFullException("no space left on the file system of " + directory + " for " +
                    path.getFileName() + ": " + ex.getMessage(), ex);
            }
            throw new JournalException("cannot create " + path + ": " + ex.getMessage(), ex);
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot create " + path + ": " + ex, ex);
        }
        finally
        {
            if (0 != address)
            {
                Linux.munmap(address, JournalMetaDescriptor.LENGTH);
            }
            Linux.close(fd);
            try
            {
                Files.deleteIfExists(temporary);
            }
            catch (final IOException ignore)
            {
                // a stray temporary file is harmless
            }
        }
    }

    /**
     * @param directory a journal directory.
     * @return the indices of its segment files, in order.
     */
    static long[] segmentIndices(final Path directory)
    {
        return segmentIndices(directory, () -> 0);
    }

    /**
     * @param directory  a journal directory.
     * @param firstIndex the first segment kept, read once the directory is listed: files of earlier ones (being
     *                   removed while it was listed) are left out. Read after the listing, it is at or past every
     *                   segment removed before the listing ended, since a remover moves it before it unlinks.
     * @return the indices of its segment files from {@code firstIndex} on, in order.
     * @throws JournalCorruptedException when one is missing between two others.
     */
    static long[] segmentIndices(final Path directory, final java.util.function.LongSupplier firstIndex)
    {
        LISTINGS.incrementAndGet();
        long[] indices = new long[16];
        int count = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory))
        {
            for (final Path file : files)
            {
                final long index = SegmentDescriptor.parseFileName(file.getFileName().toString());
                if (index >= 0)
                {
                    if (count == indices.length)
                    {
                        indices = Arrays.copyOf(indices, count * 2);
                    }
                    indices[count++] = index;
                }
            }
        }
        catch (final NoSuchFileException ex)
        {
            throw new JournalException("no journal directory " + directory, ex);
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot list " + directory + ": " + ex, ex);
        }
        final long[] listed = Arrays.copyOf(indices, count);
        Arrays.sort(listed);
        final long first = firstIndex.getAsLong();
        int from = 0;
        while (from < listed.length && listed[from] < first)
        {
            from++;
        }
        final long[] result = Arrays.copyOfRange(listed, from, listed.length);
        for (int i = 1; i < result.length; i++)
        {
            if (result[i] != result[i - 1] + 1)
            {
                throw new JournalCorruptedException(directory + " lacks segment " + (result[i - 1] + 1) + " (" +
                    SegmentDescriptor.fileName(result[i - 1] + 1) + ") between segments " + result[i - 1] + " and " +
                    result[i]);
            }
        }
        return result;
    }

    /**
     * @param directory a journal directory.
     * @param limit     a segment index.
     * @return the indices of its segment files below {@code limit}, in order, whether or not they follow each
     * other.
     */
    static long[] segmentIndicesBefore(final Path directory, final long limit)
    {
        final long[] all = new long[16];
        long[] indices = all;
        int count = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory))
        {
            for (final Path file : files)
            {
                final long index = SegmentDescriptor.parseFileName(file.getFileName().toString());
                if (index >= 0 && index < limit)
                {
                    if (count == indices.length)
                    {
                        indices = Arrays.copyOf(indices, count * 2);
                    }
                    indices[count++] = index;
                }
            }
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot list " + directory + ": " + ex, ex);
        }
        final long[] result = Arrays.copyOf(indices, count);
        Arrays.sort(result);
        return result;
    }

    /**
     * Take the recorder's lock without waiting.
     *
     * @return true when this process now holds it.
     */
    boolean tryLock()
    {
        try
        {
            return Linux.tryLock(fd, 0, 0, true);
        }
        catch (final ErrnoException ex)
        {
            throw new JournalException("cannot lock " + path + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @return true when another open of the file holds the recorder's lock.
     */
    boolean isLockedElsewhere()
    {
        try
        {
            return Linux.isLockedElsewhere(fd, 0, 0, true);
        }
        catch (final ErrnoException ex)
        {
            throw new JournalException("cannot query the lock of " + path + ": " + ex.getMessage(), ex);
        }
    }

    void recorder(final int pid, final long startedNs)
    {
        buffer.putLong(JournalMetaDescriptor.RECORDER_STARTED_OFFSET, startedNs);
        buffer.putIntRelease(JournalMetaDescriptor.RECORDER_PID_OFFSET, pid);
    }

    int recorderPid()
    {
        return buffer.getIntVolatile(JournalMetaDescriptor.RECORDER_PID_OFFSET);
    }

    long recorderStartedNs()
    {
        return buffer.getLongVolatile(JournalMetaDescriptor.RECORDER_STARTED_OFFSET);
    }

    long recordedTopicPosition()
    {
        return buffer.getLongAcquire(JournalMetaDescriptor.RECORDED_TOPIC_POSITION_OFFSET);
    }

    void recordedTopicPosition(final long position)
    {
        buffer.putLongRelease(JournalMetaDescriptor.RECORDED_TOPIC_POSITION_OFFSET, position);
    }

    /**
     * @return the index of the first segment kept (0 until retention or a trim removed one).
     */
    long startSegment()
    {
        return buffer.getLongAcquire(JournalMetaDescriptor.START_SEGMENT_OFFSET);
    }

    void startSegment(final long index)
    {
        buffer.putLongRelease(JournalMetaDescriptor.START_SEGMENT_OFFSET, index);
    }

    long rollTopicNextPosition()
    {
        return buffer.getLongAcquire(JournalMetaDescriptor.ROLL_TOPIC_NEXT_POSITION_OFFSET);
    }

    long rollMaxTimestampNs()
    {
        return buffer.getLongAcquire(JournalMetaDescriptor.ROLL_MAX_TIMESTAMP_OFFSET);
    }

    void rolled(final long topicNextPosition, final long maxTimestampNs)
    {
        buffer.putLong(JournalMetaDescriptor.ROLL_MAX_TIMESTAMP_OFFSET, maxTimestampNs);
        buffer.putLongRelease(JournalMetaDescriptor.ROLL_TOPIC_NEXT_POSITION_OFFSET, topicNextPosition);
    }

    long createdNs()
    {
        return buffer.getLong(JournalMetaDescriptor.CREATED_OFFSET);
    }

    Path path()
    {
        return path;
    }

    JournalFormat format()
    {
        return format;
    }

    long journalId()
    {
        return journalId;
    }

    String topicName()
    {
        return topicName;
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        buffer.wrap(0, 0);
        Linux.munmap(address, JournalMetaDescriptor.LENGTH);
        Linux.close(fd);
    }
}
