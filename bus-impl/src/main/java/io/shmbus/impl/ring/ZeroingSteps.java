package io.shmbus.impl.ring;

import io.shmbus.impl.faults.FaultPoints;
import io.shmbus.impl.layout.PublisherSlotDescriptor;
import io.shmbus.impl.layout.RoundAreaDescriptor;
import io.shmbus.impl.layout.SubscriberSlotDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import static io.shmbus.impl.layout.ControlDescriptor.CLEAN_HOLES_OFFSET;
import static io.shmbus.impl.layout.ControlDescriptor.CLEAN_LOCK_OFFSET;
import static io.shmbus.impl.layout.ControlDescriptor.CLEAN_ZEROED_OFFSET;
import static io.shmbus.impl.layout.RecordDescriptor.ALIGNMENT;
import static io.shmbus.impl.layout.RoundAreaDescriptor.STEP_ACTIVE;
import static io.shmbus.impl.layout.RoundAreaDescriptor.STEP_BYTES;
import static io.shmbus.impl.layout.RoundAreaDescriptor.STEP_FROM_OFFSET;
import static io.shmbus.impl.layout.RoundAreaDescriptor.STEP_HOLE;
import static io.shmbus.impl.layout.RoundAreaDescriptor.STEP_IDLE;
import static io.shmbus.impl.layout.RoundAreaDescriptor.STEP_SEQUENCE_OFFSET;
import static io.shmbus.impl.layout.RoundAreaDescriptor.STEP_STATE_OFFSET;
import static io.shmbus.impl.layout.RoundAreaDescriptor.STEP_TO_OFFSET;

/**
 * The zeroing of a cleaning round ({@link CleaningRound}) and the holes a takeover leaves: how a round's range is
 * zeroed in announced steps, how a taker turns a step under way into a hole, how claims find the holes to pad over
 * them, and how the repair of a dead cleaner releases its hole. docs/LAYOUT.md section 10.7 is the normative text.
 *
 * <h2>Zeroing in announced steps, and holes</h2>
 * Plain stores cannot be fenced out once begun, so the zeroing goes in steps of at most
 * {@link RoundAreaDescriptor#STEP_BYTES}, never across the ring's end. For each step the owner stores the range
 * and then the state ACTIVE
 * (seq_cst), reads cleanLock (seq_cst) and zeroes only if the lock still holds its word; afterwards it turns the
 * state back to IDLE. A taker CASes cleanLock (seq_cst) and then reads every other area's state. Of the owner's
 * store-then-load and the taker's store-then-load, one sees the other's store (Dekker): either the owner sees the
 * lock gone and does not zero, or the taker sees ACTIVE and turns it into a HOLE (counted in cleanHoles) before it
 * publishes any limit over those bytes. A hole is ring bytes the stalled owner may still zero at any time: claims
 * never place a record there ({@link #padTarget}), until the owner, done, sets it IDLE again, or the repair of a dead
 * owner zeroes it and does. A resumed owner finds the lock gone at its next step and stops.
 */
final class ZeroingSteps
{
    private final Ring ring;
    private final UnsafeBuffer control;
    private final UnsafeBuffer data;
    private final int capacity;
    private final int mask;

    ZeroingSteps(final Ring ring)
    {
        this.ring = ring;
        this.control = ring.control;
        this.data = ring.data;
        this.capacity = ring.capacity;
        this.mask = ring.mask;
    }

    /**
     * Zero an announced round's range {@code [limit, intent)} in steps, from where cleanZeroed says it got to,
     * until cleanZeroed is at the intent.
     *
     * @param word   the round's cleanLock word, as this cleaner holds it.
     * @param area   this cleaner's round area.
     * @param limit  the clean limit the round starts from.
     * @param intent the limit the round publishes.
     * @return false when the round was taken over meanwhile (the taker finishes it).
     */
    boolean zeroRange(final long word, final int area, final long limit, final long intent)
    {
        final UnsafeBuffer control = this.control;
        while (true)
        {
            final long from = control.getLongVolatile(CLEAN_ZEROED_OFFSET);
            if (from < limit || from > intent)
            {
                if (control.getLongVolatile(CLEAN_LOCK_OFFSET) != word)
                {
                    return false; // a later round moved it on
                }
                throw ring.corrupt("cleanZeroed " + from + " is outside the round's " + limit + " to " + intent);
            }
            if (from == intent)
            {
                return true;
            }
            final int index = (int)from & mask;
            final long to = Math.min(intent, from + Math.min(STEP_BYTES, capacity - index));
            if (!zeroStep(word, area, from, to))
            {
                return false;
            }
        }
    }

    /**
     * Zero {@code [from, to)} if the round is still ours: announce the step, then check the lock (see the class
     * comment for why this order makes a taker see the step whenever the owner zeroes).
     *
     * @return false when the round was taken over (nothing zeroed).
     */
    private boolean zeroStep(final long word, final int area, final long from, final long to)
    {
        final UnsafeBuffer control = this.control;
        control.putInt(area + STEP_SEQUENCE_OFFSET, control.getInt(area + STEP_SEQUENCE_OFFSET) + 1);
        control.putLong(area + STEP_FROM_OFFSET, from);
        control.putLong(area + STEP_TO_OFFSET, to);
        control.putIntVolatile(area + STEP_STATE_OFFSET, STEP_ACTIVE);
        final boolean mine = control.getLongVolatile(CLEAN_LOCK_OFFSET) == word;
        if (mine)
        {
            if (FaultPoints.ANY)
            {
                FaultPoints.reach(FaultPoints.IN_STEP, from);
            }
            CleaningRound.stall(FaultPoints.IN_STEP);
            final int index = (int)from & mask;
            data.setMemory(index, (int)(to - from), (byte)0);
        }
        if (mine)
        {
            // Only after the memset. A failed CAS means another cleaner zeroed the same step (we were taken over
            // inside it, or we took over its owner inside it): the caller reads cleanZeroed again.
            control.compareAndSetLong(CLEAN_ZEROED_OFFSET, from, to);
        }
        endStep(area);
        return mine;
    }

    private void endStep(final int area)
    {
        if (!control.compareAndSetInt(area + STEP_STATE_OFFSET, STEP_ACTIVE, STEP_IDLE))
        {
            // Taken over while under way: a taker made it a hole. It is zeroed (or was never started) now.
            control.putIntVolatile(area + STEP_STATE_OFFSET, STEP_IDLE);
            control.getAndAddLong(CLEAN_HOLES_OFFSET, -1);
        }
    }

    /**
     * The owner's step under way becomes a hole. (Even one that cleanZeroed has passed: another cleaner may have
     * zeroed the same step and advanced it while this owner's memset is still to come. A step whose memset is over
     * is a hole needlessly, until its owner clears it.)
     */
    void markHole(final int area)
    {
        if (control.getIntVolatile(area + STEP_STATE_OFFSET) != STEP_ACTIVE)
        {
            return;
        }
        // Counted before it is marked, so that a claimer that finds the count 0 finds no hole.
        control.getAndAddLong(CLEAN_HOLES_OFFSET, 1);
        if (!control.compareAndSetInt(area + STEP_STATE_OFFSET, STEP_ACTIVE, STEP_HOLE))
        {
            control.getAndAddLong(CLEAN_HOLES_OFFSET, -1);
        }
    }

    /**
     * The round area of a participant known dead (its slot lock is held by the caller, or probed free): a step
     * it had under way is over (set idle), and a hole it left is zeroed here (it can no longer do it) and released.
     * Zeroing a hole is safe: claims never placed a record there, and only padding bytes, never read, span it.
     *
     * @param area the dead participant's round area ({@link CleaningRound#areaOf}).
     * @param code the dead participant's code, for the message.
     * @return true when a hole was released.
     */
    boolean clearDeadArea(final int area, final int code)
    {
        final int state = control.getIntVolatile(area + STEP_STATE_OFFSET);
        if (state == STEP_ACTIVE)
        {
            if (control.compareAndSetInt(area + STEP_STATE_OFFSET, STEP_ACTIVE, STEP_IDLE))
            {
                return false;
            }
        }
        if (control.getIntVolatile(area + STEP_STATE_OFFSET) != STEP_HOLE)
        {
            return false;
        }
        final long from = control.getLongVolatile(area + STEP_FROM_OFFSET);
        final long to = control.getLongVolatile(area + STEP_TO_OFFSET);
        final int index = (int)from & mask;
        if (from < 0 || to <= from || to - from > STEP_BYTES || index + (to - from) > capacity)
        {
            throw ring.corrupt("a hole of participant code " + code + " spans " + from + " to " + to +
                ", which is no zeroing step");
        }
        data.setMemory(index, (int)(to - from), (byte)0);
        control.putIntVolatile(area + STEP_STATE_OFFSET, STEP_IDLE);
        control.getAndAddLong(CLEAN_HOLES_OFFSET, -1);
        return true;
    }

    /**
     * @return true when some ring bytes are a hole now (one volatile load).
     */
    boolean anyHoles()
    {
        return control.getLongVolatile(CLEAN_HOLES_OFFSET) != 0;
    }

    /**
     * Where a claim from {@code tail} that would end at {@code end} must instead end as one padding record,
     * because a hole lies in {@code [tail, end + ALIGNMENT)} (the record, and the next header after it, must stay
     * clear of every hole): the end of the hole, or of the run of holes that follow it within one alignment unit.
     * Also gives the start of the nearest hole at or past the tail, for the claimer's cached limit.
     *
     * @param tail    the claim's start.
     * @param end     the claim's end as planned.
     * @param nearest out[0]: the nearest hole occurrence's start at or after the tail, or Long.MAX_VALUE.
     * @return the padding's end, or {@code tail} when no hole is in the way.
     */
    long padTarget(final long tail, final long end, final long[] nearest)
    {
        long target = tail;
        long reach = end + ALIGNMENT;
        long near = Long.MAX_VALUE;
        boolean grew = true;
        while (grew)
        {
            grew = false;
            for (int i = 0, n = ring.maxPublishers + ring.maxSubscribers; i < n; i++)
            {
                final int area = i < ring.maxPublishers ?
                    ring.publisherSlot(i) + PublisherSlotDescriptor.ROUND_AREA_OFFSET :
                    ring.subscriberSlot(i - ring.maxPublishers) + SubscriberSlotDescriptor.ROUND_AREA_OFFSET;
                final int sequence = control.getIntVolatile(area + STEP_SEQUENCE_OFFSET);
                if (control.getIntVolatile(area + STEP_STATE_OFFSET) != STEP_HOLE)
                {
                    continue;
                }
                final long from = control.getLongVolatile(area + STEP_FROM_OFFSET);
                final long to = control.getLongVolatile(area + STEP_TO_OFFSET);
                if (control.getIntVolatile(area + STEP_SEQUENCE_OFFSET) != sequence ||
                    control.getIntVolatile(area + STEP_STATE_OFFSET) != STEP_HOLE)
                {
                    continue; // released (or another step began) while read: not a hole now
                }
                final int start = (int)from & mask;
                final int length = (int)(to - from);
                if (from < 0 || length <= 0 || length > STEP_BYTES || start + length > capacity)
                {
                    throw ring.corrupt("a hole spans " + from + " to " + to + ", which is no zeroing step");
                }
                // The hole's ring bytes, as positions in the tail's lap and in the next one.
                final long lapStart = tail - ((int)tail & mask);
                for (long occurrence = lapStart + start; occurrence <= lapStart + capacity + start;
                    occurrence += capacity)
                {
                    final long occurrenceEnd = occurrence + length;
                    if (occurrenceEnd <= tail || occurrence <= tail)
                    {
                        // Behind the tail, or around it: a hole the tail is inside was marked after its round was
                        // committed, which only happens to a step whose memset was over (see markHole); claims
                        // jump every hole that may still be zeroed, so the tail is never inside one of those.
                        continue;
                    }
                    near = Math.min(near, occurrence);
                    if (occurrence < reach && occurrenceEnd > target)
                    {
                        target = occurrenceEnd;
                        reach = target + ALIGNMENT;
                        grew = true;
                    }
                }
            }
        }
        nearest[0] = near;
        return target;
    }
}
