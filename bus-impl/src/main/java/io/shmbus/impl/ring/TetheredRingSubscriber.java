package io.shmbus.impl.ring;

import io.shmbus.impl.signal.SpaceSignal;
import io.shmbus.MessageHandler;
import io.shmbus.WaitStrategy;
import io.shmbus.impl.layout.SubscriberSlotDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import static io.shmbus.impl.layout.RecordDescriptor.KIND_MESSAGE;
import static io.shmbus.impl.layout.RecordDescriptor.KIND_OFFSET;

/**
 * A tethered (or durable) subscriber: publishers never pass its position, so the handler reads the message
 * straight out of the ring, with no copy and no check after the fact.
 *
 * <p>Reading at position p: load the length word with acquire. 0 or negative: nothing more to read yet
 * (never last lap's bytes: see {@link Ring}). Positive: validate it, then deliver. The position is advanced
 * before the handler runs and published with release in {@code finally}, so a throwing handler neither loses
 * the messages before it nor sees its own message again; and publishers see the new position only after the
 * handler is done with the bytes.
 */
public class TetheredRingSubscriber extends RingSubscriber
{
    private final RingMessageHeader header;
    private final SpaceSignal spaceSignal;
    protected long position;
    protected long delivered;

    /**
     * @param ring          the topic's ring.
     * @param subscriberId  the slot index.
     * @param startPosition where to start reading (a record boundary).
     * @param spaceSignal   wakes publishers sleeping for space.
     * @param waitStrategy  how to wait for messages.
     * @param onClose       releases the slot.
     */
    public TetheredRingSubscriber(
        final Ring ring,
        final int subscriberId,
        final long startPosition,
        final SpaceSignal spaceSignal,
        final WaitStrategy waitStrategy,
        final Runnable onClose)
    {
        super(ring, subscriberId, waitStrategy, onClose);
        this.header = new RingMessageHeader(ring.timestamps);
        this.position = startPosition;
        this.delivered = control.getLong(slotOffset + SubscriberSlotDescriptor.DELIVERED_OFFSET);
        this.spaceSignal = spaceSignal;
    }

    @Override
    public int poll(final MessageHandler handler, final int messageLimit)
    {
        if (isClosed())
        {
            return 0;
        }
        final UnsafeBuffer data = this.data;
        final int mask = this.mask;
        final int headerLength = this.headerLength;
        final long start = this.position;
        final long end = start + capacity; // bounded work: at most one ring's worth per poll
        long position = start;
        int count = 0;
        try
        {
            while (count < messageLimit && position < end)
            {
                final int index = (int)position & mask;
                final int length = data.getIntVolatile(index);
                if (length <= 0)
                {
                    break;
                }
                final int aligned = ring.checkRecord(index, length, position);
                final long next = position + aligned;
                if (data.getShort(index + KIND_OFFSET) != KIND_MESSAGE)
                {
                    position = next;
                    continue;
                }
                header.set(data, index, position, next, length - headerLength);
                position = next;
                count++;
                handler.onMessage(data, index + headerLength, length - headerLength, header);
            }
        }
        finally
        {
            if (position != start)
            {
                this.position = position;
                delivered += count;
                control.putLongRelease(slotOffset + SubscriberSlotDescriptor.POSITION_OFFSET, position);
                control.putLongRelease(slotOffset + SubscriberSlotDescriptor.DELIVERED_OFFSET, delivered);
                spaceSignal.afterConsume();
            }
        }
        return count;
    }

    @Override
    public long position()
    {
        return position;
    }

    @Override
    public long deliveredMessages()
    {
        return delivered;
    }

    @Override
    public long lostMessages()
    {
        return 0;
    }

    @Override
    public long lostBytes()
    {
        return 0;
    }

    @Override
    protected boolean hasWork()
    {
        return data.getIntVolatile((int)position & mask) > 0;
    }
}
