package io.shmbus.impl.liveness;

import io.shmbus.BusException;
import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.layout.LockDescriptor;
import io.shmbus.impl.layout.PublisherSlotDescriptor;
import io.shmbus.impl.platform.Linux;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Taking and giving back a topic's publisher slots.
 *
 * <p><b>Slots are owned by kernel locks.</b> To take a slot, a publisher takes the exclusive lock on the slot's
 * lock byte through its own open file description ({@link LockHandle}); a slot whose state is not free but whose
 * lock nobody holds belonged to a process that died, and is repaired ({@link Repair#deadPublisher}) and reused.
 * Both run under the topic's allocation lock (the caller holds it), so two processes never pick the same slot
 * and an exclusive publisher is never admitted beside another.
 */
public final class PublisherSlots
{
    private final RingAccess ring;
    private final UnsafeBuffer control;
    private final int maxPublishers;
    private final String topicName;

    /**
     * @param ring      the topic's ring.
     * @param topicName the topic's name, for messages.
     */
    public PublisherSlots(final RingAccess ring, final String topicName)
    {
        this.ring = ring;
        this.control = ring.control();
        this.maxPublishers = ring.maxPublishers();
        this.topicName = topicName;
    }

    /**
     * Take a free slot (or one a dead publisher left, repaired first) and make it active. The caller holds the
     * allocation lock; on return the handle holds the slot's lock.
     *
     * @param handle    the new publisher's lock handle.
     * @param exclusive whether it must be the only publisher.
     * @return the slot index.
     * @throws BusException when an exclusive publisher is attached, when one is asked for beside live publishers,
     *                      or when no slot is free.
     */
    public int allocate(final LockHandle handle, final boolean exclusive)
    {
        final int exclusiveOwner = control.getIntVolatile(ControlDescriptor.EXCLUSIVE_PUBLISHER_OFFSET) - 1;
        if (exclusiveOwner >= 0 && exclusiveOwner < maxPublishers &&
            handle.isHeldElsewhere(LockDescriptor.publisherLockOffset(exclusiveOwner)))
        {
            throw new BusException("topic " + topicName + " has an exclusive publisher (slot " + exclusiveOwner +
                ", pid " + control.getInt(ring.publisherSlot(exclusiveOwner) + PublisherSlotDescriptor.PID_OFFSET) +
                "): no other publisher may attach while it is attached");
        }
        int free = -1;
        int live = 0;
        for (int i = 0; i < maxPublishers; i++)
        {
            final int slot = ring.publisherSlot(i);
            final int state = control.getIntVolatile(slot + PublisherSlotDescriptor.STATE_OFFSET);
            final long lock = LockDescriptor.publisherLockOffset(i);
            if (state == PublisherSlotDescriptor.STATE_FREE)
            {
                if (free < 0 && handle.tryLock(lock))
                {
                    free = i;
                }
                continue;
            }
            if (handle.tryLock(lock))
            {
                // Its owner died without leaving: repair whatever it left in the ring, then reuse the slot; unless
                // the repair is undecided (a live publisher names its claim), then leave it for a later repair.
                if (!Repair.deadPublisher(ring, i, handle))
                {
                    handle.unlock(lock);
                    continue;
                }
                if (free < 0)
                {
                    free = i;
                }
                else
                {
                    handle.unlock(lock);
                }
                continue;
            }
            live++;
        }
        if (exclusive && live > 0)
        {
            if (free >= 0)
            {
                handle.unlock(LockDescriptor.publisherLockOffset(free));
            }
            throw new BusException("topic " + topicName + " has " + live + " publisher(s) attached: an exclusive " +
                "publisher must be the only one");
        }
        if (free < 0)
        {
            throw new BusException("topic " + topicName + " has no free publisher slot: all " + maxPublishers +
                " are taken by live publishers (raise maxPublishers when creating the topic)");
        }
        activate(free, exclusive);
        return free;
    }

    private void activate(final int index, final boolean exclusive)
    {
        final int slot = ring.publisherSlot(index);
        control.setMemory(slot, PublisherSlotDescriptor.LENGTH, (byte)0);
        control.putLong(slot + PublisherSlotDescriptor.CLAIM_POSITION_OFFSET, -1);
        control.putInt(slot + PublisherSlotDescriptor.MODE_OFFSET,
            exclusive ? PublisherSlotDescriptor.MODE_EXCLUSIVE : PublisherSlotDescriptor.MODE_SHARED);
        control.putInt(slot + PublisherSlotDescriptor.PID_OFFSET, Linux.getpid());
        control.putLong(slot + PublisherSlotDescriptor.ATTACHED_MS_OFFSET, System.currentTimeMillis());
        control.putIntVolatile(slot + PublisherSlotDescriptor.STATE_OFFSET, PublisherSlotDescriptor.STATE_ACTIVE);
        control.putIntVolatile(ControlDescriptor.EXCLUSIVE_PUBLISHER_OFFSET, exclusive ? index + 1 : 0);
        control.getAndAddInt(ControlDescriptor.PUBLISHER_COUNT_OFFSET, 1);
    }

    /**
     * Give a slot back: it is free, no longer the exclusive one, and out of the count. The caller holds the
     * allocation lock; it closes the handle (dropping the slot's lock) afterwards.
     *
     * @param index the slot index.
     */
    public void release(final int index)
    {
        final int slot = ring.publisherSlot(index);
        if (control.getInt(ControlDescriptor.EXCLUSIVE_PUBLISHER_OFFSET) == index + 1)
        {
            control.putIntVolatile(ControlDescriptor.EXCLUSIVE_PUBLISHER_OFFSET, 0);
        }
        control.putIntVolatile(slot + PublisherSlotDescriptor.STATE_OFFSET, PublisherSlotDescriptor.STATE_FREE);
        control.getAndAddInt(ControlDescriptor.PUBLISHER_COUNT_OFFSET, -1);
    }
}
