package io.shmbus.impl.liveness;

import io.shmbus.impl.layout.LockDescriptor;
import io.shmbus.impl.layout.PublisherSlotDescriptor;
import io.shmbus.impl.layout.RoundAreaDescriptor;
import io.shmbus.impl.layout.SubscriberSlotDescriptor;
import io.shmbus.impl.signal.DataSignal;
import io.shmbus.impl.signal.SpaceSignal;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One participant's view of who else is alive, and the repairs it makes when a dead peer is in its way.
 *
 * <p>Liveness is the kernel lock on each slot's lock byte, probed with {@code F_OFD_GETLK} through the
 * participant's own open file description: no heartbeat, no PID, no timeout. A stopped (SIGSTOP) or paused
 * process keeps its locks and is never repaired. Probes are system calls, so a participant makes them only
 * when something blocks it — a subscriber stuck at a claim that is not committed, a publisher that is
 * back-pressured or finds the cleaning lock held — and at most once per {@value #CHECK_INTERVAL_NS} ns.
 *
 * <p>Every repair of a slot happens under the allocation lock and with the dead slot's own lock taken, so
 * two repairers never act on the same slot and a slot that a new owner has just taken is never touched.
 */
public final class Liveness
{
    /** Least time between two liveness checks of one participant. */
    public static final long CHECK_INTERVAL_NS = 1_000_000;
    private static final Logger LOG = LoggerFactory.getLogger(Liveness.class);

    private final RingAccess ring;
    private final UnsafeBuffer control;
    private final LockHandle handle;
    private final long code;
    private final int maxPublishers;
    private final int maxSubscribers;
    private long nextCheckNs;

    /**
     * @param ring   the ring.
     * @param handle the participant's own lock handle.
     * @param code   the participant's cleanLock code: publisher index + 1, or -(subscriber index + 1).
     */
    public Liveness(final RingAccess ring, final LockHandle handle, final long code)
    {
        this.ring = ring;
        this.control = ring.control();
        this.handle = handle;
        this.code = code;
        this.maxPublishers = ring.maxPublishers();
        this.maxSubscribers = ring.maxSubscribers();
    }

    /**
     * @return true at most once per {@link #CHECK_INTERVAL_NS}.
     */
    public boolean due()
    {
        final long now = System.nanoTime();
        if (now - nextCheckNs < 0)
        {
            return false;
        }
        nextCheckNs = now + CHECK_INTERVAL_NS;
        return true;
    }

    /**
     * @param publisherIndex slot.
     * @return true when a live process holds that publisher slot's lock. A participant's own slot is always
     * alive: its lock is held through this very handle, which {@code F_OFD_GETLK} never reports.
     */
    public boolean isPublisherAlive(final int publisherIndex)
    {
        return code == publisherIndex + 1L ||
            handle.isHeldElsewhere(LockDescriptor.publisherLockOffset(publisherIndex));
    }

    /**
     * @param subscriberIndex slot.
     * @return true when a live process holds that subscriber slot's lock (always, for the participant's own).
     */
    public boolean isSubscriberAlive(final int subscriberIndex)
    {
        return code == -(subscriberIndex + 1L) ||
            handle.isHeldElsewhere(LockDescriptor.subscriberLockOffset(subscriberIndex));
    }

    /**
     * A subscriber is stuck at {@code position}: the record there is claimed (the tail is past it) but not
     * committed. Repair it if the publisher that claimed it is dead.
     *
     * @param position the stuck position.
     * @return true when something was repaired.
     */
    public boolean repairStuck(final long position)
    {
        boolean repaired = finishDeadRound();
        for (int i = 0; i < maxPublishers; i++)
        {
            final int slot = ring.publisherSlot(i);
            if (control.getIntVolatile(slot + PublisherSlotDescriptor.STATE_OFFSET) ==
                PublisherSlotDescriptor.STATE_FREE)
            {
                continue;
            }
            final long start = control.getLongVolatile(slot + PublisherSlotDescriptor.CLAIM_POSITION_OFFSET);
            // Negative: one padding record over a hole (Repair#repairClaim).
            final int extent = Math.abs(control.getInt(slot + PublisherSlotDescriptor.CLAIM_LENGTH_OFFSET));
            if (start <= position && position < start + extent && !isPublisherAlive(i))
            {
                repaired |= reclaimPublisher(i);
            }
        }
        return repaired;
    }

    /**
     * A publisher is leaving: turn what is uncommitted of its last claim into padding, as a repair would after its
     * death. A claim left neither committed nor aborted (an exception between {@code tryClaim} and
     * {@code commit}, or a close from another thread) would otherwise stop every reader at that record for good:
     * once the slot is free, no repair looks at it again.
     *
     * @param publisherIndex the leaving publisher's own slot.
     * @return the number of record parts turned into padding (0 when the last claim was committed or aborted).
     */
    public int abandonOwnClaim(final int publisherIndex)
    {
        final int repaired = Repair.repairClaim(ring, publisherIndex, handle);
        return Math.max(0, repaired);
    }

    /**
     * A publisher cannot make room: release what dead peers hold. Dead tethered subscribers are freed; dead
     * durable ones become detached (their position is kept, and they hold publishers back only up to their
     * hold limit); dead publishers' claims become padding; a dead cleaner's round is finished.
     *
     * @return true when something was released.
     */
    public boolean releaseBlockers()
    {
        return finishDeadRound() | sweepSlots();
    }

    /**
     * Repair every slot whose owner is dead (what {@link #releaseBlockers()} does, except finishing a dead
     * cleaner's round). Run when a topic is opened, so a topic whose participants all died is reclaimed then.
     *
     * @return true when something was released.
     */
    public boolean sweepSlots()
    {
        boolean released = false;
        for (int j = 0; j < maxSubscribers; j++)
        {
            final int slot = ring.subscriberSlot(j);
            if (control.getIntVolatile(slot + SubscriberSlotDescriptor.STATE_OFFSET) ==
                    SubscriberSlotDescriptor.STATE_ACTIVE &&
                !isSubscriberAlive(j))
            {
                released |= reclaimSubscriber(j);
            }
        }
        for (int i = 0; i < maxPublishers; i++)
        {
            final int slot = ring.publisherSlot(i);
            if (control.getIntVolatile(slot + PublisherSlotDescriptor.STATE_OFFSET) !=
                    PublisherSlotDescriptor.STATE_FREE &&
                !isPublisherAlive(i))
            {
                released |= reclaimPublisher(i);
            }
        }
        if (released)
        {
            SpaceSignal.wakeAll(control);
        }
        return released;
    }

    /**
     * Finish a cleaning round whose owner is dead.
     *
     * @return true when one was finished.
     */
    public boolean finishDeadRound()
    {
        final long word = ring.cleanLockValue();
        final int owner = RoundAreaDescriptor.lockCode(word);
        if (word == 0 || owner == code)
        {
            return false;
        }
        if (owner > maxPublishers || owner < -maxSubscribers)
        {
            throw ring.corrupt("cleanLock holds " + word + ", which names no publisher (1.." + maxPublishers +
                ") nor subscriber (-1..-" + maxSubscribers + ")");
        }
        final boolean alive = owner > 0 ? isPublisherAlive(owner - 1) : isSubscriberAlive(-owner - 1);
        if (alive)
        {
            return false;
        }
        // A step the dead owner had under way becomes a hole: it is zeroed and released when its slot is reclaimed
        // (under the slot's lock, so never the area of a participant that took the slot since).
        if (ring.takeOverRound(word, (int)code))
        {
            ring.control().getAndAddLong(io.shmbus.impl.layout.ControlDescriptor.REPAIRS_OFFSET, 1);
            LOG.warn("finished a cleaning round of {} left by dead participant code {}", ring.source(), owner);
            SpaceSignal.wakeAll(control);
            return true;
        }
        return false;
    }

    private boolean reclaimPublisher(final int index)
    {
        final long lock = LockDescriptor.publisherLockOffset(index);
        handle.lockAllocation();
        try
        {
            if (!handle.tryLock(lock))
            {
                return false; // alive after all, or another repairer holds it right now
            }
            final int slot = ring.publisherSlot(index);
            try
            {
                if (control.getIntVolatile(slot + PublisherSlotDescriptor.STATE_OFFSET) ==
                    PublisherSlotDescriptor.STATE_FREE)
                {
                    return false;
                }
                markRepairing(slot + PublisherSlotDescriptor.REPAIRING_OFFSET, index);
                if (!Repair.deadPublisher(ring, index, handle))
                {
                    return false; // undecided: a live publisher names its claim; a later check repairs it
                }
                DataSignal.wakeAll(control);
                return true;
            }
            finally
            {
                control.putIntVolatile(slot + PublisherSlotDescriptor.REPAIRING_OFFSET, 0);
                handle.unlock(lock);
            }
        }
        finally
        {
            handle.unlockAllocation();
        }
    }

    private boolean reclaimSubscriber(final int index)
    {
        final long lock = LockDescriptor.subscriberLockOffset(index);
        handle.lockAllocation();
        try
        {
            if (!handle.tryLock(lock))
            {
                return false;
            }
            final int slot = ring.subscriberSlot(index);
            try
            {
                if (control.getIntVolatile(slot + SubscriberSlotDescriptor.STATE_OFFSET) !=
                    SubscriberSlotDescriptor.STATE_ACTIVE)
                {
                    return false;
                }
                markRepairing(slot + SubscriberSlotDescriptor.REPAIRING_OFFSET, index);
                if (control.getInt(slot + SubscriberSlotDescriptor.POLICY_OFFSET) ==
                    SubscriberSlotDescriptor.POLICY_DURABLE)
                {
                    Repair.deadDurableSubscriber(ring, index);
                }
                else
                {
                    Repair.deadSubscriber(ring, index);
                }
                return true;
            }
            finally
            {
                control.putIntVolatile(slot + SubscriberSlotDescriptor.REPAIRING_OFFSET, 0);
                handle.unlock(lock);
            }
        }
        finally
        {
            handle.unlockAllocation();
        }
    }

    /**
     * A repairer holds the dead owner's lock from here until the slot is freed: the flag tells {@code status()},
     * which sees the lock held, that its holder is a repairer, not the owner.
     */
    private void markRepairing(final int flagOffset, final int index)
    {
        control.putIntVolatile(flagOffset, 1);
        if (io.shmbus.impl.faults.FaultPoints.ANY)
        {
            io.shmbus.impl.faults.FaultPoints.reach(io.shmbus.impl.faults.FaultPoints.REPAIRING, index);
        }
    }
}
