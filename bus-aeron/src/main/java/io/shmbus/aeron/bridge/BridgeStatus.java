package io.shmbus.aeron.bridge;

import io.shmbus.BusException;
import io.shmbus.impl.platform.ErrnoException;
import io.shmbus.impl.platform.Linux;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.List;

import static io.shmbus.aeron.bridge.BridgeStatusLayout.CONNECTED_OFFSET;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.COUNTERS_OFFSET;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.HEARTBEAT_MS_OFFSET;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.PEER_OFFSET;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.ROLE_IN;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.ROLE_OUT;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.STOPPED_MS_OFFSET;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.STRINGS_CHANGE_OFFSET;
import static io.shmbus.aeron.bridge.BridgeStatusLayout.readString;

/**
 * A bridge side's live status in the bus directory it serves: {@code .bridge-in-<topic>.status} and
 * {@code .bridge-out-<topic>.status} ({@code .bridge-out-<topic>-<durable name>.status} for an out side with a
 * durable name other than the default), 4 KiB, mapped.
 *
 * <p>The side holds an exclusive OFD lock on the whole file for as long as its process lives, so a reader (for
 * example {@code shmbus stat}) tells a live side from a dead one by probing the lock ({@code F_OFD_GETLK}),
 * without talking to it and without trusting a pid: the kernel drops the lock the moment the process dies,
 * {@code kill -9} included. A side that closes cleanly writes the time it stopped before it lets the lock go;
 * a file whose lock nobody holds and which has no stop time belongs to a side that died.
 *
 * <p>The counters belong to one life of the side (they start at zero when it starts); the single thread of the
 * side's duty cycle writes them with ordered stores, so a reader sees each one whole and never going back. The
 * strings (channels, peer) change rarely and are written under a change counter that is odd while they are
 * being written; a reader retries until it reads the same even value before and after.
 *
 * <pre>
 *   0 magic | 8 version (int) | 12 role (int) | 16 pid | 24 started (epoch ms) | 32 heartbeat (epoch ms)
 *   | 40 stopped (epoch ms, 0 while running) | 48 string change counter | 56 connected | 64 data stream id (int)
 *   | 68 ack stream id (int) | 72 flags (int: 1 tethered) | 128 counters (8 bytes each, {@link Counter} order)
 *   | 1024 topic | 1152 channel | 2176 ack channel | 3200 peer | 3456 state directory | 3968 durable name
 * </pre>
 * Each string is an int length followed by its US-ASCII bytes; one that does not fit its area is cut, ending
 * in {@code "..."}.
 */
public final class BridgeStatus implements AutoCloseable
{
    /** The file's length. */
    public static final int LENGTH = 4096;
    /** Status files start with this and end with {@link #SUFFIX}. */
    public static final String PREFIX = ".bridge-";
    /** Status files start with {@link #PREFIX} and end with this. */
    public static final String SUFFIX = ".status";

    /**
     * The counters of a side, in file order. Each applies to one side or both.
     */
    public enum Counter
    {
        /** Distinct messages forwarded: sent for the first time (out), published into the local topic (in). */
        MESSAGES("messages"),
        /** The body bytes of those messages. */
        BYTES("bytes"),
        /** Aeron frames sent: data frames, resent ones included (out); acks (in). */
        FRAMES_SENT("framesSent"),
        /** Aeron frames received: acks (out); data frames, duplicates and dropped ones included (in). */
        FRAMES_RECEIVED("framesReceived"),
        /**
         * Back-pressure events: the Aeron publication refused a frame (out); the local topic refused a message (in).
         */
        BACK_PRESSURED("backPressured"),
        /** Out: the Aeron publication had no subscriber when a frame was offered. */
        NOT_CONNECTED("notConnected"),
        /** Out, untethered: messages dropped because the local topic lapped the out side. */
        DROPPED("dropped"),
        /**
         * Out, tethered: messages overwritten in the local ring after the hold limit expired while the bridge was
         * away.
         */
        HOLD_EXPIRED("holdExpired"),
        /** In: gaps detected (each a run of sequences that will never arrive). */
        GAPS("gaps"),
        /** In: the messages of those gaps. */
        GAP_MESSAGES("gapMessages"),
        /** In: the first sequence of the last gap. */
        LAST_GAP_FROM_SEQUENCE("lastGapFromSequence"),
        /** In: the last sequence of the last gap. */
        LAST_GAP_TO_SEQUENCE("lastGapToSequence"),
        /** In: the source position where the last gap starts (the next position of the message before it). */
        LAST_GAP_FROM_POSITION("lastGapFromPosition"),
        /** In: the source position of the first message after the last gap. */
        LAST_GAP_TO_POSITION("lastGapToPosition"),
        /** In: duplicate frames dropped. */
        DUPLICATES("duplicates"),
        /** In: frames dropped because they came ahead of a missing one the out side still had (asked again). */
        AHEAD_DROPPED("aheadDropped"),
        /** Out: times the reader started again on the in side's request; in: requests sent. */
        RESENDS("resends"),
        /** The last sequence: sent (out), published (in). */
        LAST_SEQUENCE("lastSequence"),
        /** Out: the last sequence the in side acknowledged. */
        ACKED_SEQUENCE("ackedSequence"),
        /** The epoch of the sequence numbering. */
        EPOCH("epoch");

        private final String key;

        Counter(final String key)
        {
            this.key = key;
        }

        /**
         * @return the counter's name in {@code key=value} output.
         */
        public String key()
        {
            return key;
        }

        int offset()
        {
            return COUNTERS_OFFSET + 8 * ordinal();
        }
    }

    /**
     * Whether the process of a side lives.
     */
    public enum Liveness
    {
        /** Its process holds the lock. */
        ALIVE,
        /** It closed cleanly. */
        STOPPED,
        /** Nobody holds the lock, and it never said it stopped: its process died. */
        DEAD
    }

    private final Path file;
    private final int fd;
    private final long address;
    private final UnsafeBuffer buffer;
    private boolean closed;

    private BridgeStatus(final Path file, final int fd, final long address)
    {
        this.file = file;
        this.fd = fd;
        this.address = address;
        this.buffer = new UnsafeBuffer(address, LENGTH);
    }

    /**
     * @param busDirectory the bus directory.
     * @param settings     the side's settings.
     * @param role         "in" or "out".
     * @return the side's status file.
     */
    public static Path file(final Path busDirectory, final BridgeSettings settings, final String role)
    {
        final boolean named = "out".equals(role) && null != settings.durableName &&
            !BridgeSettings.DEFAULT_DURABLE_NAME.equals(settings.durableName);
        return busDirectory.resolve(PREFIX + role + "-" + settings.topic + (named ? "-" + settings.durableName : "") +
            SUFFIX);
    }

    /**
     * Create (or take over from a side that is gone) a side's status file, and hold its lock.
     *
     * @param settings       the side's settings.
     * @param role           "in" or "out".
     * @param stateDirectory the side's state directory.
     * @return the status, counters at zero.
     * @throws BusException when another live side holds the file (naming its pid), or the file cannot be made.
     */
    static BridgeStatus create(final BridgeSettings settings, final String role, final Path stateDirectory)
    {
        final Path file = file(settings.busDirectory, settings, role);
        int fd = -1;
        long address = 0;
        try
        {
            fd = Linux.open(file.toString(), Linux.O_RDWR | Linux.O_CREAT | Linux.O_CLOEXEC | Linux.O_NOFOLLOW, 0644);
            if (!Linux.tryLock(fd, 0, 0, true))
            {
                throw new BusException("a bridge " + role + " side of topic " + settings.topic + " already runs on " +
                    settings.busDirectory + " (pid " + BridgeStatusReader.holderPid(fd) + ", status file " + file +
                    ")" +
                    ("out".equals(role) ? ": give another one its own --durable-name" : ""));
            }
            if (Linux.fstat(fd).size() != LENGTH)
            {
                Linux.ftruncate(fd, LENGTH);
            }
            address = Linux.mmap(fd, 0, LENGTH, true);
            final BridgeStatus status = new BridgeStatus(file, fd, address);
            BridgeStatusLayout.init(status.buffer, settings, "out".equals(role) ? ROLE_OUT : ROLE_IN, stateDirectory);
            return status;
        }
        catch (final ErrnoException ex)
        {
            if (0 != address)
            {
                Linux.munmap(address, LENGTH);
            }
            Linux.close(fd);
            throw new BusException("cannot create the bridge status file " + file + ": " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            if (0 != address)
            {
                Linux.munmap(address, LENGTH);
            }
            Linux.close(fd);
            throw ex;
        }
    }

    /**
     * @return the file.
     */
    public Path file()
    {
        return file;
    }

    void increment(final Counter counter)
    {
        final int offset = counter.offset();
        buffer.putLongOrdered(offset, buffer.getLong(offset) + 1);
    }

    void add(final Counter counter, final long delta)
    {
        final int offset = counter.offset();
        buffer.putLongOrdered(offset, buffer.getLong(offset) + delta);
    }

    void set(final Counter counter, final long value)
    {
        buffer.putLongOrdered(counter.offset(), value);
    }

    long get(final Counter counter)
    {
        return buffer.getLong(counter.offset());
    }

    /**
     * The duty cycle's periodic store: the heartbeat, whether the channel is connected, and who is at the other
     * end (written only when it changed).
     */
    void heartbeat(final boolean connected, final String peer)
    {
        buffer.putLongOrdered(CONNECTED_OFFSET, connected ? 1 : 0);
        buffer.putLongOrdered(HEARTBEAT_MS_OFFSET, System.currentTimeMillis());
        final String current = null == peer ? "" : peer;
        if (!current.equals(readString(buffer, PEER_OFFSET)))
        {
            final long change = buffer.getLong(STRINGS_CHANGE_OFFSET);
            buffer.putLongOrdered(STRINGS_CHANGE_OFFSET, change + 1);
            BridgeStatusLayout.putString(buffer, PEER_OFFSET, current);
            buffer.putLongOrdered(STRINGS_CHANGE_OFFSET, change + 2);
        }
    }

    /**
     * Say the side stopped, and let the lock go.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        buffer.putLongOrdered(CONNECTED_OFFSET, 0);
        buffer.putLongOrdered(STOPPED_MS_OFFSET, System.currentTimeMillis());
        buffer.wrap(0, 0);
        Linux.munmap(address, LENGTH);
        Linux.close(fd);
    }

    /**
     * Read every bridge status file of a bus directory.
     *
     * @param busDirectory the bus directory.
     * @return the sides found, by file name; a file that cannot be read is left out (see {@link #read}).
     */
    public static List<Snapshot> list(final Path busDirectory)
    {
        return BridgeStatusReader.list(busDirectory);
    }

    /**
     * Read one status file.
     *
     * @param file the file.
     * @return what it says, with the liveness of its side; null while a side is still writing it for the first
     * time.
     * @throws BusException when it is not a bridge status file.
     */
    public static Snapshot read(final Path file)
    {
        return BridgeStatusReader.read(file);
    }

    /**
     * What a status file said when it was read.
     *
     * @param file           the file.
     * @param role           "in" or "out".
     * @param liveness       whether the side's process lives.
     * @param pid            its pid (for display: liveness is the lock's).
     * @param startedMs      when it started, epoch ms.
     * @param heartbeatMs    its last heartbeat, epoch ms (every 100 ms while its duty cycle runs).
     * @param stoppedMs      when it stopped cleanly, epoch ms; 0 if it did not.
     * @param connected      whether its Aeron channel was connected at the last heartbeat.
     * @param tethered       an in side, or a tethered out side.
     * @param topic          the local topic.
     * @param channel        the data channel.
     * @param streamId       the data stream id.
     * @param ackChannel     the ack channel.
     * @param ackStreamId    the ack stream id.
     * @param peer           the address of the other side as Aeron saw it, empty when unknown.
     * @param stateDirectory the side's state directory.
     * @param durableName    a tethered out side's durable subscriber, else empty.
     * @param counters       the counters, in {@link Counter} order.
     */
    public record Snapshot(Path file, String role, Liveness liveness, long pid, long startedMs, long heartbeatMs,
        long stoppedMs, boolean connected, boolean tethered, String topic, String channel, int streamId,
        String ackChannel, int ackStreamId, String peer, Path stateDirectory, String durableName, long[] counters)
    {
        /**
         * @param counter a counter.
         * @return its value.
         */
        public long get(final Counter counter)
        {
            return counters[counter.ordinal()];
        }

        /**
         * @return true for an out side.
         */
        public boolean isOut()
        {
            return "out".equals(role);
        }
    }
}
