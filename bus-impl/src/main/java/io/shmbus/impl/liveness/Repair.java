package io.shmbus.impl.liveness;

import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.layout.LockDescriptor;
import io.shmbus.impl.layout.PublisherSlotDescriptor;
import io.shmbus.impl.layout.RecordDescriptor;
import io.shmbus.impl.layout.RoundAreaDescriptor;
import io.shmbus.impl.layout.SubscriberSlotDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repairs what a dead participant leaves behind. Death is known from the kernel lock on the participant's
 * slot byte: a stopped or paused process still holds it and is never touched.
 *
 * <h2>A publisher that died holding a claim</h2>
 * Every claim stores its start and extent in the publisher's slot before the tail moves (shared: before the
 * CAS, exclusive: before the release store of the tail), so the extent is known even when the publisher died
 * before writing a single header byte; it never has to be guessed from payload bytes. A claim is
 * {@code [claimPosition, claimPosition + claimLength)}: when it wraps, a padding part up to the ring's end and
 * the record at index 0; otherwise the record alone.
 *
 * <p>The slot may describe a CAS that failed (another publisher took the same tail value). The winner's slot
 * then holds the same claimPosition until the winner has committed (a publisher is single-threaded: it commits
 * before it claims again). But a live publisher's slot also names a position it has only read from the tail and
 * is about to fail to CAS from (it may be stopped right there, between the two). The two cannot be told apart,
 * so while a part of the claim is uncommitted and another slot naming the same position has a live owner, the
 * repair is undecided: nothing is done and the dead slot is kept, to be repaired by a later check once that
 * owner has committed or moved on (freeing the slot would leave the claim, if it was the dead publisher's,
 * uncommitted for ever). Each part is only turned into padding if its length word is 0 (nobody wrote a header)
 * or the {@code -length} of exactly this extent, with a CAS, so a repair never overwrites a committed record nor
 * a live writer's header.
 */
public final class Repair
{
    private static final Logger LOG = LoggerFactory.getLogger(Repair.class);

    private Repair()
    {
    }

    /** Returned by {@link #repairClaim}: a live publisher may own the claim; nothing was done, try again later. */
    public static final int UNDECIDED = -1;

    /**
     * Make a dead publisher's slot free, repairing its claim first. The caller holds the slot's lock and the
     * allocation lock.
     *
     * @param ring  the ring.
     * @param index the dead publisher's slot.
     * @param probe a lock handle to probe other slots' owners with.
     * @return true when the slot was freed; false when the repair of its claim is {@link #UNDECIDED} and the slot
     * was kept as it is.
     */
    public static boolean deadPublisher(final RingAccess ring, final int index, final LockHandle probe)
    {
        final UnsafeBuffer control = ring.control();
        final int slot = ring.publisherSlot(index);
        final long roundWord = ring.cleanLockValue();
        // A step it had under way is over; a hole it left is zeroed and released (we hold its slot lock).
        ring.clearDeadRoundArea(index + 1);
        // It died cleaning; its slot lock is ours, so is the round: carried on in its own round area.
        if (RoundAreaDescriptor.lockCode(roundWord) == index + 1 && ring.takeOverRound(roundWord, index + 1))
        {
            control.getAndAddLong(ControlDescriptor.REPAIRS_OFFSET, 1);
            LOG.warn("finished the cleaning round that dead publisher slot {} of {} left", index, ring.source());
        }
        final int repaired = repairClaim(ring, index, probe);
        if (repaired == UNDECIDED)
        {
            LOG.debug("publisher slot {} of {} is dead, but a live publisher names the position of its last claim: " +
                "kept for a later repair", index, ring.source());
            return false;
        }
        if (control.getInt(ControlDescriptor.EXCLUSIVE_PUBLISHER_OFFSET) == index + 1)
        {
            control.putIntVolatile(ControlDescriptor.EXCLUSIVE_PUBLISHER_OFFSET, 0);
        }
        if (control.getIntVolatile(slot + PublisherSlotDescriptor.BLOCKING_OFFSET) != 0)
        {
            control.putIntVolatile(slot + PublisherSlotDescriptor.BLOCKING_OFFSET, 0);
            control.getAndAddInt(ControlDescriptor.BLOCKING_PUBLISHERS_OFFSET, -1);
        }
        if (control.getIntVolatile(slot + PublisherSlotDescriptor.SLEEPING_OFFSET) != 0)
        {
            control.putIntVolatile(slot + PublisherSlotDescriptor.SLEEPING_OFFSET, 0);
            control.getAndAddInt(ControlDescriptor.SPACE_WAITERS_OFFSET, -1);
        }
        control.putIntVolatile(slot + PublisherSlotDescriptor.STATE_OFFSET, PublisherSlotDescriptor.STATE_FREE);
        control.getAndAddInt(ControlDescriptor.PUBLISHER_COUNT_OFFSET, -1);
        settleWaiters(ring, ControlDescriptor.SPACE_WAITERS_OFFSET, false);
        control.getAndAddLong(ControlDescriptor.RECLAIMS_OFFSET, 1);
        LOG.warn("publisher slot {} of {} (pid {}) died attached; {} part(s) of its last claim repaired into padding",
            index, ring.source(), control.getInt(slot + PublisherSlotDescriptor.PID_OFFSET), repaired);
        return true;
    }

    /**
     * Turn what is uncommitted of a dead publisher's last claim into padding.
     *
     * @param ring  the ring.
     * @param index the dead publisher's slot (its owner is known dead).
     * @param probe a lock handle to probe other slots' owners with.
     * @return the number of record parts turned into padding, or {@link #UNDECIDED}.
     */
    public static int repairClaim(final RingAccess ring, final int index, final LockHandle probe)
    {
        final UnsafeBuffer control = ring.control();
        final int slot = ring.publisherSlot(index);
        final long start = control.getLongVolatile(slot + PublisherSlotDescriptor.CLAIM_POSITION_OFFSET);
        final int stored = control.getInt(slot + PublisherSlotDescriptor.CLAIM_LENGTH_OFFSET);
        // Negative: the claim is one padding record over a hole, which may run past the ring's end.
        final boolean single = stored < 0;
        final int extent = single ? -stored : stored;
        final int capacity = ring.capacity();
        if (start < 0 || extent < RecordDescriptor.ALIGNMENT || extent > (single ? capacity : capacity / 2) ||
            (extent & (RecordDescriptor.ALIGNMENT - 1)) != 0 || (start & (RecordDescriptor.ALIGNMENT - 1)) != 0)
        {
            return 0;
        }
        // A part below the oldest retained record is gone: a cleaning round walked it, so it was committed, and
        // its bytes may hold a later lap now. Each part is checked on its own: a round walks over a wrap padding
        // that was committed and stops at the claim's record, which is not.
        final long oldest = ring.cleanLimit() - capacity;
        if (start + extent <= oldest || start + extent > ring.tail())
        {
            return 0; // long gone, or a CAS that never happened
        }
        final int startIndex = (int)start & (capacity - 1);
        final boolean wraps = !single && startIndex + extent > capacity;
        final int padding = wraps ? capacity - startIndex : 0;
        final boolean padFirst = wraps && start >= oldest && isUncommitted(ring, startIndex, padding);
        final boolean padRecord = isUncommitted(ring, wraps ? 0 : startIndex, extent - padding);
        if (!padFirst && !padRecord)
        {
            return 0; // committed before the owner died, or not this claim's
        }
        for (int i = 0; i < ring.maxPublishers(); i++)
        {
            if (i != index &&
                control.getLongVolatile(ring.publisherSlot(i) + PublisherSlotDescriptor.CLAIM_POSITION_OFFSET) ==
                    start &&
                control.getIntVolatile(ring.publisherSlot(i) + PublisherSlotDescriptor.STATE_OFFSET) !=
                    PublisherSlotDescriptor.STATE_FREE &&
                probe.isHeldElsewhere(LockDescriptor.publisherLockOffset(i)))
            {
                return UNDECIDED; // a live publisher names the same position: it won the CAS, or will fail it
            }
        }
        if (ring.data().getIntVolatile(wraps ? 0 : startIndex) == 0 &&
            (!wraps || ring.data().getIntVolatile(startIndex) == 0))
        {
            final long winner = winningEnd(ring, start, probe);
            if (winner >= 0 && winner != start + extent)
            {
                return 0; // another dead publisher's claim at this position won the tail: this one's CAS failed
            }
        }
        int repaired = 0;
        if (padFirst)
        {
            repaired += pad(ring, startIndex, padding, index) ? 1 : 0;
        }
        if (padRecord)
        {
            repaired += pad(ring, wraps ? 0 : startIndex, extent - padding, index) ? 1 : 0;
        }
        if (repaired > 0)
        {
            control.getAndAddLong(ControlDescriptor.REPAIRS_OFFSET, repaired);
            ring.afterRepair();
        }
        return repaired;
    }

    /**
     * Several dead publishers' slots may name the same claim position with different lengths: all read the same
     * tail, one won the CAS and died before writing a header, the others failed the CAS and died before naming
     * another position. Which one won is settled by what lies after each candidate's end: the winner's end is where
     * the stream goes on (it is the tail, or a later claim's header has been written there, or a later claimant's
     * slot names it), while every shorter loser's end falls inside the winner's claim, where nothing was written and
     * which no slot can name (the tail jumped over it). So the winner is the candidate with the shortest end that
     * shows one of those signs; a longer loser's end may show one by chance, but a shorter one is always found first.
     *
     * @return the end of the claim that won the tail at {@code start}, or -1 when no candidate shows a sign (the repair
     * is then left to the candidates' own checks).
     */
    static long winningEnd(final RingAccess ring, final long start, final LockHandle probe)
    {
        final UnsafeBuffer control = ring.control();
        final int maxPublishers = ring.maxPublishers();
        final long tail = ring.tail();
        long best = -1;
        for (int i = 0; i < maxPublishers; i++)
        {
            final int slot = ring.publisherSlot(i);
            if (control.getIntVolatile(slot + PublisherSlotDescriptor.STATE_OFFSET) ==
                    PublisherSlotDescriptor.STATE_FREE ||
                control.getLongVolatile(slot + PublisherSlotDescriptor.CLAIM_POSITION_OFFSET) != start)
            {
                continue;
            }
            final long end = start + Math.abs(control.getInt(slot + PublisherSlotDescriptor.CLAIM_LENGTH_OFFSET));
            if (end <= start || end > tail || (best >= 0 && end >= best))
            {
                continue;
            }
            if (end == tail || ring.data().getIntVolatile((int)end & (ring.capacity() - 1)) != 0 ||
                isNamedByASlot(ring, end))
            {
                best = end;
            }
        }
        return best;
    }

    private static boolean isNamedByASlot(final RingAccess ring, final long position)
    {
        final UnsafeBuffer control = ring.control();
        for (int i = 0; i < ring.maxPublishers(); i++)
        {
            final int slot = ring.publisherSlot(i);
            if (control.getIntVolatile(slot + PublisherSlotDescriptor.STATE_OFFSET) !=
                    PublisherSlotDescriptor.STATE_FREE &&
                control.getLongVolatile(slot + PublisherSlotDescriptor.CLAIM_POSITION_OFFSET) == position)
            {
                return true;
            }
        }
        return false;
    }

    private static boolean isUncommitted(final RingAccess ring, final int index, final int length)
    {
        final int found = ring.data().getIntVolatile(index);
        return found == 0 || (found < 0 && RecordDescriptor.alignedLength(-found) == length);
    }

    private static boolean pad(final RingAccess ring, final int index, final int length, final int publisherId)
    {
        final UnsafeBuffer data = ring.data();
        final int found = data.getIntVolatile(index);
        if (found > 0)
        {
            return false; // committed before the owner died
        }
        if (found < 0 && RecordDescriptor.alignedLength(-found) != length)
        {
            return false; // somebody else's header: not this claim
        }
        data.putShort(index + RecordDescriptor.PUBLISHER_ID_OFFSET, (short)publisherId);
        data.putShort(index + RecordDescriptor.KIND_OFFSET, RecordDescriptor.KIND_PADDING);
        return data.compareAndSetInt(index, found, length);
    }

    /**
     * Free a dead subscriber's slot (not a durable one: those are kept for their return). The caller holds
     * the slot's lock and the allocation lock.
     *
     * @param ring  the ring.
     * @param index the slot.
     */
    public static void deadSubscriber(final RingAccess ring, final int index)
    {
        final UnsafeBuffer control = ring.control();
        final int slot = ring.subscriberSlot(index);
        forgetSleeper(control, slot);
        ring.clearDeadRoundArea(-(index + 1));
        control.putIntVolatile(slot + SubscriberSlotDescriptor.STATE_OFFSET, SubscriberSlotDescriptor.STATE_FREE);
        if (control.getIntVolatile(slot + SubscriberSlotDescriptor.COUNTED_OFFSET) != 0)
        {
            control.getAndAddInt(ControlDescriptor.SUBSCRIBER_COUNT_OFFSET, -1);
        }
        control.getAndAddLong(ControlDescriptor.RECLAIMS_OFFSET, 1);
        settleWaiters(ring, ControlDescriptor.DATA_WAITERS_OFFSET, true);
        settleSubscriberCount(ring);
        LOG.warn("subscriber slot {} of {} (pid {}) died attached; slot freed at position {}", index,
            ring.source(), control.getInt(slot + SubscriberSlotDescriptor.PID_OFFSET),
            control.getLongVolatile(slot + SubscriberSlotDescriptor.POSITION_OFFSET));
    }

    /**
     * Mark a dead durable subscriber detached: its slot and position are kept for its return, and it holds
     * publishers back only up to its hold limit from now. The caller holds the slot's lock and the allocation
     * lock.
     *
     * @param ring  the ring.
     * @param index the slot.
     */
    public static void deadDurableSubscriber(final RingAccess ring, final int index)
    {
        final UnsafeBuffer control = ring.control();
        final int slot = ring.subscriberSlot(index);
        forgetSleeper(control, slot);
        ring.clearDeadRoundArea(-(index + 1));
        control.putLong(slot + SubscriberSlotDescriptor.DETACHED_MS_OFFSET, System.currentTimeMillis());
        control.putIntVolatile(slot + SubscriberSlotDescriptor.STATE_OFFSET, SubscriberSlotDescriptor.STATE_DETACHED);
        settleWaiters(ring, ControlDescriptor.DATA_WAITERS_OFFSET, true);
        settleSubscriberCount(ring);
        LOG.warn("durable subscriber slot {} of {} (pid {}) died attached; its position {} is kept for its return",
            index, ring.source(), control.getInt(slot + SubscriberSlotDescriptor.PID_OFFSET),
            control.getLongVolatile(slot + SubscriberSlotDescriptor.POSITION_OFFSET));
    }

    /**
     * A sleeper killed between its add to a waiters count and the store of its slot's sleeping flag left the count
     * one too high, and nothing in its slot says so: the other side would then make a needless wake-up call after
     * every commit or poll, for good. So after freeing a dead participant, compare the count with the number of
     * slots flagged as sleeping. A live sleeper is in that window for a few instructions, so an excess seen in each
     * of several looks over 15 ms, with the count unchanged, is a dead one's, and is taken off with a CAS that fails
     * if anyone came or went meanwhile. (Were a live sleeper preempted in the window for all that time, its wake-up
     * could come late, by at most its sleep slice; a too-high count is never lost, only settled.)
     *
     * @param ring          the ring.
     * @param waitersOffset dataWaiters or spaceWaiters.
     * @param subscribers   whether the sleepers are subscribers (else publishers).
     */
    static void settleWaiters(final RingAccess ring, final int waitersOffset, final boolean subscribers)
    {
        final UnsafeBuffer control = ring.control();
        int waiters = control.getIntVolatile(waitersOffset);
        int excess = Integer.MAX_VALUE;
        for (int look = 0; look < 4; look++)
        {
            if (look > 0)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
                if (control.getIntVolatile(waitersOffset) != waiters)
                {
                    return; // somebody came or went: not settled now, perhaps at the next repair
                }
            }
            excess = Math.min(excess, waiters - flaggedSleepers(ring, subscribers));
            if (excess <= 0)
            {
                return;
            }
        }
        if (control.compareAndSetInt(waitersOffset, waiters, waiters - excess))
        {
            control.getAndAddLong(ControlDescriptor.REPAIRS_OFFSET, 1);
            LOG.warn("{}: {} was {} with {} sleeper(s) flagged: a dead sleeper's count taken off", ring.source(),
                subscribers ? "dataWaiters" : "spaceWaiters", waiters, waiters - excess);
        }
    }

    /**
     * A joiner killed between its add to subscriberCount and the store of its slot's counted flag left the count one
     * too high, and its repair, finding the flag unset, subtracted nothing: with REQUIRE_SUBSCRIBER, publishers would
     * then publish to nobody instead of answering NOT_CONNECTED. So after a dead subscriber's repair (under the
     * allocation lock), compare the count with the slots that are not free and are flagged counted. Only a live
     * joiner inside that window (a few instructions) makes them differ for a moment, so, as for the waiter counts, an
     * excess seen in each of several looks over 15 ms with the count unchanged is a dead joiner's, taken off with a
     * CAS on the value read.
     *
     * @param ring the ring.
     */
    static void settleSubscriberCount(final RingAccess ring)
    {
        final UnsafeBuffer control = ring.control();
        final int count = control.getIntVolatile(ControlDescriptor.SUBSCRIBER_COUNT_OFFSET);
        int excess = Integer.MAX_VALUE;
        for (int look = 0; look < 4; look++)
        {
            if (look > 0)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
                if (control.getIntVolatile(ControlDescriptor.SUBSCRIBER_COUNT_OFFSET) != count)
                {
                    return; // somebody joined or left: not settled now, perhaps at the next repair
                }
            }
            int counted = 0;
            for (int i = 0; i < ring.maxSubscribers(); i++)
            {
                final int slot = ring.subscriberSlot(i);
                if (control.getIntVolatile(slot + SubscriberSlotDescriptor.STATE_OFFSET) !=
                    SubscriberSlotDescriptor.STATE_FREE &&
                    control.getIntVolatile(slot + SubscriberSlotDescriptor.COUNTED_OFFSET) != 0)
                {
                    counted++;
                }
            }
            excess = Math.min(excess, count - counted);
            if (excess <= 0)
            {
                return;
            }
        }
        if (control.compareAndSetInt(ControlDescriptor.SUBSCRIBER_COUNT_OFFSET, count, count - excess))
        {
            control.getAndAddLong(ControlDescriptor.REPAIRS_OFFSET, 1);
            LOG.warn("{}: subscriberCount was {} with {} slot(s) counted: a dead joiner's count taken off",
                ring.source(), count, count - excess);
        }
    }

    private static int flaggedSleepers(final RingAccess ring, final boolean subscribers)
    {
        final UnsafeBuffer control = ring.control();
        final int slots = subscribers ? ring.maxSubscribers() : ring.maxPublishers();
        int flagged = 0;
        for (int i = 0; i < slots; i++)
        {
            final int offset = subscribers ?
                ring.subscriberSlot(i) + SubscriberSlotDescriptor.SLEEPING_OFFSET :
                ring.publisherSlot(i) + PublisherSlotDescriptor.SLEEPING_OFFSET;
            if (control.getIntVolatile(offset) != 0)
            {
                flagged++;
            }
        }
        return flagged;
    }

    private static void forgetSleeper(final UnsafeBuffer control, final int slot)
    {
        if (control.getIntVolatile(slot + SubscriberSlotDescriptor.SLEEPING_OFFSET) != 0)
        {
            control.putIntVolatile(slot + SubscriberSlotDescriptor.SLEEPING_OFFSET, 0);
            control.getAndAddInt(ControlDescriptor.DATA_WAITERS_OFFSET, -1);
        }
        if (control.getInt(slot + SubscriberSlotDescriptor.BLOCKING_OFFSET) != 0)
        {
            control.putIntVolatile(slot + SubscriberSlotDescriptor.BLOCKING_OFFSET, 0);
            control.getAndAddInt(ControlDescriptor.BLOCKING_SUBSCRIBERS_OFFSET, -1);
        }
    }
}
