package io.shmbus.impl.ring;

import io.shmbus.impl.faults.FaultPoints;
import io.shmbus.impl.liveness.Liveness;
import io.shmbus.impl.signal.DataSignal;
import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.layout.PublisherSlotDescriptor;

import static io.shmbus.impl.layout.RecordDescriptor.ALIGNMENT;

/**
 * One of several writers: claims are taken by a compare-and-swap on the tail, which orders them.
 *
 * <p>Before each CAS the publisher stores in its slot the tail it is about to swap from and the length it
 * asks for. The CAS is a full fence, so if the publisher dies right after a successful CAS, before it wrote a
 * single byte of the record, its slot still tells a repair where the claim starts and how long it is.
 */
public final class SharedRingPublisher extends RingPublisher
{
    /**
     * @param ring        the topic's ring.
     * @param publisherId this publisher's slot index.
     * @param signal      wakes sleeping subscribers after a commit.
     * @param liveness    finds and repairs dead peers in the way.
     * @param onClose     releases the slot.
     */
    public SharedRingPublisher(
        final Ring ring,
        final int publisherId,
        final DataSignal signal,
        final Liveness liveness,
        final Runnable onClose)
    {
        super(ring, publisherId, signal, liveness, onClose, true);
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
        long end;
        int index;
        int padding;
        while (true)
        {
            tail = ring.checkPosition(control.getLongVolatile(ControlDescriptor.TAIL_OFFSET), "tail");
            index = (int)tail & mask;
            final int toEnd = capacity - index;
            padding = aligned > toEnd ? toEnd : 0;
            end = tail + padding + aligned;
            if (end > limitCache - ALIGNMENT)
            {
                final long status = makeRoom(tail, end);
                if (status < 0)
                {
                    return status;
                }
                if (status == PAD)
                {
                    padOverHole(tail, index, padTo);
                }
                continue;
            }
            control.putLong(slotOffset + PublisherSlotDescriptor.CLAIM_POSITION_OFFSET, tail);
            control.putInt(slotOffset + PublisherSlotDescriptor.CLAIM_LENGTH_OFFSET, (int)(end - tail));
            if (FaultPoints.ANY)
            {
                FaultPoints.reach(FaultPoints.BEFORE_CAS, tail);
            }
            if (control.compareAndSetLong(ControlDescriptor.TAIL_OFFSET, tail, end))
            {
                break;
            }
            if (FaultPoints.ANY)
            {
                FaultPoints.reach(FaultPoints.AFTER_FAILED_CAS, tail);
            }
        }

        placeClaim(tail, index, padding, recordLength);
        return end;
    }

    /**
     * Claim {@code [tail, padEnd)} as one padding record over a hole. The slot names it with a negative length, so
     * a repair after this publisher's death pads it as one record too (never writing a header inside the hole).
     */
    private void padOverHole(final long tail, final int index, final long padEnd)
    {
        final int length = (int)(padEnd - tail);
        control.putLong(slotOffset + PublisherSlotDescriptor.CLAIM_POSITION_OFFSET, tail);
        control.putInt(slotOffset + PublisherSlotDescriptor.CLAIM_LENGTH_OFFSET, -length);
        if (control.compareAndSetLong(ControlDescriptor.TAIL_OFFSET, tail, padEnd))
        {
            writeHolePadding(index, length);
        }
    }
}
