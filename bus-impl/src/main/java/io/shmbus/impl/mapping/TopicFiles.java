package io.shmbus.impl.mapping;

import io.shmbus.BusException;
import io.shmbus.TopicNotFoundException;
import io.shmbus.TopicOptions;
import io.shmbus.impl.layout.TopicHeaderDescriptor.Geometry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * Creates and opens named topic files in a bus directory: the bus directory itself, and the loop that opens a
 * topic or, when there is none, creates it, until one of the two succeeds. Creating is {@code TopicCreation}'s
 * (never exposing a half-built topic), opening and checking an existing file {@code TopicOpening}'s; anonymous
 * topics are {@link AnonymousTopicFiles}', removing stale files {@link TopicRemoval}'s.
 */
public final class TopicFiles
{
    private static final Logger LOG = LoggerFactory.getLogger(TopicFiles.class);
    private static final int MAX_ATTEMPTS = 100;

    private TopicFiles()
    {
    }

    /**
     * Create or open the directory of a bus, with mode 0700 (or 0770 and the group when one is given) when
     * it is created here.
     *
     * @param directory the bus directory.
     * @param group     the group sharing the bus, or null.
     */
    public static void ensureDirectory(final Path directory, final String group)
    {
        try
        {
            if (Files.isDirectory(directory))
            {
                if (!Files.isWritable(directory) || !Files.isExecutable(directory))
                {
                    throw new BusException("bus directory " + directory + " is not writable and searchable by " +
                        System.getProperty("user.name") + " (permission denied)");
                }
                return;
            }
            final Path parent = directory.toAbsolutePath().getParent();
            if (null != parent && !Files.isDirectory(parent))
            {
                Files.createDirectories(parent);
            }
            try
            {
                Files.createDirectory(directory);
            }
            catch (final FileAlreadyExistsException ignore)
            {
                if (!Files.isDirectory(directory))
                {
                    throw new BusException("bus directory " + directory + " exists and is not a directory");
                }
                return;
            }
            final Set<PosixFilePermission> permissions = null == group ?
                EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE) :
                EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_READ,
                    PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE);
            Files.setPosixFilePermissions(directory, permissions);
            if (null != group)
            {
                TopicCreation.setGroup(directory, group);
            }
            LOG.info("created bus directory {} (mode {})", directory, null == group ? "0700" : "0770 group " + group);
        }
        catch (final java.nio.file.AccessDeniedException ex)
        {
            throw new BusException("cannot create bus directory " + directory + ": permission denied", ex);
        }
        catch (final IOException ex)
        {
            throw new BusException("cannot create bus directory " + directory + ": " + ex, ex);
        }
    }

    /**
     * Create the topic with the given settings, or open it if it exists with the same settings.
     *
     * @param directory the bus directory.
     * @param name      the validated topic name.
     * @param options   the settings asked for.
     * @param group     the group sharing the bus, or null.
     * @return the mapped topic.
     */
    public static MappedTopic createOrOpen(
        final Path directory, final String name, final TopicOptions options, final String group)
    {
        final Path path = directory.resolve(name);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++)
        {
            final MappedTopic existing = TopicOpening.tryOpen(path, name);
            if (null != existing)
            {
                return TopicOpening.checkOptions(existing, options);
            }
            final MappedTopic created = TopicCreation.tryCreate(directory, path, name, options, group);
            if (null != created)
            {
                return created;
            }
            Thread.onSpinWait();
        }
        throw new BusException("could not create or open topic " + path + " after " + MAX_ATTEMPTS +
            " attempts: it keeps appearing and disappearing (another process creating and cleaning it?)");
    }

    /**
     * Open an existing topic.
     *
     * @param directory the bus directory.
     * @param name      the validated topic name.
     * @return the mapped topic.
     * @throws TopicNotFoundException when there is no such topic.
     */
    public static MappedTopic open(final Path directory, final String name)
    {
        final Path path = directory.resolve(name);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++)
        {
            final MappedTopic existing = TopicOpening.tryOpen(path, name);
            if (null != existing)
            {
                return existing;
            }
            if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS))
            {
                throw new TopicNotFoundException("no topic named '" + name + "' in " + directory);
            }
        }
        throw new BusException("could not open topic " + path + " after " + MAX_ATTEMPTS + " attempts");
    }

    /**
     * Check a file's header without mapping the rest, for tools.
     *
     * @param path the topic file.
     * @return the header's geometry.
     */
    public static Geometry inspect(final Path path)
    {
        final MappedTopic topic = open(path.getParent(), path.getFileName().toString());
        try
        {
            return topic.geometry();
        }
        finally
        {
            topic.close();
        }
    }
}
