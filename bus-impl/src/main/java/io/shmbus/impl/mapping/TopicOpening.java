package io.shmbus.impl.mapping;

import io.shmbus.BusException;
import io.shmbus.TopicMismatchException;
import io.shmbus.TopicOptions;
import io.shmbus.impl.layout.LockDescriptor;
import io.shmbus.impl.platform.ErrnoException;
import io.shmbus.impl.platform.Linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Opens an existing named topic file and checks it is the topic asked for.
 *
 * <p><b>Opening</b> takes a shared lock on the attached byte, then checks that the name still refers to the
 * file it opened (a cleaner may have unlinked a stale topic in between); if not, it opens again.
 */
final class TopicOpening
{
    private TopicOpening()
    {
    }

    /**
     * @return the mapped topic, or null when the path does not exist (or vanished while opening).
     */
    static MappedTopic tryOpen(final Path path, final String name)
    {
        final int fd;
        try
        {
            fd = Linux.open(path.toString(), Linux.O_RDWR | Linux.O_CLOEXEC | Linux.O_NOFOLLOW, 0);
        }
        catch (final ErrnoException ex)
        {
            if (ex.errno() == Linux.ENOENT)
            {
                return null;
            }
            if (ex.errno() == Linux.EACCES || ex.errno() == Linux.EPERM)
            {
                throw new BusException("cannot open topic " + path + ": permission denied for user " +
                    System.getProperty("user.name") + " (the topic belongs to another user or group)", ex);
            }
            throw new BusException("cannot open topic " + path + ": " + ex.getMessage(), ex);
        }
        boolean ok = false;
        try
        {
            if (!Linux.tryLock(fd, LockDescriptor.ATTACHED_LOCK_OFFSET, 1, false))
            {
                // A cleaner holds the exclusive lock: it is about to unlink this stale file.
                return null;
            }
            if (!sameFile(path, fd))
            {
                return null;
            }
            final MappedTopic topic = MappedTopic.map(name, path.toString(), fd, false);
            ok = true;
            return topic;
        }
        catch (final IOException ex)
        {
            throw new BusException("cannot map topic " + path + ": " + ex.getMessage(), ex);
        }
        finally
        {
            if (!ok)
            {
                Linux.close(fd);
            }
        }
    }

    static boolean sameFile(final Path path, final int fd) throws IOException
    {
        try
        {
            // Inode numbers are unique only within one file system: compare the device too.
            final Path opened = Path.of("/proc/self/fd/" + fd);
            return Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS)
                .equals(Files.getAttribute(opened, "unix:ino")) &&
                Files.getAttribute(path, "unix:dev", LinkOption.NOFOLLOW_LINKS)
                    .equals(Files.getAttribute(opened, "unix:dev"));
        }
        catch (final NoSuchFileException ex)
        {
            return false;
        }
    }

    static MappedTopic checkOptions(final MappedTopic topic, final TopicOptions asked)
    {
        final TopicOptions has = topic.options();
        if (!has.equals(asked))
        {
            final StringBuilder sb = new StringBuilder();
            mismatch(sb, "capacityBytes", asked.capacityBytes(), has.capacityBytes());
            mismatch(sb, "maxMessageLength", asked.maxMessageLength(), has.maxMessageLength());
            mismatch(sb, "maxPublishers", asked.maxPublishers(), has.maxPublishers());
            mismatch(sb, "maxSubscribers", asked.maxSubscribers(), has.maxSubscribers());
            mismatch(sb, "timestamps", asked.timestamps(), has.timestamps());
            mismatch(sb, "requireSubscriber", asked.requireSubscriber(), has.requireSubscriber());
            topic.close();
            throw new TopicMismatchException("topic '" + topic.name() + "' (" + topic.source() +
                ") exists with other settings:" + sb);
        }
        return topic;
    }

    private static void mismatch(final StringBuilder sb, final String what, final Object asked, final Object has)
    {
        if (!asked.equals(has))
        {
            sb.append(' ').append(what).append(" asked ").append(asked).append(" but the topic has ").append(has)
                .append(';');
        }
    }
}
