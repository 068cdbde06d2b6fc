package io.shmbus.impl.ring;

import io.shmbus.LossHandler;
import io.shmbus.MessageHandler;
import io.shmbus.WaitStrategy;
import io.shmbus.impl.faults.FaultPoints;
import io.shmbus.impl.layout.SubscriberSlotDescriptor;
import io.shmbus.impl.liveness.Liveness;
import io.shmbus.impl.signal.SpaceSignal;

/**
 * A durable subscriber: a tethered reader whose place outlives its process. Besides its position it keeps, in its
 * slot, its message index (the messages in the stream before its position), so that when it returns after
 * publishers reused the ring over what it had not read (it was away past its hold limit) the gap is counted
 * exactly; and it tells its loss handler of that gap at its first poll.
 *
 * <p>After each poll that moved, the index is stored before the position: killed between the two, the subscriber
 * resumes at its old position with an index that already counts the batch it will be given again, and the join
 * counts the index again from the oldest record ({@link SubscriberJoin}); lapped, it keeps the stored index and
 * reports as lost exactly what it was never given.
 */
public final class DurableRingSubscriber extends TetheredRingSubscriber
{
    private long messageIndex;
    private long pendingLostMessages;
    private long pendingLostBytes;
    private final long pendingLostFrom;

    /**
     * @param ring          the topic's ring.
     * @param subscriberId  the slot index.
     * @param startPosition where to start reading (a record boundary).
     * @param startIndex    messages in the stream before the start position.
     * @param spaceSignal   wakes publishers sleeping for space.
     * @param waitStrategy  how to wait for messages.
     * @param lossHandler   told of the gap, if any, at the first poll.
     * @param liveness      finds and repairs dead publishers' claims.
     * @param onClose       marks the slot detached.
     * @param gap           what was overwritten while it was away (an empty gap when nothing was).
     */
    DurableRingSubscriber(
        final Ring ring,
        final int subscriberId,
        final long startPosition,
        final long startIndex,
        final SpaceSignal spaceSignal,
        final WaitStrategy waitStrategy,
        final LossHandler lossHandler,
        final Liveness liveness,
        final Runnable onClose,
        final JoinGap gap)
    {
        super(ring, subscriberId, startPosition, spaceSignal, waitStrategy, lossHandler, liveness, onClose);
        this.messageIndex = startIndex;
        this.pendingLostMessages = gap.messages();
        this.pendingLostBytes = gap.bytes();
        this.pendingLostFrom = gap.from();
    }

    @Override
    public int poll(final MessageHandler handler, final int messageLimit)
    {
        if (pendingLostBytes != 0 && !isClosed())
        {
            try
            {
                reportGap();
            }
            catch (final InternalError error)
            {
                throw ring.memoryFault(error); // a SIGBUS on the mapping: the file was truncated
            }
        }
        return super.poll(handler, messageLimit);
    }

    @Override
    protected void beforePositionStored(final int count, final long position)
    {
        messageIndex += count;
        control.putLong(slotOffset + SubscriberSlotDescriptor.MESSAGE_INDEX_OFFSET, messageIndex);
        if (FaultPoints.ANY)
        {
            FaultPoints.reach(FaultPoints.POLL_END, position);
        }
    }

    private void reportGap()
    {
        final long messages = pendingLostMessages;
        final long bytes = pendingLostBytes;
        pendingLostMessages = 0;
        pendingLostBytes = 0;
        recordLoss(messages, bytes, pendingLostFrom, pendingLostFrom + bytes);
    }
}
