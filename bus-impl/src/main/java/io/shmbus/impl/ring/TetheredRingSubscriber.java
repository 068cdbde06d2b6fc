package io.shmbus.impl.ring;

import io.shmbus.impl.faults.FaultPoints;
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
 * A tethered (or durable) subscriber: publishers never pass its position, so the handler reads the message
 * straight out of the ring, with no copy and no check after the fact.
 *
 * <p>Reading at position p: load the length word with acquire. 0 or negative: nothing more to read yet
 * (never last lap's bytes: see {@link Ring}). Positive: validate it, then deliver. The position is advanced
 * before the handler runs and published with release in {@code finally}, so a throwing handler neither loses
 * the messages before it nor sees its own message again; and publishers see the new position only after the
 * handler is done with the bytes.
 */
public final class TetheredRingSubscriber extends RingSubscriber
{
    private final RingMessageHeader header;
    private final SpaceSignal spaceSignal;
    private final boolean durable;
    private long messageIndex;
    private long pendingLostMessages;
    private long pendingLostBytes;
    private long pendingLostFrom;

    /**
     * @param ring          the topic's ring.
     * @param subscriberId  the slot index.
     * @param startPosition where to start reading (a record boundary).
     * @param spaceSignal   wakes publishers sleeping for space.
     * @param waitStrategy  how to wait for messages.
     * @param liveness      finds and repairs dead publishers' claims.
     * @param onClose       releases the slot.
     */
    public TetheredRingSubscriber(
        final Ring ring,
        final int subscriberId,
        final long startPosition,
        final SpaceSignal spaceSignal,
        final WaitStrategy waitStrategy,
        final Liveness liveness,
        final Runnable onClose)
    {
        this(ring, subscriberId, startPosition, spaceSignal, waitStrategy, liveness, onClose, false, -1, null, 0, 0, 0);
    }

    /**
     * A durable subscriber: it keeps its message index in its slot, and reports a gap found when it resumed.
     *
     * @param ring          the topic's ring.
     * @param subscriberId  the slot index.
     * @param startPosition where to start reading (a record boundary).
     * @param spaceSignal   wakes publishers sleeping for space.
     * @param waitStrategy  how to wait for messages.
     * @param liveness      finds and repairs dead publishers' claims.
     * @param onClose       releases the slot.
     * @param durable       whether to keep the message index in the slot.
     * @param startIndex    messages in the stream before the start position.
     * @param lossHandler   told of the gap, if any, at the first poll.
     * @param lostMessages  messages skipped while away.
     * @param lostBytes     bytes skipped while away.
     * @param lostFrom      where the gap starts.
     */
    public TetheredRingSubscriber(
        final Ring ring,
        final int subscriberId,
        final long startPosition,
        final SpaceSignal spaceSignal,
        final WaitStrategy waitStrategy,
        final Liveness liveness,
        final Runnable onClose,
        final boolean durable,
        final long startIndex,
        final LossHandler lossHandler,
        final long lostMessages,
        final long lostBytes,
        final long lostFrom)
    {
        super(ring, subscriberId, startPosition, waitStrategy, lossHandler, liveness, onClose);
        this.durable = durable;
        this.messageIndex = startIndex;
        this.pendingLostMessages = lostMessages;
        this.pendingLostBytes = lostBytes;
        this.pendingLostFrom = lostFrom;
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
        if (pendingLostBytes != 0)
        {
            reportGap();
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
                // One cache line: the counts plainly, then the position with release (publishers read it). The index
                // goes first: killed between the two, a durable subscriber resumes at its old position and recounts
                // its index from the oldest record, or, lapped, reports as lost exactly what it was never given.
                control.putLong(slotOffset + SubscriberSlotDescriptor.DELIVERED_OFFSET, delivered);
                if (durable)
                {
                    messageIndex += count;
                    control.putLong(slotOffset + SubscriberSlotDescriptor.MESSAGE_INDEX_OFFSET, messageIndex);
                    if (FaultPoints.ANY)
                    {
                        FaultPoints.reach(FaultPoints.POLL_END, position);
                    }
                }
                control.putLongRelease(slotOffset + SubscriberSlotDescriptor.POSITION_OFFSET, position);
                spaceSignal.afterConsume();
            }
        }
        return count;
    }

    private void reportGap()
    {
        final long messages = pendingLostMessages;
        final long bytes = pendingLostBytes;
        pendingLostMessages = 0;
        pendingLostBytes = 0;
        recordLoss(messages, bytes, pendingLostFrom, pendingLostFrom + bytes);
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
