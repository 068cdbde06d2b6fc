package io.shmbus.impl.mapping;

import io.shmbus.BusException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The memory cgroup limit this process runs under, checked before a topic's pages are allocated. Pages of a file
 * on tmpfs or of a memfd are charged to the memory cgroup of the process that allocates them, and a charge past
 * the limit does not fail the allocation: the kernel's OOM killer ends the process (seen here: {@code fallocate}
 * of 200 MiB under a 50 MiB limit is SIGKILLed). So a topic that would not fit in what the limit leaves is refused
 * with a clear error before anything is allocated.
 *
 * <p>Both hierarchies are read: cgroup v2 ({@code memory.max}, {@code memory.current} under the unified mount)
 * and v1 ({@code memory.limit_in_bytes}, {@code memory.usage_in_bytes} under the memory controller), for this
 * process's cgroup and each of its ancestors, since every level's limit applies. What cannot be read (no cgroup
 * file system mounted, another layout) is taken as no limit. The check is a best effort: it cannot see what other
 * processes of the same cgroup allocate at the same moment.
 */
final class MemoryLimit
{
    /** Room left for the process's own growth after a topic is allocated: a topic may take the rest. */
    static final long HEADROOM_BYTES = 16L << 20;
    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    private MemoryLimit()
    {
    }

    /**
     * @param bytes    the pages about to be allocated.
     * @param what     the topic, for the message.
     * @throws BusException when the memory cgroup's limit would be passed.
     */
    static void check(final long bytes, final String what)
    {
        final long left = bytesLeft(ROOT, Path.of("/proc/self/cgroup"));
        if (left >= 0 && bytes > left - HEADROOM_BYTES)
        {
            throw new BusException("cannot create " + what + ": its " + bytes + " bytes of shared memory would pass " +
                "this process's memory cgroup limit (" + Math.max(0, left) + " bytes left, less " + HEADROOM_BYTES +
                " kept for the process itself): the kernel would end the process instead of failing the allocation; " +
                "give the cgroup more memory or the topic a smaller capacityBytes");
        }
    }

    /**
     * @param root        where the cgroup file systems are mounted.
     * @param selfCgroups this process's {@code /proc/self/cgroup}.
     * @return the fewest bytes any memory limit above this process leaves, or -1 when no limit applies or none can
     * be read.
     */
    static long bytesLeft(final Path root, final Path selfCgroups)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(selfCgroups);
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
        long least = Long.MAX_VALUE;
        for (final String line : lines)
        {
            final String[] parts = line.split(":", 3);
            if (parts.length != 3)
            {
                continue;
            }
            if (parts[1].isEmpty() && "0".equals(parts[0]))
            {
                for (final Path mount : List.of(root, root.resolve("unified")))
                {
                    if (Files.exists(mount.resolve("cgroup.controllers")))
                    {
                        least = Math.min(least, walk(mount, parts[2], "memory.max", "memory.current"));
                        break;
                    }
                }
            }
            else if (List.of(parts[1].split(",")).contains("memory"))
            {
                least = Math.min(least, walk(root.resolve("memory"), parts[2], "memory.limit_in_bytes",
                    "memory.usage_in_bytes"));
            }
        }
        return least == Long.MAX_VALUE ? -1 : least;
    }

    private static long walk(final Path mount, final String cgroup, final String limitFile, final String usageFile)
    {
        long least = Long.MAX_VALUE;
        Path dir = mount.resolve(cgroup.startsWith("/") ? cgroup.substring(1) : cgroup).normalize();
        while (dir.startsWith(mount))
        {
            final long limit = read(dir.resolve(limitFile));
            final long usage = read(dir.resolve(usageFile));
            if (limit > 0 && limit < (1L << 60) && usage >= 0)
            {
                least = Math.min(least, limit - usage);
            }
            if (dir.equals(mount))
            {
                break;
            }
            dir = dir.getParent();
        }
        return least;
    }

    private static long read(final Path file)
    {
        try
        {
            final String value = Files.readString(file).trim();
            return "max".equals(value) ? Long.MAX_VALUE : Long.parseLong(value);
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }
}
