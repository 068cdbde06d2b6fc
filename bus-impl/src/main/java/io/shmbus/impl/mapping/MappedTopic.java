package io.shmbus.impl.mapping;

import io.shmbus.TopicCorruptedException;
import io.shmbus.TopicOptions;
import io.shmbus.impl.layout.TopicHeaderDescriptor;
import io.shmbus.impl.layout.TopicHeaderDescriptor.Geometry;
import io.shmbus.impl.platform.Linux;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A topic's shared memory mapped into this process: the header page, the control region and the data
 * ring, each wrapped in its own {@link UnsafeBuffer}, plus the descriptor through which the mapping holds
 * the topic's shared "attached" lock.
 *
 * <p>The descriptor stays open for as long as the mapping does: its shared lock on
 * {@link io.shmbus.impl.layout.LockDescriptor#ATTACHED_LOCK_OFFSET} tells a would-be cleaner that the topic
 * is in use. Closing unmaps; nothing may touch the buffers afterwards (the owners of this object close every
 * participant first).
 */
public final class MappedTopic implements AutoCloseable
{
    private final String name;
    private final String source;
    private final int fd;
    private final long address;
    private final long length;
    private final Geometry geometry;
    private final int flags;
    private final UnsafeBuffer header;
    private final UnsafeBuffer control;
    private final UnsafeBuffer data;
    private final long readOnlyAddress;
    private final UnsafeBuffer readOnlyData;
    private final AtomicBoolean closed = new AtomicBoolean();

    MappedTopic(
        final String name, final String source, final int fd, final long address, final long length,
        final Geometry geometry, final long readOnlyAddress)
    {
        this.readOnlyAddress = readOnlyAddress;
        this.readOnlyData = new UnsafeBuffer(readOnlyAddress, geometry.capacity());
        this.name = name;
        this.source = source;
        this.fd = fd;
        this.address = address;
        this.length = length;
        this.geometry = geometry;
        this.header = new UnsafeBuffer(address, TopicHeaderDescriptor.HEADER_LENGTH);
        this.flags = TopicHeaderDescriptor.flags(header);
        this.control = new UnsafeBuffer(address + geometry.controlOffset(), (int)geometry.controlLength());
        this.data = new UnsafeBuffer(address + geometry.dataOffset(), geometry.capacity());
    }

    /**
     * Map a descriptor whose file holds a topic and check its header against the file's real size.
     *
     * @param name      the topic name: for a named topic, the name its header must hold.
     * @param source    the file path or descriptor description, for messages.
     * @param fd        an open descriptor; on success it belongs to the returned mapping.
     * @param anonymous whether the file is a memfd (its header must be marked anonymous) or a named file (whose
     *                  header must not be, and must hold {@code name}).
     * @return the mapping.
     * @throws TopicCorruptedException when the header is not valid for the file.
     */
    static MappedTopic map(final String name, final String source, final int fd, final boolean anonymous)
        throws java.io.IOException
    {
        checkPageSize();
        final long size = Linux.fstat(fd).size();
        if (size < TopicHeaderDescriptor.HEADER_LENGTH)
        {
            throw new TopicCorruptedException(source + ": file is " + size + " bytes, shorter than the " +
                TopicHeaderDescriptor.HEADER_LENGTH + "-byte topic header");
        }
        final long headerAddress = Linux.mmap(fd, 0, TopicHeaderDescriptor.HEADER_LENGTH, false);
        final Geometry geometry;
        try
        {
            final UnsafeBuffer header = new UnsafeBuffer(headerAddress, TopicHeaderDescriptor.HEADER_LENGTH);
            geometry = TopicHeaderDescriptor.check(header, size, source);
            TopicHeaderDescriptor.checkIdentity(header, source, anonymous ? null : name);
        }
        catch (final InternalError error)
        {
            throw memoryFault(source, fd, -1, error, "reading the header");
        }
        finally
        {
            Linux.munmap(headerAddress, TopicHeaderDescriptor.HEADER_LENGTH);
        }
        final long address = Linux.mmap(fd, 0, geometry.fileLength(), true);
        final long readOnlyAddress;
        try
        {
            readOnlyAddress = Linux.mmap(fd, geometry.dataOffset(), geometry.capacity(), false);
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            Linux.munmap(address, geometry.fileLength());
            throw ex;
        }
        final MappedTopic topic = new MappedTopic(
            name, source, fd, address, geometry.fileLength(), geometry, readOnlyAddress);
        // Check again through the mapping we keep: the file may have been replaced between the two maps.
        try
        {
            TopicHeaderDescriptor.check(topic.header, Linux.fstat(fd).size(), source);
            TopicHeaderDescriptor.checkIdentity(topic.header, source, anonymous ? null : name);
        }
        catch (final RuntimeException | InternalError ex)
        {
            Linux.munmap(address, geometry.fileLength());
            Linux.munmap(readOnlyAddress, geometry.capacity());
            if (ex instanceof InternalError error)
            {
                throw memoryFault(source, fd, geometry.fileLength(), error, "checking the header");
            }
            throw ex;
        }
        return topic;
    }

    /**
     * @return the topic name.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return the file or descriptor this mapping came from, for messages.
     */
    public String source()
    {
        return source;
    }

    /**
     * @return the mapping's descriptor (holds the shared attached lock).
     */
    public int fd()
    {
        return fd;
    }

    /**
     * @return the geometry from the checked header.
     */
    public Geometry geometry()
    {
        return geometry;
    }

    /**
     * @return the header flags.
     */
    public int flags()
    {
        return flags;
    }

    /**
     * @return the settings stored in the header.
     */
    public TopicOptions options()
    {
        return TopicOptions.builder()
            .capacityBytes(geometry.capacity())
            .maxMessageLength(geometry.maxMessageLength())
            .maxPublishers(geometry.maxPublishers())
            .maxSubscribers(geometry.maxSubscribers())
            .timestamps((flags & TopicHeaderDescriptor.FLAG_TIMESTAMPS) != 0)
            .requireSubscriber((flags & TopicHeaderDescriptor.FLAG_REQUIRE_SUBSCRIBER) != 0)
            .build();
    }

    /**
     * @return the header page.
     */
    public UnsafeBuffer header()
    {
        return header;
    }

    /**
     * @return the control region.
     */
    public UnsafeBuffer control()
    {
        return control;
    }

    /**
     * @return the data ring.
     */
    public UnsafeBuffer data()
    {
        return data;
    }

    /**
     * @return the data ring mapped a second time, read-only: what subscribers read from, so that a buggy
     * subscriber cannot change what others read.
     */
    public UnsafeBuffer readOnlyData()
    {
        return readOnlyData;
    }

    /**
     * @return true once unmapped.
     */
    public boolean isClosed()
    {
        return closed.get();
    }

    /**
     * Close the descriptor at once (dropping the attached lock, so the topic may be cleaned), and unmap the
     * memory {@value #LINGER_MS_DEFAULT} ms later (system property {@code shmbus.lingerMs}). The delay lets a
     * thread that was inside a poll or an offer when its topic was closed finish touching the memory: every
     * participant stops at its next call (it sees itself closed), and unmapping under a thread that is still
     * inside one would crash the JVM. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed.compareAndSet(false, true))
        {
            // Unlock explicitly: a mapping holds a reference to the open file description, so closing the
            // descriptor alone would keep the lock until the unmap.
            try
            {
                Linux.unlock(fd, io.shmbus.impl.layout.LockDescriptor.ATTACHED_LOCK_OFFSET, 1);
            }
            catch (final java.io.IOException ex)
            {
                // closing anyway; the unmap releases it
            }
            Linux.close(fd);
            Unmapper.unmapLater(address, length, readOnlyAddress, geometry.capacity());
        }
    }

    /** Default delay before a closed topic's memory is unmapped. */
    public static final long LINGER_MS_DEFAULT = 2000;

    @Override
    public String toString()
    {
        return "MappedTopic{" + source + ", capacity=" + geometry.capacity() + '}';
    }

    /**
     * Turn the {@link InternalError} the JVM raises for a fault in an unsafe memory access of this mapping (SIGBUS:
     * the file was truncated or replaced under the process) into a clear exception.
     *
     * @param error  the JVM's error.
     * @param during what was being done, e.g. "joining a subscriber".
     * @return an exception naming the topic, its size now and the size the layout needs.
     */
    public TopicCorruptedException memoryFault(final InternalError error, final String during)
    {
        return memoryFault(source, fd, geometry.fileLength(), error, during);
    }

    /**
     * @param source         the file path or descriptor description.
     * @param fd             the open descriptor.
     * @param expectedLength the length the layout needs, or -1 when not known yet.
     * @param error          the JVM's error.
     * @param during         what was being done.
     * @return an exception naming the topic, its size now and the size expected.
     */
    static TopicCorruptedException memoryFault(
        final String source, final int fd, final long expectedLength, final InternalError error, final String during)
    {
        String size;
        try
        {
            size = "its size is now " + Linux.fstat(fd).size() + " bytes" +
                (expectedLength >= 0 ? ", the layout needs " + expectedLength : "");
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            size = "its size could not be read: " + ex;
        }
        return new TopicCorruptedException(source + ": memory fault " + during + " (" + error.getMessage() +
            "): the file was truncated or replaced under this process; " + size, error);
    }

    /**
     * The data ring is mapped on its own at an offset that is a multiple of
     * {@link io.shmbus.impl.layout.Layout#REGION_ALIGNMENT}: a kernel with larger pages could not map it.
     */
    static void checkPageSize()
    {
        final int pageSize = org.agrona.UnsafeApi.pageSize();
        if (pageSize > io.shmbus.impl.layout.Layout.REGION_ALIGNMENT ||
            io.shmbus.impl.layout.Layout.REGION_ALIGNMENT % pageSize != 0)
        {
            throw new io.shmbus.BusException("the system's page size is " + pageSize + " bytes: shmbus topics " +
                "align their separately mapped regions to " + io.shmbus.impl.layout.Layout.REGION_ALIGNMENT +
                " bytes, which must be a multiple of it");
        }
    }
}
