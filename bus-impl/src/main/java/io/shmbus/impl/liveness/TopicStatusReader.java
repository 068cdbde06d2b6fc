package io.shmbus.impl.liveness;

import io.shmbus.SubscriberOptions;
import io.shmbus.TopicStatus;
import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.layout.LockDescriptor;
import io.shmbus.impl.layout.PublisherSlotDescriptor;
import io.shmbus.impl.layout.SubscriberSlotDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

import static io.shmbus.impl.layout.SubscriberSlotDescriptor.POLICY_DURABLE;
import static io.shmbus.impl.layout.SubscriberSlotDescriptor.POLICY_OFFSET;
import static io.shmbus.impl.layout.SubscriberSlotDescriptor.POLICY_UNTETHERED;
import static io.shmbus.impl.layout.SubscriberSlotDescriptor.POSITION_OFFSET;

/**
 * A topic's status read from its control region: every slot that is not free, with whether its owner is alive
 * (probed through the kernel lock, not trusted from the pid), and the topic's counters. Read without the
 * allocation lock: a snapshot of racing counters, each one read whole.
 */
public final class TopicStatusReader
{
    private final RingAccess ring;
    private final UnsafeBuffer control;
    private final String topicName;

    /**
     * @param ring      the topic's ring.
     * @param topicName the topic's name.
     */
    public TopicStatusReader(final RingAccess ring, final String topicName)
    {
        this.ring = ring;
        this.control = ring.control();
        this.topicName = topicName;
    }

    /**
     * @param handle a lock handle of the reader's own, to probe the slots' locks.
     * @return the status.
     */
    public TopicStatus read(final LockHandle handle)
    {
        final long tail = ring.tail();
        return new TopicStatus(
            topicName,
            tail,
            ring.cleanLimit() - ring.capacity(),
            ring.capacity(),
            control.getLongVolatile(ControlDescriptor.REPAIRS_OFFSET),
            control.getLongVolatile(ControlDescriptor.RECLAIMS_OFFSET),
            List.copyOf(publishers(handle)),
            List.copyOf(subscribers(handle, tail)),
            control.getLongVolatile(ControlDescriptor.TAKEOVERS_OFFSET),
            control.getLongVolatile(ControlDescriptor.CLEAN_HOLES_OFFSET),
            control.getLongVolatile(ControlDescriptor.DEMOTIONS_OFFSET));
    }

    private List<TopicStatus.PublisherStatus> publishers(final LockHandle handle)
    {
        final List<TopicStatus.PublisherStatus> publishers = new ArrayList<>();
        final int exclusive = control.getIntVolatile(ControlDescriptor.EXCLUSIVE_PUBLISHER_OFFSET) - 1;
        for (int i = 0; i < ring.maxPublishers(); i++)
        {
            final int slot = ring.publisherSlot(i);
            final int state = control.getIntVolatile(slot + PublisherSlotDescriptor.STATE_OFFSET);
            if (state == PublisherSlotDescriptor.STATE_FREE)
            {
                continue;
            }
            final boolean isExclusive = exclusive == i;
            final long published = isExclusive ?
                control.getLongVolatile(slot + PublisherSlotDescriptor.PUBLISHED_MESSAGES_OFFSET) : -1;
            final long wakesIssued = control.getLongVolatile(slot + PublisherSlotDescriptor.WAKES_ISSUED_OFFSET);
            publishers.add(new TopicStatus.PublisherStatus(
                i,
                control.getInt(slot + PublisherSlotDescriptor.PID_OFFSET),
                isAlive(handle, LockDescriptor.publisherLockOffset(i),
                    slot + PublisherSlotDescriptor.REPAIRING_OFFSET),
                isExclusive,
                published,
                control.getLongVolatile(slot + PublisherSlotDescriptor.BACK_PRESSURED_OFFSET),
                wakesIssued,
                // Every commit either wakes or finds nobody asleep: skipped ones need no counter of their own.
                isExclusive ? Math.max(0, published - wakesIssued) : -1,
                control.getLongVolatile(slot + PublisherSlotDescriptor.ADMIN_ACTIONS_OFFSET)));
        }
        return publishers;
    }

    private List<TopicStatus.SubscriberStatus> subscribers(final LockHandle handle, final long tail)
    {
        final List<TopicStatus.SubscriberStatus> subscribers = new ArrayList<>();
        for (int j = 0; j < ring.maxSubscribers(); j++)
        {
            final int slot = ring.subscriberSlot(j);
            final int state = control.getIntVolatile(slot + SubscriberSlotDescriptor.STATE_OFFSET);
            if (state == SubscriberSlotDescriptor.STATE_FREE)
            {
                continue;
            }
            final int policy = control.getInt(slot + POLICY_OFFSET);
            final long position = control.getLongVolatile(slot + POSITION_OFFSET);
            subscribers.add(new TopicStatus.SubscriberStatus(
                j,
                control.getInt(slot + SubscriberSlotDescriptor.PID_OFFSET),
                isAlive(handle, LockDescriptor.subscriberLockOffset(j),
                    slot + SubscriberSlotDescriptor.REPAIRING_OFFSET),
                state == SubscriberSlotDescriptor.STATE_DETACHED ? "detached" : "active",
                policy == POLICY_UNTETHERED ? SubscriberOptions.Policy.UNTETHERED :
                    policy == POLICY_DURABLE ? SubscriberOptions.Policy.DURABLE : SubscriberOptions.Policy.TETHERED,
                policy == POLICY_DURABLE ? SubscriberSlots.slotName(control, slot) : null,
                position,
                Math.max(0, tail - position),
                control.getLongVolatile(slot + SubscriberSlotDescriptor.DELIVERED_OFFSET),
                control.getLongVolatile(slot + SubscriberSlotDescriptor.LOST_MESSAGES_OFFSET),
                control.getLongVolatile(slot + SubscriberSlotDescriptor.WAITS_OFFSET),
                control.getLongVolatile(slot + SubscriberSlotDescriptor.WAIT_TIMEOUTS_OFFSET),
                control.getIntVolatile(slot + SubscriberSlotDescriptor.DEMOTED_OFFSET) != 0));
        }
        return subscribers;
    }

    /**
     * A slot's owner is alive when another open file description holds its lock and that holder is not a repairer
     * (which marks the slot before it works on it and clears the mark before it lets the lock go).
     */
    private boolean isAlive(final LockHandle handle, final long lockOffset, final int repairingOffset)
    {
        return handle.isHeldElsewhere(lockOffset) && control.getIntVolatile(repairingOffset) == 0;
    }
}
