package io.shmbus.impl.mapping;

import io.shmbus.BusException;
import io.shmbus.TopicMismatchException;
import io.shmbus.TopicNotFoundException;
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
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Creates and opens named topic files in a bus directory.
 *
 * <p><b>Creation never exposes a half-built topic.</b> The creator builds the whole file under a hidden
 * temporary name ({@code .<name>.<pid>.<random>.creating}): it sets the mode, allocates every page (so a
 * full tmpfs fails here with ENOSPC instead of a SIGBUS later), writes the header with the layout version
 * last, takes its shared attached lock, and only then hard-links the file to the topic's name. {@code link}
 * fails if the name exists, so of several processes racing to create a topic exactly one succeeds; the others
 * remove their temporary file and open the winner's. A creator that dies part way leaves only a hidden
 * temporary file, never a topic that looks ready.
 *
 * <p><b>Opening</b> takes a shared lock on the attached byte, then checks that the name still refers to the
 * file it opened (a cleaner may have unlinked a stale topic in between); if not, it opens again.
 */
public final class TopicFiles
{
    private static final Logger LOG = LoggerFactory.getLogger(TopicFiles.class);
    private static final int MAX_ATTEMPTS = 100;
    static final String CREATING_SUFFIX = ".creating";

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
                setGroup(directory, group);
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
            final MappedTopic existing = tryOpen(path, name);
            if (null != existing)
            {
                return checkOptions(existing, options);
            }
            final MappedTopic created = tryCreate(directory, path, name, options, group);
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
            final MappedTopic existing = tryOpen(path, name);
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

    private static MappedTopic checkOptions(final MappedTopic topic, final TopicOptions asked)
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

    /**
     * @return the mapped topic, or null when the path does not exist (or vanished while opening).
     */
    private static MappedTopic tryOpen(final Path path, final String name)
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

    private static boolean sameFile(final Path path, final int fd) throws IOException
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

    /**
     * @return the new topic, or null when another process created it first.
     */
    private static MappedTopic tryCreate(
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

    private static void initialise(final int fd, final Geometry geometry, final int flags, final String name)
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

    private static void setGroup(final Path path, final String group) throws IOException
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

    /** Seals every anonymous topic carries: its size can never change again, so no peer can shrink it under a
     * reader (which would make the reader's next access a SIGBUS). */
    public static final int ANONYMOUS_SEALS = Linux.F_SEAL_SHRINK | Linux.F_SEAL_GROW | Linux.F_SEAL_SEAL;

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
            initialise(fd, geometry, flags(options) | TopicHeaderDescriptor.FLAG_ANONYMOUS, label);
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
                final boolean temporary = fileName.startsWith(".") && fileName.endsWith(CREATING_SUFFIX);
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
            if (!sameFile(path, fd))
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
