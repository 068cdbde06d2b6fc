package io.shmbus.impl.ring;

import io.shmbus.impl.liveness.Liveness;
import io.shmbus.impl.signal.SpaceSignal;
import io.shmbus.LossHandler;
import io.shmbus.MessageHandler;
import io.shmbus.WaitStrategy;
import io.shmbus.impl.layout.SubscriberSlotDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import static io.shmbus.impl.layout.RecordDescriptor.KIND_MESSAGE;
import static io.shmbus.impl.layout.RecordDescriptor.KIND_OFFSET;

/**
 * A tethered subscriber: publishers never pass its position, so the handler reads the message
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

    /**
     * @param ring          the topic's ring.
     * @param subscriberId  the slot index.
     * @param startPosition where to start reading (a record boundary).
     * @param spaceSignal   wakes publishers sleeping for space.
     * @param waitStrategy  how to wait for messages.
     * @param lossHandler   told of a loss, if any (a tethered subscriber loses nothing while attached).
     * @param liveness      finds and repairs dead publishers' claims.
     * @param onClose       releases the slot.
     */
    public TetheredRingSubscriber(
        final Ring ring,
        final int subscriberId,
        final long startPosition,
        final SpaceSignal spaceSignal,
        final WaitStrategy waitStrategy,
        final LossHandler lossHandler,
        final Liveness liveness,
        final Runnable onClose)
    {
        super(ring, subscriberId, startPosition, waitStrategy, lossHandler, liveness, onClose);
        this.header = new RingMessageHeader(data, headerLength, ring.timestamps);
        this.spaceSignal = spaceSignal;
    }

    @Override
    public int poll(final MessageHandler handler, final int messageLimit)
    {
        try
        {
            return pollRing(handler, messageLimit);
        }
        catch (final InternalError error)
        {
            throw ring.memoryFault(error); // a SIGBUS on the mapping: the file was truncated
        }
    }

    private int pollRing(final MessageHandler handler, final int messageLimit)
    {
        if (isClosed())
        {
            return 0;
        }
        final UnsafeBuffer data = this.data;
        final ReadOnlyBuffer view = ring.handlerView;
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
                    checkStuck(position, false);
                    break;
                }
                final short kind = data.getShort(index + KIND_OFFSET);
                final int aligned = ring.checkRecord(index, length, kind, position);
                final long next = position + aligned;
                if (kind != KIND_MESSAGE)
                {
                    position = next;
                    continue;
                }
                header.set(index, position, length - headerLength);
                position = next;
                count++;
                handler.onMessage(view, index + headerLength, length - headerLength, header);
            }
        }
        finally
        {
            if (position != start)
            {
                this.position = position;
                delivered += count;
                // One cache line: the counts plainly, then the position with release (publishers read it).
                control.putLong(slotOffset + SubscriberSlotDescriptor.DELIVERED_OFFSET, delivered);
                beforePositionStored(count, position);
                control.putLongRelease(slotOffset + SubscriberSlotDescriptor.POSITION_OFFSET, position);
                spaceSignal.afterConsume();
            }
        }
        return count;
    }

    /**
     * Called once per poll that moved, after the delivered count and before the position is stored with release:
     * where a durable subscriber keeps its message index (see {@link DurableRingSubscriber}). Nothing here.
     *
     * @param count    messages delivered by this poll.
     * @param position the position about to be stored.
     */
    protected void beforePositionStored(final int count, final long position)
    {
    }

    @Override
    protected boolean hasWork(final boolean force)
    {
        if (data.getIntVolatile((int)position & mask) > 0)
        {
            return true;
        }
        checkStuck(position, force);
        return false;
    }
}
