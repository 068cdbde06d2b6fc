package io.shmbus.impl.mapping;

import io.shmbus.BusException;
import io.shmbus.TopicOptions;
import io.shmbus.impl.layout.LockDescriptor;
import io.shmbus.impl.platform.ErrnoException;
import io.shmbus.impl.platform.Linux;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Removes the named topic files nobody has open, and the temporary files of creators that died: which names in a
 * bus directory are topics, and the exclusive lock that lets exactly one process remove a given file.
 */
public final class TopicRemoval
{
    private static final Logger LOG = LoggerFactory.getLogger(TopicRemoval.class);

    private TopicRemoval()
    {
    }

    /**
     * Remove the stale files of a bus directory: topics nobody has open (no process holds the attached
     * lock) and temporary files of creators that died. Exactly one process removes a given file: the one that
     * takes its attached lock exclusively; a process opening the topic at that moment waits for the lock,
     * finds the name gone or replaced, and opens or creates afresh.
     *
     * @param directory the bus directory.
     * @return the names removed.
     */
    public static java.util.List<String> cleanStale(final Path directory)
    {
        final java.util.List<String> removed = new java.util.ArrayList<>();
        if (!Files.isDirectory(directory))
        {
            return removed;
        }
        try (java.util.stream.Stream<Path> entries = Files.list(directory))
        {
            for (final Path path : (Iterable<Path>)entries::iterator)
            {
                final String fileName = path.getFileName().toString();
                final boolean temporary = fileName.startsWith(".") && fileName.endsWith(TopicCreation.CREATING_SUFFIX);
                if (!temporary && !isTopicName(fileName))
                {
                    continue;
                }
                if (removeIfUnused(path))
                {
                    removed.add(fileName);
                    LOG.info("removed stale {} {}", temporary ? "temporary file" : "topic", path);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new BusException("cannot list bus directory " + directory + ": " + ex.getMessage(), ex);
        }
        return removed;
    }

    /**
     * Remove one topic if nobody has it open.
     *
     * @param directory the bus directory.
     * @param name      the topic name.
     * @return true when removed, false when it is in use or absent.
     */
    public static boolean removeIfUnused(final Path directory, final String name)
    {
        return removeIfUnused(directory.resolve(name));
    }

    private static boolean isTopicName(final String fileName)
    {
        try
        {
            TopicOptions.validateName(fileName);
            return true;
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }
    }

    private static boolean removeIfUnused(final Path path)
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
                return false;
            }
            throw new BusException("cannot open " + path + " to clean it: " + ex.getMessage(), ex);
        }
        try
        {
            if (!Linux.tryLock(fd, LockDescriptor.ATTACHED_LOCK_OFFSET, 1, true))
            {
                return false;
            }
            if (!TopicOpening.sameFile(path, fd))
            {
                return false;
            }
            Files.delete(path);
            return true;
        }
        catch (final NoSuchFileException ex)
        {
            return false;
        }
        catch (final IOException ex)
        {
            throw new BusException("cannot clean " + path + ": " + ex.getMessage(), ex);
        }
        finally
        {
            Linux.close(fd);
        }
    }
}
