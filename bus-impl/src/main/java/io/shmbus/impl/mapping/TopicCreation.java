package io.shmbus.impl.mapping;

import io.shmbus.BusException;
import io.shmbus.TopicOptions;
import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.layout.LockDescriptor;
import io.shmbus.impl.layout.TopicHeaderDescriptor;
import io.shmbus.impl.layout.TopicHeaderDescriptor.Geometry;
import io.shmbus.impl.platform.ErrnoException;
import io.shmbus.impl.platform.Linux;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Creates a named topic file, and what every new topic file needs: its pages allocated and its header and
 * control region initialised.
 *
 * <p><b>Creation never exposes a half-built topic.</b> The creator builds the whole file under a hidden
 * temporary name ({@code .<name>.<pid>.<random>.creating}): it sets the mode, allocates every page (so a
 * full tmpfs fails here with ENOSPC instead of a SIGBUS later), writes the header with the layout version
 * last, takes its shared attached lock, and only then hard-links the file to the topic's name. {@code link}
 * fails if the name exists, so of several processes racing to create a topic exactly one succeeds; the others
 * remove their temporary file and open the winner's. A creator that dies part way leaves only a hidden
 * temporary file, never a topic that looks ready.
 */
final class TopicCreation
{
    private static final Logger LOG = LoggerFactory.getLogger(TopicCreation.class);
    static final String CREATING_SUFFIX = ".creating";

    private TopicCreation()
    {
    }

    /**
     * @return the new topic, or null when another process created it first.
     */
    static MappedTopic tryCreate(
        final Path directory, final Path path, final String name, final TopicOptions options, final String group)
    {
        final Geometry geometry = Geometry.of(
            options.capacityBytes(), options.maxMessageLength(), options.maxPublishers(), options.maxSubscribers(),
            options.timestamps());
        final Path temporary = directory.resolve(
            "." + name + "." + Linux.getpid() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) +
            CREATING_SUFFIX);
        final int mode = null == group ? 0600 : 0660;
        int fd = -1;
        boolean linked = false;
        MappedTopic topic = null;
        try
        {
            fd = Linux.open(temporary.toString(),
                Linux.O_RDWR | Linux.O_CREAT | Linux.O_EXCL | Linux.O_CLOEXEC | Linux.O_NOFOLLOW, mode);
            // Held from the first instant: a cleaner can tell this half-built file from one left by a dead
            // creator, which it may remove.
            if (!Linux.tryLock(fd, LockDescriptor.ATTACHED_LOCK_OFFSET, 1, false))
            {
                throw new IllegalStateException("fresh topic file " + temporary + " already locked");
            }
            Linux.fchmod(fd, mode); // whatever the umask
            if (null != group)
            {
                setGroup(temporary, group);
            }
            allocate(fd, geometry.fileLength(), path);
            initialise(fd, geometry, flags(options), name);
            topic = MappedTopic.map(name, path.toString(), fd, false);
            try
            {
                Files.createLink(path, temporary);
                linked = true;
            }
            catch (final FileAlreadyExistsException ex)
            {
                return null;
            }
            LOG.info("created topic {} ({}, {} bytes)", path, options, geometry.fileLength());
            return topic;
        }
        catch (final ErrnoException ex)
        {
            if (ex.errno() == Linux.EACCES || ex.errno() == Linux.EPERM)
            {
                throw new BusException("cannot create topic " + path + ": permission denied in " + directory, ex);
            }
            throw new BusException("cannot create topic " + path + ": " + ex.getMessage(), ex);
        }
        catch (final IOException ex)
        {
            throw new BusException("cannot create topic " + path + ": " + ex.getMessage(), ex);
        }
        finally
        {
            try
            {
                Files.deleteIfExists(temporary);
            }
            catch (final IOException ex)
            {
                LOG.warn("could not remove temporary topic file {}: {}", temporary, ex.toString());
            }
            if (!linked)
            {
                if (null != topic)
                {
                    topic.close();
                }
                else if (fd >= 0)
                {
                    Linux.close(fd);
                }
            }
        }
    }

    private static void allocate(final int fd, final long length, final Path path) throws ErrnoException
    {
        MemoryLimit.check(length, "topic " + path);
        try
        {
            Linux.fallocate(fd, 0, length);
        }
        catch (final ErrnoException ex)
        {
            if (ex.errno() == Linux.ENOSPC)
            {
                throw new BusException("cannot create topic " + path + ": no space left on " + path.getParent() +
                    " for its " + length + " bytes (a full tmpfs? see df " + path.getParent() + ")", ex);
            }
            throw ex;
        }
    }

    static void initialise(final int fd, final Geometry geometry, final int flags, final String name)
        throws ErrnoException
    {
        final long address = Linux.mmap(fd, 0, geometry.fileLength(), true);
        try
        {
            final UnsafeBuffer control = new UnsafeBuffer(
                address + geometry.controlOffset(), (int)geometry.controlLength());
            // Every ring byte is zero (fresh pages), so the whole first lap is clean.
            control.putLong(ControlDescriptor.CLEAN_LIMIT_OFFSET, geometry.capacity());
            control.putLong(ControlDescriptor.CLEAN_INTENT_OFFSET, geometry.capacity());
            control.putLong(ControlDescriptor.CLEAN_ZEROED_OFFSET, geometry.capacity());
            TopicHeaderDescriptor.initialise(
                new UnsafeBuffer(address, TopicHeaderDescriptor.HEADER_LENGTH), geometry, flags, name,
                Linux.getpid(), System.currentTimeMillis());
        }
        finally
        {
            Linux.munmap(address, geometry.fileLength());
        }
    }

    static int flags(final TopicOptions options)
    {
        return (options.timestamps() ? TopicHeaderDescriptor.FLAG_TIMESTAMPS : 0) |
            (options.requireSubscriber() ? TopicHeaderDescriptor.FLAG_REQUIRE_SUBSCRIBER : 0);
    }

    static void setGroup(final Path path, final String group) throws IOException
    {
        final GroupPrincipal principal;
        try
        {
            principal = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
        }
        catch (final java.nio.file.attribute.UserPrincipalNotFoundException ex)
        {
            throw new BusException("group '" + group + "' does not exist", ex);
        }
        Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setGroup(principal);
    }
}
