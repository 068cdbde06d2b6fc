package io.shmbus.impl.mapping;

import io.shmbus.BusException;
import io.shmbus.TopicOptions;
import io.shmbus.impl.layout.LockDescriptor;
import io.shmbus.impl.layout.TopicHeaderDescriptor;
import io.shmbus.impl.layout.TopicHeaderDescriptor.Geometry;
import io.shmbus.impl.platform.ErrnoException;
import io.shmbus.impl.platform.Linux;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * Anonymous topics: creating one in a sealed memfd, and mapping a descriptor received from another process only
 * after checking it can be trusted.
 */
public final class AnonymousTopicFiles
{
    private static final Logger LOG = LoggerFactory.getLogger(AnonymousTopicFiles.class);

    /** Seals every anonymous topic carries: its size can never change again, so no peer can shrink it under a
     * reader (which would make the reader's next access a SIGBUS). */
    public static final int ANONYMOUS_SEALS = Linux.F_SEAL_SHRINK | Linux.F_SEAL_GROW | Linux.F_SEAL_SEAL;

    private AnonymousTopicFiles()
    {
    }

    /**
     * Create an anonymous topic: a memfd, its pages allocated, initialised, then sealed against resizing.
     *
     * @param label   the validated label.
     * @param options the settings.
     * @return the mapped topic (it holds the only descriptor).
     */
    public static MappedTopic createAnonymous(final String label, final TopicOptions options)
    {
        final Geometry geometry = Geometry.of(
            options.capacityBytes(), options.maxMessageLength(), options.maxPublishers(), options.maxSubscribers(),
            options.timestamps());
        final String source = "memfd:shmbus:" + label;
        int fd = -1;
        try
        {
            fd = Linux.memfdCreate("shmbus:" + label, true);
            if (!Linux.tryLock(fd, LockDescriptor.ATTACHED_LOCK_OFFSET, 1, false))
            {
                throw new IllegalStateException("fresh memfd already locked");
            }
            MemoryLimit.check(geometry.fileLength(), "anonymous topic " + label);
            Linux.ftruncate(fd, geometry.fileLength());
            try
            {
                Linux.fallocate(fd, 0, geometry.fileLength());
            }
            catch (final ErrnoException ex)
            {
                if (ex.errno() == Linux.ENOSPC || ex.errno() == Linux.ENOMEM)
                {
                    throw new BusException("cannot create anonymous topic " + label + ": no memory left for its " +
                        geometry.fileLength() + " bytes (" + ex.getMessage() + ")", ex);
                }
                throw ex;
            }
            TopicCreation.initialise(
                fd, geometry, TopicCreation.flags(options) | TopicHeaderDescriptor.FLAG_ANONYMOUS, label);
            Linux.addSeals(fd, ANONYMOUS_SEALS);
            final MappedTopic topic = MappedTopic.map(label, source, fd, true);
            LOG.info("created anonymous topic {} ({}, {} bytes)", source, options, geometry.fileLength());
            fd = -1;
            return topic;
        }
        catch (final IOException ex)
        {
            throw new BusException("cannot create anonymous topic " + label + ": " + ex.getMessage(), ex);
        }
        finally
        {
            Linux.close(fd);
        }
    }

    /**
     * Map a topic descriptor received from another process, after checking it can be trusted: sealed against
     * resizing, a valid header for its real size, and marked anonymous.
     *
     * @param fd     the received descriptor; on success it belongs to the returned mapping, else it is closed.
     * @param label  the label the owner gave, for messages.
     * @return the mapped topic.
     */
    public static MappedTopic mapReceived(final int fd, final String label)
    {
        final String source = "memfd:shmbus:" + label + " (received)";
        boolean ok = false;
        try
        {
            final int seals;
            try
            {
                seals = Linux.getSeals(fd);
            }
            catch (final ErrnoException ex)
            {
                if (ex.errno() == Linux.EINVAL)
                {
                    throw new BusException(source + ": the descriptor is not a memfd that can be sealed (" +
                        ex.getMessage() + "): a peer could truncate it under this process", ex);
                }
                throw ex;
            }
            if ((seals & ANONYMOUS_SEALS) != ANONYMOUS_SEALS)
            {
                throw new BusException(source + ": the descriptor is not sealed against resizing (seals 0x" +
                    Integer.toHexString(seals) + ", need 0x" + Integer.toHexString(ANONYMOUS_SEALS) +
                    "): a peer could truncate it under this process");
            }
            if (!Linux.tryLock(fd, LockDescriptor.ATTACHED_LOCK_OFFSET, 1, false))
            {
                throw new BusException(source + ": the topic is being removed");
            }
            // The header must be marked anonymous: checked with the rest of it.
            final MappedTopic topic = MappedTopic.map(label, source, fd, true);
            ok = true; // the mapping owns the descriptor now: closing it closes the descriptor
            return topic;
        }
        catch (final ErrnoException ex)
        {
            throw new BusException(source + ": " + ex.getMessage(), ex);
        }
        catch (final IOException ex)
        {
            throw new BusException(source + ": " + ex.getMessage(), ex);
        }
        finally
        {
            if (!ok)
            {
                Linux.close(fd);
            }
        }
    }
}
