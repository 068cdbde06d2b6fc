package io.shmbus.impl.ring;

import io.shmbus.impl.liveness.Liveness;
import io.shmbus.impl.signal.DataSignal;
import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.layout.PublisherSlotDescriptor;

import static io.shmbus.impl.layout.RecordDescriptor.ALIGNMENT;

/**
 * The topic's only writer: it owns the tail, so a claim is a plain computation and one release store, with
 * no compare-and-swap. Attaching one excludes every other publisher (see the topic's attach rules).
 *
 * <p>Order within a claim: the claim's start and length go into the publisher's slot (plain stores), then the
 * tail is released; the header's length word stays 0 until the commit (no in-progress {@code -length}: with a
 * single writer the slot alone settles a repair). Anyone who sees the new tail and the writer gone (a repair)
 * finds the claim's extent in the slot; and the bytes at and past the tail stay zero, as every reader relies on.
 * Per message: two slot stores, the tail, the body, type and publisher id, the commit, and two plain loads of
 * the waiter words (see {@link DataSignal#afterCommit()}).
 */
public final class ExclusiveRingPublisher extends RingPublisher
{
    /**
     * The published count in the slot is for display: it is stored every {@code PUBLISHED_FLUSH_MASK + 1} claims,
     * when the publisher is back-pressured and when it closes, so {@code stat} may show up to that many fewer.
     */
    static final int PUBLISHED_FLUSH_MASK = 63;

    private long tail;
    private long published;

    /**
     * @param ring        the topic's ring.
     * @param publisherId this publisher's slot index.
     * @param signal      wakes sleeping subscribers after a commit.
     * @param liveness    finds and repairs dead peers in the way.
     * @param onClose     releases the slot.
     */
    public ExclusiveRingPublisher(
        final Ring ring,
        final int publisherId,
        final DataSignal signal,
        final Liveness liveness,
        final Runnable onClose)
    {
        super(ring, publisherId, signal, liveness, onClose, false);
        this.tail = ring.checkPosition(ring.tail(), "tail");
        this.published = control.getLong(slotOffset + PublisherSlotDescriptor.PUBLISHED_MESSAGES_OFFSET);
    }

    @Override
    protected long claim(final int recordLength)
    {
        if (requireSubscriber && control.getIntVolatile(ControlDescriptor.SUBSCRIBER_COUNT_OFFSET) == 0)
        {
            return NOT_CONNECTED;
        }
        final int aligned = align(recordLength);
        final int slotOffset = this.slotOffset;
        long tail;
        int index;
        int padding;
        long end;
        while (true)
        {
            tail = this.tail;
            index = (int)tail & mask;
            final int toEnd = capacity - index;
            padding = aligned > toEnd ? toEnd : 0;
            end = tail + padding + aligned;
            if (end <= limitCache - ALIGNMENT)
            {
                break;
            }
            final long status = makeRoom(tail, end);
            if (status < 0)
            {
                return status;
            }
            if (status != PAD)
            {
                break;
            }
            // One padding record over a hole; the slot names it with a negative length (see the repair).
            final int length = (int)(padTo - tail);
            control.putLong(slotOffset + PublisherSlotDescriptor.CLAIM_POSITION_OFFSET, tail);
            control.putInt(slotOffset + PublisherSlotDescriptor.CLAIM_LENGTH_OFFSET, -length);
            control.putLongRelease(ControlDescriptor.TAIL_OFFSET, padTo);
            writeHolePadding(index, length);
            this.tail = padTo;
        }

        control.putLong(slotOffset + PublisherSlotDescriptor.CLAIM_POSITION_OFFSET, tail);
        control.putInt(slotOffset + PublisherSlotDescriptor.CLAIM_LENGTH_OFFSET, (int)(end - tail));
        control.putLongRelease(ControlDescriptor.TAIL_OFFSET, end);
        placeClaim(tail, index, padding, recordLength);
        if ((++published & PUBLISHED_FLUSH_MASK) == 0)
        {
            control.putLong(slotOffset + PublisherSlotDescriptor.PUBLISHED_MESSAGES_OFFSET, published);
        }
        this.tail = end;
        return end;
    }

    @Override
    protected void flushCounters()
    {
        control.putLongRelease(slotOffset + PublisherSlotDescriptor.PUBLISHED_MESSAGES_OFFSET, published);
    }
}
