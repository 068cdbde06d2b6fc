package io.shmbus.aeron.bridge;

import io.shmbus.BusException;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bridge side's state and counters in a small memory-mapped file, written with ordered stores: what a
 * {@code kill -9} cannot take back (the page cache keeps every store made before the kill), and what a status
 * reader in another process sees live.
 */
public final class BridgeState implements AutoCloseable
{
    /** Length of the file. */
    public static final int LENGTH = 4096;
    /** The role of an out side. */
    public static final long ROLE_OUT = 1;
    /** The role of an in side. */
    public static final long ROLE_IN = 2;

    static final long MAGIC = 0x5348_4d42_5242_4731L;

    /** Field offsets; both roles share the first five. */
    static final int MAGIC_OFFSET = 0;
    static final int ROLE_OFFSET = 8;
    static final int PID_OFFSET = 16;
    static final int HEARTBEAT_MS_OFFSET = 24;
    static final int EPOCH_OFFSET = 32;

    // Out side: the resume point is a sequence and a position kept in two slots, the selector naming the
    // valid one, so that a kill between the two stores never leaves a torn pair.
    static final int OUT_SLOT_A_OFFSET = 40;
    static final int OUT_SLOT_B_OFFSET = 104;
    static final int OUT_SLOT_SELECTOR_OFFSET = 120;
    static final int OUT_SENT_OFFSET = 56;
    static final int OUT_ACKED_OFFSET = 64;
    static final int OUT_DROPPED_OFFSET = 72;
    static final int OUT_RESENDS_OFFSET = 80;
    static final int OUT_CONNECTED_OFFSET = 88;
    static final int OUT_BACK_PRESSURED_OFFSET = 96;

    // In side.
    static final int IN_LAST_SEQUENCE_OFFSET = 40;
    static final int IN_LAST_NEXT_POSITION_OFFSET = 48;
    static final int IN_PENDING_SEQUENCE_OFFSET = 56;
    static final int IN_PENDING_TAIL_OFFSET = 64;
    static final int IN_PENDING_NEXT_POSITION_OFFSET = 72;
    static final int IN_PENDING_EPOCH_OFFSET = 80;
    static final int IN_DELIVERED_OFFSET = 88;
    static final int IN_DUPLICATES_OFFSET = 96;
    static final int IN_GAPS_OFFSET = 104;
    static final int IN_GAP_MESSAGES_OFFSET = 112;
    static final int IN_LAST_GAP_FROM_SEQUENCE_OFFSET = 120;
    static final int IN_LAST_GAP_TO_SEQUENCE_OFFSET = 128;
    static final int IN_LAST_GAP_FROM_POSITION_OFFSET = 136;
    static final int IN_LAST_GAP_TO_POSITION_OFFSET = 144;
    static final int IN_RESEND_REQUESTS_OFFSET = 152;
    static final int IN_AHEAD_DROPPED_OFFSET = 160;
    static final int IN_CONNECTED_OFFSET = 168;

    private final Path file;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;
    private final boolean fresh;

    private BridgeState(final Path file, final MappedByteBuffer mapped, final boolean fresh)
    {
        this.file = file;
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped);
        this.fresh = fresh;
    }

    /**
     * Map a side's state file, creating it when absent.
     *
     * @param file the file.
     * @param role {@link #ROLE_OUT} or {@link #ROLE_IN}.
     * @return the state.
     * @throws BusException when the file is not a bridge state file of that role.
     */
    public static BridgeState open(final Path file, final long role)
    {
        try
        {
            Files.createDirectories(file.getParent());
            final boolean existed = Files.exists(file) && Files.size(file) == LENGTH;
            final MappedByteBuffer mapped;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE))
            {
                if (channel.size() < LENGTH)
                {
                    channel.write(java.nio.ByteBuffer.allocate(LENGTH - (int)channel.size()), channel.size());
                }
                mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, LENGTH);
            }
            final BridgeState state = new BridgeState(file, mapped,
                !existed || 0 == new UnsafeBuffer(mapped).getLong(0));
            if (state.fresh)
            {
                state.buffer.setMemory(0, LENGTH, (byte)0);
                state.buffer.putLong(ROLE_OFFSET, role);
                state.buffer.putLongOrdered(MAGIC_OFFSET, MAGIC);
            }
            else if (state.buffer.getLong(MAGIC_OFFSET) != MAGIC || state.buffer.getLong(ROLE_OFFSET) != role)
            {
                state.close();
                throw new BusException("bridge state file " + file + " is not the state of a bridge " +
                    (role == ROLE_OUT ? "out" : "in") + " side (magic or role differ): remove it or choose another " +
                    "--state-dir");
            }
            return state;
        }
        catch (final IOException ex)
        {
            throw new BusException("cannot open bridge state file " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Read a state file's fields by name, for status.
     *
     * @param file the file.
     * @return the fields in file order, with the liveness of the process that wrote it.
     */
    public static Map<String, Object> read(final Path file)
    {
        final Map<String, Object> fields = new LinkedHashMap<>();
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new BusException("cannot read bridge state file " + file + ": " + ex.getMessage(), ex);
        }
        if (bytes.length != LENGTH)
        {
            throw new BusException("bridge state file " + file + " is " + bytes.length + " bytes, not " + LENGTH);
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        if (buffer.getLong(MAGIC_OFFSET) != MAGIC)
        {
            throw new BusException("not a bridge state file: " + file);
        }
        final long role = buffer.getLong(ROLE_OFFSET);
        final long pid = buffer.getLong(PID_OFFSET);
        final long heartbeatMs = buffer.getLong(HEARTBEAT_MS_OFFSET);
        final boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        fields.put("role", role == ROLE_OUT ? "out" : "in");
        fields.put("pid", pid);
        fields.put("alive", alive);
        fields.put("heartbeatAgeMs", System.currentTimeMillis() - heartbeatMs);
        fields.put("epoch", Long.toHexString(buffer.getLong(EPOCH_OFFSET)));
        if (role == ROLE_OUT)
        {
            fields.put("connected", buffer.getLong(OUT_CONNECTED_OFFSET) != 0);
            final int slot = 0 == buffer.getLong(OUT_SLOT_SELECTOR_OFFSET) ? OUT_SLOT_A_OFFSET : OUT_SLOT_B_OFFSET;
            fields.put("resumeSequence", buffer.getLong(slot));
            fields.put("resumePosition", buffer.getLong(slot + 8));
            fields.put("sentSequence", buffer.getLong(OUT_SENT_OFFSET));
            fields.put("ackedSequence", buffer.getLong(OUT_ACKED_OFFSET));
            fields.put("droppedMessages", buffer.getLong(OUT_DROPPED_OFFSET));
            fields.put("resends", buffer.getLong(OUT_RESENDS_OFFSET));
            fields.put("backPressured", buffer.getLong(OUT_BACK_PRESSURED_OFFSET));
        }
        else
        {
            fields.put("connected", buffer.getLong(IN_CONNECTED_OFFSET) != 0);
            fields.put("lastSequence", buffer.getLong(IN_LAST_SEQUENCE_OFFSET));
            fields.put("lastSourceNextPosition", buffer.getLong(IN_LAST_NEXT_POSITION_OFFSET));
            fields.put("deliveredMessages", buffer.getLong(IN_DELIVERED_OFFSET));
            fields.put("duplicatesDropped", buffer.getLong(IN_DUPLICATES_OFFSET));
            fields.put("gaps", buffer.getLong(IN_GAPS_OFFSET));
            fields.put("gapMessages", buffer.getLong(IN_GAP_MESSAGES_OFFSET));
            fields.put("lastGapSequences", buffer.getLong(IN_LAST_GAP_FROM_SEQUENCE_OFFSET) + ".." +
                buffer.getLong(IN_LAST_GAP_TO_SEQUENCE_OFFSET));
            fields.put("lastGapSourcePositions", buffer.getLong(IN_LAST_GAP_FROM_POSITION_OFFSET) + ".." +
                buffer.getLong(IN_LAST_GAP_TO_POSITION_OFFSET));
            fields.put("resendRequests", buffer.getLong(IN_RESEND_REQUESTS_OFFSET));
            fields.put("aheadDropped", buffer.getLong(IN_AHEAD_DROPPED_OFFSET));
        }
        return fields;
    }

    /**
     * @return true when the file was created (or empty) at open: no earlier life left state.
     */
    public boolean isFresh()
    {
        return fresh;
    }

    /**
     * @return the file.
     */
    public Path file()
    {
        return file;
    }

    long get(final int offset)
    {
        return buffer.getLongVolatile(offset);
    }

    void put(final int offset, final long value)
    {
        buffer.putLongOrdered(offset, value);
    }

    void add(final int offset, final long delta)
    {
        buffer.putLongOrdered(offset, buffer.getLong(offset) + delta);
    }

    long resumeSequence()
    {
        return buffer.getLongVolatile(resumeSlot());
    }

    long resumePosition()
    {
        return buffer.getLongVolatile(resumeSlot() + 8);
    }

    void resumeAt(final long sequence, final long position)
    {
        final long selector = buffer.getLongVolatile(OUT_SLOT_SELECTOR_OFFSET);
        final int slot = 0 == selector ? OUT_SLOT_B_OFFSET : OUT_SLOT_A_OFFSET;
        buffer.putLong(slot, sequence);
        buffer.putLong(slot + 8, position);
        buffer.putLongOrdered(OUT_SLOT_SELECTOR_OFFSET, 0 == selector ? 1 : 0);
    }

    private int resumeSlot()
    {
        return 0 == buffer.getLongVolatile(OUT_SLOT_SELECTOR_OFFSET) ? OUT_SLOT_A_OFFSET : OUT_SLOT_B_OFFSET;
    }

    void heartbeat()
    {
        buffer.putLong(PID_OFFSET, ProcessHandle.current().pid());
        buffer.putLongOrdered(HEARTBEAT_MS_OFFSET, System.currentTimeMillis());
    }

    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
