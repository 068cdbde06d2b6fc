package io.shmbus.impl.ring;

import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.layout.PublisherSlotDescriptor;
import io.shmbus.impl.layout.RecordDescriptor;
import io.shmbus.impl.layout.SubscriberSlotDescriptor;
import io.shmbus.impl.layout.TopicHeaderDescriptor;
import io.shmbus.impl.layout.TopicHeaderDescriptor.Geometry;
import io.shmbus.impl.platform.ErrnoException;
import io.shmbus.impl.platform.Linux;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes hostile values into a topic file through a mapping of its own, as a buggy or malicious process with
 * write access would: random bytes anywhere, and "interesting" values (0, -1, extremes, off by one alignment
 * unit, a ring away, lengths that overflow when aligned) into the words the protocol reads: lengths and kinds at
 * record boundaries, the tail, the cleaning words, slot positions and states, and the header's fields.
 *
 * <p>Mutations come in two classes. <em>Detectable</em> ones write a record length or kind that no publisher
 * could have written, at a record boundary: a reader must raise {@code TopicCorruptedException} rather than
 * deliver anything from it, so every message delivered must still be intact. <em>Plausible</em> ones write
 * values a publisher could have written, or touch payload and control words: the bus cannot tell them from
 * the truth (the trust model says a writer can fake or corrupt messages), so only the absence of crashes,
 * hangs, out-of-range access and exceptions other than {@code TopicCorruptedException} is required.
 */
final class MemoryFuzzer implements AutoCloseable
{
    private final SplittableRandom random;
    private final Geometry geometry;
    private final int fd;
    private final long address;
    private final UnsafeBuffer header;
    private final UnsafeBuffer control;
    private final UnsafeBuffer data;
    private final long[] boundaries = new long[64];
    private int boundaryCount;
    private long latestBoundary;
    private final List<String> log = new ArrayList<>();

    /**
     * @param path     the topic file.
     * @param geometry its geometry.
     * @param random   the source of every choice.
     */
    MemoryFuzzer(final Path path, final Geometry geometry, final SplittableRandom random) throws ErrnoException
    {
        this.random = random;
        this.geometry = geometry;
        this.fd = Linux.open(path.toString(), Linux.O_RDWR | Linux.O_CLOEXEC, 0);
        try
        {
            this.address = Linux.mmap(fd, 0, geometry.fileLength(), true);
        }
        catch (final ErrnoException ex)
        {
            Linux.close(fd);
            throw ex;
        }
        this.header = new UnsafeBuffer(address, TopicHeaderDescriptor.HEADER_LENGTH);
        this.control = new UnsafeBuffer(address + geometry.controlOffset(), (int)geometry.controlLength());
        this.data = new UnsafeBuffer(address + geometry.dataOffset(), geometry.capacity());
    }

    /**
     * Remember a position known to be a record boundary (the start or end of a record just published).
     *
     * @param position the position.
     */
    synchronized void boundary(final long position)
    {
        boundaries[boundaryCount++ % boundaries.length] = position;
        latestBoundary = Math.max(latestBoundary, position);
    }

    /**
     * @return the mutations made so far, for a failure's message.
     */
    List<String> log()
    {
        return log;
    }

    /**
     * @return true when no cleaning round is running or announced: a joiner will not wait.
     */
    boolean isQuiescent()
    {
        return control.getLongVolatile(ControlDescriptor.CLEAN_LOCK_OFFSET) == 0 &&
            control.getLongVolatile(ControlDescriptor.CLEAN_INTENT_OFFSET) ==
            control.getLongVolatile(ControlDescriptor.CLEAN_LIMIT_OFFSET);
    }

    /**
     * Write a record length or kind that no publisher writes, at a known record boundary.
     */
    synchronized void detectable()
    {
        if (boundaryCount == 0)
        {
            return;
        }
        final int capacity = geometry.capacity();
        // Only boundaries of the current lap: an older one may now lie inside a newer record's body.
        long position = -1;
        for (int attempt = 0; attempt < 16 && position < 0; attempt++)
        {
            final long candidate = boundaries[random.nextInt(Math.min(boundaryCount, boundaries.length))];
            if (candidate >= latestBoundary - capacity)
            {
                position = candidate;
            }
        }
        if (position < 0)
        {
            position = latestBoundary;
        }
        final int index = (int)position & (capacity - 1);
        if (random.nextBoolean())
        {
            final int length = switch (random.nextInt(4))
            {
                case 0 -> 1 + random.nextInt(RecordDescriptor.HEADER_LENGTH - 1);
                case 1 -> capacity - index + 1 + random.nextInt(capacity);
                case 2 -> Integer.MAX_VALUE - random.nextInt(RecordDescriptor.ALIGNMENT);
                default -> capacity - index + 1;
            };
            data.putIntVolatile(index, length);
            log.add("length " + length + " at position " + position);
        }
        else
        {
            final short kind = (short)(2 + random.nextInt(Short.MAX_VALUE - 2));
            data.putShortVolatile(index + RecordDescriptor.KIND_OFFSET, random.nextBoolean() ? kind : (short)-kind);
            log.add("kind " + kind + " at position " + position);
        }
    }

    /**
     * Write anything anywhere a live participant reads: control words, slots, record headers, payload.
     */
    synchronized void plausible()
    {
        final int capacity = geometry.capacity();
        final int choice = random.nextInt(16);
        switch (choice)
        {
            case 0 -> longAt(control, ControlDescriptor.TAIL_OFFSET, "tail");
            case 1 -> longAt(control, ControlDescriptor.CLEAN_LIMIT_OFFSET, "cleanLimit");
            case 2 -> longAt(control, ControlDescriptor.CLEAN_INTENT_OFFSET, "cleanIntent");
            case 3 -> longAt(control, ControlDescriptor.CLEAN_COUNT_OFFSET, "cleanCount");
            case 4 ->
            {
                final long value = switch (random.nextInt(4))
                {
                    case 0 -> 0;
                    case 1 -> 1 + random.nextInt(geometry.maxPublishers() + 1);
                    case 2 -> -1 - random.nextInt(geometry.maxSubscribers() + 1);
                    default -> interestingLong(control.getLong(ControlDescriptor.CLEAN_LOCK_OFFSET));
                };
                control.putLongVolatile(ControlDescriptor.CLEAN_LOCK_OFFSET, value);
                log.add("cleanLock " + value);
            }
            case 5 -> longAt(control, ControlDescriptor.CLEAN_PENDING_OFFSET, "cleanPending");
            case 6 ->
            {
                final int[] offsets = {
                    ControlDescriptor.DATA_SIGNAL_OFFSET, ControlDescriptor.DATA_WAITERS_OFFSET,
                    ControlDescriptor.BLOCKING_SUBSCRIBERS_OFFSET, ControlDescriptor.SPACE_SIGNAL_OFFSET,
                    ControlDescriptor.SPACE_WAITERS_OFFSET, ControlDescriptor.BLOCKING_PUBLISHERS_OFFSET,
                    ControlDescriptor.SUBSCRIBER_COUNT_OFFSET, ControlDescriptor.PUBLISHER_COUNT_OFFSET,
                    ControlDescriptor.EXCLUSIVE_PUBLISHER_OFFSET};
                intAt(control, offsets[random.nextInt(offsets.length)], "control word");
            }
            case 7 ->
            {
                final int slot = ControlDescriptor.publisherSlotOffset(random.nextInt(geometry.maxPublishers()));
                switch (random.nextInt(4))
                {
                    case 0 -> longAt(control, slot + PublisherSlotDescriptor.CLAIM_POSITION_OFFSET, "claimPosition");
                    case 1 -> intAt(control, slot + PublisherSlotDescriptor.CLAIM_LENGTH_OFFSET, "claimLength");
                    case 2 -> intAt(control, slot + PublisherSlotDescriptor.STATE_OFFSET, "publisher state");
                    default -> intAt(control, slot + PublisherSlotDescriptor.MODE_OFFSET, "publisher mode");
                }
            }
            case 8, 9 ->
            {
                final int slot = ControlDescriptor.subscriberSlotOffset(
                    geometry.maxPublishers(), random.nextInt(geometry.maxSubscribers()));
                switch (random.nextInt(7))
                {
                    case 0, 1 -> longAt(control, slot + SubscriberSlotDescriptor.POSITION_OFFSET,
                        "subscriber position");
                    case 2 -> intAt(control, slot + SubscriberSlotDescriptor.STATE_OFFSET, "subscriber state");
                    case 3 -> intAt(control, slot + SubscriberSlotDescriptor.POLICY_OFFSET, "subscriber policy");
                    case 4 -> longAt(control, slot + SubscriberSlotDescriptor.HOLD_LIMIT_MS_OFFSET, "holdLimitMs");
                    case 5 -> intAt(control, slot + SubscriberSlotDescriptor.NAME_LENGTH_OFFSET, "name length");
                    default -> longAt(control, slot + SubscriberSlotDescriptor.MESSAGE_INDEX_OFFSET, "messageIndex");
                }
            }
            case 10, 11 ->
            {
                if (boundaryCount > 0)
                {
                    final long position = boundaries[random.nextInt(Math.min(boundaryCount, boundaries.length))];
                    final int index = (int)position & (capacity - 1);
                    if (random.nextInt(3) == 0)
                    {
                        final short kind = (short)random.nextInt(3);
                        data.putShortVolatile(index + RecordDescriptor.KIND_OFFSET, kind);
                        log.add("kind " + kind + " at position " + position);
                    }
                    else
                    {
                        intAt(data, index, "record length at position " + position);
                    }
                }
            }
            case 12 ->
            {
                final int index = random.nextInt(capacity / RecordDescriptor.ALIGNMENT) * RecordDescriptor.ALIGNMENT;
                intAt(data, index, "record length at index");
            }
            case 13 ->
            {
                final int index = random.nextInt(capacity);
                final byte value = (byte)random.nextInt(256);
                data.putByteVolatile(index, value);
                log.add("ring byte " + index + " = " + value);
            }
            case 14 ->
            {
                final int index = random.nextInt(control.capacity());
                final byte value = (byte)random.nextInt(256);
                control.putByteVolatile(index, value);
                log.add("control byte " + index + " = " + value);
            }
            default ->
            {
                final int length = random.nextInt(64);
                final int index = random.nextInt(capacity - length);
                for (int i = 0; i < length; i++)
                {
                    data.putByte(index + i, (byte)random.nextInt(256));
                }
                log.add(length + " random ring bytes at index " + index);
            }
        }
    }

    /**
     * Write a hostile value into one header field, or a random byte into the header page.
     *
     * @return the offset written.
     */
    int header()
    {
        final int[] fieldOffsets = {
            TopicHeaderDescriptor.MAGIC_OFFSET, TopicHeaderDescriptor.VERSION_OFFSET,
            TopicHeaderDescriptor.HEADER_LENGTH_OFFSET, TopicHeaderDescriptor.CONTROL_OFFSET_OFFSET,
            TopicHeaderDescriptor.CONTROL_LENGTH_OFFSET, TopicHeaderDescriptor.DATA_OFFSET_OFFSET,
            TopicHeaderDescriptor.DATA_CAPACITY_OFFSET, TopicHeaderDescriptor.FILE_LENGTH_OFFSET,
            TopicHeaderDescriptor.MAX_MESSAGE_LENGTH_OFFSET, TopicHeaderDescriptor.MAX_PUBLISHERS_OFFSET,
            TopicHeaderDescriptor.MAX_SUBSCRIBERS_OFFSET, TopicHeaderDescriptor.RECORD_HEADER_LENGTH_OFFSET,
            TopicHeaderDescriptor.FLAGS_OFFSET, TopicHeaderDescriptor.NAME_LENGTH_OFFSET};
        final int offset;
        if (random.nextInt(4) == 0)
        {
            offset = random.nextInt(TopicHeaderDescriptor.HEADER_LENGTH);
            final byte value = (byte)random.nextInt(256);
            header.putByte(offset, value);
            log.add("header byte " + offset + " = " + value);
            return offset;
        }
        offset = fieldOffsets[random.nextInt(fieldOffsets.length)];
        if (offset < TopicHeaderDescriptor.MAX_MESSAGE_LENGTH_OFFSET &&
            offset != TopicHeaderDescriptor.VERSION_OFFSET &&
            offset != TopicHeaderDescriptor.HEADER_LENGTH_OFFSET)
        {
            longAt(header, offset, "header field at " + offset);
        }
        else
        {
            intAt(header, offset, "header field at " + offset);
        }
        return offset;
    }

    /**
     * @param offset a header offset.
     * @return the header's current byte there.
     */
    byte headerByte(final int offset)
    {
        return header.getByte(offset);
    }

    private void longAt(final UnsafeBuffer buffer, final int offset, final String what)
    {
        final long value = interestingLong(buffer.getLong(offset));
        buffer.putLongVolatile(offset, value);
        log.add(what + " = " + value);
    }

    private void intAt(final UnsafeBuffer buffer, final int offset, final String what)
    {
        final int value = interestingInt(buffer.getInt(offset));
        buffer.putIntVolatile(offset, value);
        log.add(what + " = " + value);
    }

    private long interestingLong(final long current)
    {
        final long capacity = geometry.capacity();
        return switch (random.nextInt(16))
        {
            case 0 -> 0;
            case 1 -> -1;
            case 14 -> (Long.MAX_VALUE - random.nextInt(1 << 20)) & -RecordDescriptor.ALIGNMENT; // overflows a claim
            case 15 -> Ring.MAX_POSITION + RecordDescriptor.ALIGNMENT * (random.nextInt(3) - 1); // around the bound
            case 2 -> Long.MAX_VALUE;
            case 3 -> Long.MIN_VALUE;
            case 4 -> current + RecordDescriptor.ALIGNMENT;
            case 5 -> current - RecordDescriptor.ALIGNMENT;
            case 6 -> current + capacity;
            case 7 -> current - capacity;
            case 8 -> current + 1 + random.nextInt(15);
            case 9 -> current + capacity * (2 + random.nextInt(1000));
            case 10 -> Long.MAX_VALUE - random.nextInt(1 << 20);
            case 11 -> capacity;
            case 12 -> current ^ (1L << random.nextInt(64));
            default -> random.nextLong();
        };
    }

    private int interestingInt(final int current)
    {
        final int capacity = geometry.capacity();
        return switch (random.nextInt(14))
        {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> Integer.MAX_VALUE;
            case 3 -> Integer.MIN_VALUE;
            case 4 -> Integer.MAX_VALUE - random.nextInt(RecordDescriptor.ALIGNMENT);
            case 5 -> current + RecordDescriptor.ALIGNMENT;
            case 6 -> current - RecordDescriptor.ALIGNMENT;
            case 7 -> capacity;
            case 8 -> capacity + 1;
            case 9 -> 1 + random.nextInt(3);
            case 10 -> -current;
            case 11 -> current ^ (1 << random.nextInt(32));
            case 12 -> random.nextInt(capacity);
            default -> random.nextInt();
        };
    }

    @Override
    public void close()
    {
        Linux.munmap(address, geometry.fileLength());
        Linux.close(fd);
    }
}
