package io.shmbus.aeron.bridge;

import io.shmbus.BusException;
import io.shmbus.impl.platform.ErrnoException;
import io.shmbus.impl.platform.Linux;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.shmbus.aeron.bridge.BridgeStatusLayout.ACK_CHANNEL_OFFSET;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.ACK_STREAM_ID_OFFSET;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.CHANNEL_OFFSET;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.CONNECTED_OFFSET;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.DURABLE_NAME_OFFSET;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.FLAGS_OFFSET;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.FLAG_TETHERED;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.HEARTBEAT_MS_OFFSET;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.MAGIC;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.MAGIC_OFFSET;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.PEER_OFFSET;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.PID_OFFSET;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.ROLE_OFFSET;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.ROLE_OUT;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.STARTED_MS_OFFSET;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.STATE_DIRECTORY_OFFSET;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.STOPPED_MS_OFFSET;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.STREAM_ID_OFFSET;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.STRINGS_CHANGE_OFFSET;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.TOPIC_OFFSET;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.VERSION;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.VERSION_OFFSET;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.readString;

/**
 * Reads status files written by other processes: {@link BridgeStatus#list}, {@link BridgeStatus#read}, and the
 * pid of a side that holds a file another one wants.
 */
final class BridgeStatusReader
{
    private static final int LENGTH = BridgeStatus.LENGTH;

    private BridgeStatusReader()
    {
    }

    static List<BridgeStatus.Snapshot> list(final Path busDirectory)
    {
        final List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(
            busDirectory, BridgeStatus.PREFIX + "*" + BridgeStatus.SUFFIX))
        {
            entries.forEach(files::add);
        }
        catch (final NoSuchFileException ex)
        {
            return List.of();
        }
        catch (final IOException ex)
        {
            throw new BusException("cannot list bus directory " + busDirectory + ": " + ex.getMessage(), ex);
        }
        files.sort(null);
        final List<BridgeStatus.Snapshot> sides = new ArrayList<>();
        for (final Path file : files)
        {
            try
            {
                final BridgeStatus.Snapshot snapshot = read(file);
                if (null != snapshot)
                {
                    sides.add(snapshot);
                }
            }
            catch (final BusException ex)
            {
                // Not a status file of ours, or one being replaced: nothing to show.
            }
        }
        return sides;
    }

    static BridgeStatus.Snapshot read(final Path file)
    {
        int fd = -1;
        long address = 0;
        try
        {
            fd = Linux.open(file.toString(), Linux.O_RDONLY | Linux.O_CLOEXEC | Linux.O_NOFOLLOW, 0);
            final long size = Linux.fstat(fd).size();
            if (size != LENGTH)
            {
                if (0 == size && Linux.isLockedElsewhere(fd, 0, 0, true))
                {
                    return null;
                }
                throw new BusException(file + " is " + size + " bytes, not a bridge status file of " + LENGTH);
            }
            address = Linux.mmap(fd, 0, LENGTH, false);
            final UnsafeBuffer buffer = new UnsafeBuffer(address, LENGTH);
            final boolean locked = Linux.isLockedElsewhere(fd, 0, 0, true);
            final long magic = buffer.getLongVolatile(MAGIC_OFFSET);
            if (magic != MAGIC)
            {
                if (0 == magic && locked)
                {
                    return null;
                }
                throw new BusException(file + " is not a bridge status file (magic " + Long.toHexString(magic) + ")");
            }
            if (buffer.getInt(VERSION_OFFSET) != VERSION)
            {
                throw new BusException(file + " is a bridge status file of version " + buffer.getInt(VERSION_OFFSET) +
                    ", this tool reads version " + VERSION);
            }
            return snapshot(file, buffer, locked);
        }
        catch (final ErrnoException ex)
        {
            throw new BusException("cannot read bridge status file " + file + ": " + ex.getMessage(), ex);
        }
        finally
        {
            if (0 != address)
            {
                Linux.munmap(address, LENGTH);
            }
            Linux.close(fd);
        }
    }

    /**
     * @return the pid written in the file a live side holds, 0 when it cannot be read.
     */
    static long holderPid(final int fd)
    {
        try
        {
            if (Linux.fstat(fd).size() < LENGTH)
            {
                return 0;
            }
            final long address = Linux.mmap(fd, 0, LENGTH, false);
            try
            {
                return new UnsafeBuffer(address, LENGTH).getLongVolatile(PID_OFFSET);
            }
            finally
            {
                Linux.munmap(address, LENGTH);
            }
        }
        catch (final ErrnoException ex)
        {
            return 0;
        }
    }

    private static BridgeStatus.Snapshot snapshot(final Path file, final UnsafeBuffer buffer, final boolean locked)
    {
        final String[] strings = strings(buffer);
        return new BridgeStatus.Snapshot(file, buffer.getInt(ROLE_OFFSET) == ROLE_OUT ? "out" : "in",
            locked ? BridgeStatus.Liveness.ALIVE :
                0 != buffer.getLongVolatile(STOPPED_MS_OFFSET) ? BridgeStatus.Liveness.STOPPED :
                BridgeStatus.Liveness.DEAD,
            buffer.getLong(PID_OFFSET), buffer.getLong(STARTED_MS_OFFSET),
            buffer.getLongVolatile(HEARTBEAT_MS_OFFSET),
            buffer.getLongVolatile(STOPPED_MS_OFFSET), buffer.getLongVolatile(CONNECTED_OFFSET) != 0,
            (buffer.getInt(FLAGS_OFFSET) & FLAG_TETHERED) != 0, strings[0], strings[1],
            buffer.getInt(STREAM_ID_OFFSET), strings[2], buffer.getInt(ACK_STREAM_ID_OFFSET), strings[3],
            Path.of(strings[4]), strings[5], counters(buffer));
    }

    private static String[] strings(final UnsafeBuffer buffer)
    {
        for (int attempt = 0; ; attempt++)
        {
            final long before = buffer.getLongVolatile(STRINGS_CHANGE_OFFSET);
            final String[] strings = {readString(buffer, TOPIC_OFFSET), readString(buffer, CHANNEL_OFFSET),
                readString(buffer, ACK_CHANNEL_OFFSET), readString(buffer, PEER_OFFSET),
                readString(buffer, STATE_DIRECTORY_OFFSET), readString(buffer, DURABLE_NAME_OFFSET)};
            java.lang.invoke.VarHandle.acquireFence();
            if ((before & 1) == 0 && buffer.getLongVolatile(STRINGS_CHANGE_OFFSET) == before || attempt > 1000)
            {
                return strings;
            }
            Thread.onSpinWait();
        }
    }

    private static long[] counters(final UnsafeBuffer buffer)
    {
        final BridgeStatus.Counter[] all = BridgeStatus.Counter.values();
        final long[] values = new long[all.length];
        for (final BridgeStatus.Counter counter : all)
        {
            values[counter.ordinal()] = buffer.getLongVolatile(counter.offset());
        }
        return values;
    }
}
