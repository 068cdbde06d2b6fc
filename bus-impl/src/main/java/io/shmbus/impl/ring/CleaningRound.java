package io.shmbus.impl.ring;

import io.shmbus.TopicCorruptedException;
import io.shmbus.impl.faults.FaultPoints;
import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.layout.PublisherSlotDescriptor;
import io.shmbus.impl.layout.RoundAreaDescriptor;
import io.shmbus.impl.layout.SubscriberSlotDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;

import static io.shmbus.impl.layout.ControlDescriptor.CLEAN_COUNT_OFFSET;
import static io.shmbus.impl.layout.ControlDescriptor.CLEAN_HOLES_OFFSET;
import static io.shmbus.impl.layout.ControlDescriptor.CLEAN_INTENT_OFFSET;
import static io.shmbus.impl.layout.ControlDescriptor.CLEAN_LIMIT_OFFSET;
import static io.shmbus.impl.layout.ControlDescriptor.CLEAN_LOCK_OFFSET;
import static io.shmbus.impl.layout.ControlDescriptor.CLEAN_PENDING_OFFSET;
import static io.shmbus.impl.layout.ControlDescriptor.CLEAN_ZEROED_OFFSET;
import static io.shmbus.impl.layout.RecordDescriptor.ALIGNMENT;
import static io.shmbus.impl.layout.RecordDescriptor.KIND_MESSAGE;
import static io.shmbus.impl.layout.RecordDescriptor.KIND_OFFSET;
import static io.shmbus.impl.layout.RoundAreaDescriptor.PROPOSAL_COUNT_OFFSET;
import static io.shmbus.impl.layout.RoundAreaDescriptor.PROPOSAL_LIMIT_OFFSET;
import static io.shmbus.impl.layout.RoundAreaDescriptor.STEP_ACTIVE;
import static io.shmbus.impl.layout.RoundAreaDescriptor.STEP_BYTES;
import static io.shmbus.impl.layout.RoundAreaDescriptor.STEP_FROM_OFFSET;
import static io.shmbus.impl.layout.RoundAreaDescriptor.STEP_HOLE;
import static io.shmbus.impl.layout.RoundAreaDescriptor.STEP_IDLE;
import static io.shmbus.impl.layout.RoundAreaDescriptor.STEP_SEQUENCE_OFFSET;
import static io.shmbus.impl.layout.RoundAreaDescriptor.STEP_STATE_OFFSET;
import static io.shmbus.impl.layout.RoundAreaDescriptor.STEP_TO_OFFSET;

/**
 * Cleaning rounds that no participant can stall: the protocol by which space is made for the tail (walk last lap's
 * records, announce the new limit, zero the walked bytes, publish the limit), built so that any participant can
 * take over a round whose owner stopped, at any point, and the owner resuming later changes nothing it must not.
 * docs/LAYOUT.md section 10 is the normative text; this comment is the argument.
 *
 * <h2>Ownership and proposal</h2>
 * The owner takes cleanLock by a CAS from 0 to its word, walks, writes its proposal (new limit I, new count P) in
 * its round area and then announces it by a CAS of cleanLock to its word with {@link RoundAreaDescriptor#ANNOUNCED}.
 * A taker CASes cleanLock from the word it read to its own. If that word was not announced, the owner had
 * published nothing (its announcing CAS will fail), so the round is dropped. If it was announced, the proposal in
 * the owner's area is stable (written before the announcing CAS, read after the taker's) and the taker carries the
 * same round on, announcing it in its own area first so that it can be taken over in turn.
 *
 * <h2>Every shared store is a CAS from the value before the round</h2>
 * cleanPending (base to P), cleanIntent (L to I), cleanCount (base to P), cleanLimit (L to I). Counts only grow and
 * positions only grow, so a resumed owner whose round someone else finished fails each CAS, or stores the value the
 * word already holds (a round that walked no message has P == base). Nothing else is shared but the zeroing.
 *
 * <h2>Zeroing in announced steps, and holes</h2>
 * Plain stores cannot be fenced out once begun, so the zeroing goes in steps of at most {@link RoundAreaDescriptor#
 * STEP_BYTES}, never across the ring's end. For each step the owner stores the range and then the state ACTIVE
 * (seq_cst), reads cleanLock (seq_cst) and zeroes only if the lock still holds its word; afterwards it turns the
 * state back to IDLE. A taker CASes cleanLock (seq_cst) and then reads every other area's state. Of the owner's
 * store-then-load and the taker's store-then-load, one sees the other's store (Dekker): either the owner sees the
 * lock gone and does not zero, or the taker sees ACTIVE and turns it into a HOLE (counted in cleanHoles) before it
 * publishes any limit over those bytes. A hole is ring bytes the stalled owner may still zero at any time: claims
 * never place a record there ({@link #padTarget}), until the owner, done, sets it IDLE again, or the repair of a dead
 * owner zeroes it and does. A resumed owner finds the lock gone at its next step and stops.
 *
 * <h2>What readers see</h2>
 * Nothing changes for them: cleanIntent is stored (by CAS) before any byte of the round is zeroed, cleanCount and
 * cleanLimit after all of them, so the lap check and the consistent read of (limit, count) hold as before. The only
 * new record shape is a padding record that runs past the ring's end into a hole at index 0 (its length may exceed
 * {@code capacity - index}; readers skip padding by its length and never read its bytes).
 */
public final class CleaningRound
{
    /** Returned by {@link #reclaim} when another participant holds the round, or took this one over. */
    public static final long BUSY = -1;

    /**
     * Called at each point a round may stall (the fault points' names) when set: tests of this package park the
     * owner there at random, to force takeovers. A volatile load per point, a few per round.
     */
    static volatile java.util.function.Consumer<String> stallHook;

    private final Ring ring;
    private final UnsafeBuffer control;
    private final UnsafeBuffer data;
    private final int capacity;
    private final int mask;

    private static void stall(final String point)
    {
        final java.util.function.Consumer<String> hook = stallHook;
        if (null != hook)
        {
            hook.accept(point);
        }
    }

    CleaningRound(final Ring ring)
    {
        this.ring = ring;
        this.control = ring.control;
        this.data = ring.data;
        this.capacity = ring.capacity;
        this.mask = ring.mask;
    }

    /**
     * @param code a participant's code.
     * @return the offset of its round area in the control region.
     */
    public int areaOf(final int code)
    {
        if (code > 0 && code <= ring.maxPublishers)
        {
            return ring.publisherSlot(code - 1) + PublisherSlotDescriptor.ROUND_AREA_OFFSET;
        }
        if (code < 0 && -code <= ring.maxSubscribers)
        {
            return ring.subscriberSlot(-code - 1) + SubscriberSlotDescriptor.ROUND_AREA_OFFSET;
        }
        throw ring.corrupt("cleanLock names participant code " + code + ", which is no publisher (1.." +
            ring.maxPublishers + ") nor subscriber (-1..-" + ring.maxSubscribers + ")");
    }

    /**
     * @return the cleanLock word, checked to be well formed.
     */
    public long lockWord()
    {
        final long word = control.getLongVolatile(CLEAN_LOCK_OFFSET);
        if (!RoundAreaDescriptor.isWellFormed(word))
        {
            throw ring.corrupt("cleanLock holds " + word + ", which is no participant's word");
        }
        return word;
    }

    /**
     * What a participant watching a held round compares to tell a stalled owner from a slow one: the owner's step
     * sequence and the clean intent. Equal values over the patience mean no step was announced meanwhile.
     *
     * @param word the cleanLock word, not 0.
     * @return the progress mark.
     */
    public long progress(final long word)
    {
        final int area = areaOf(RoundAreaDescriptor.lockCode(word));
        return (long)control.getIntVolatile(area + STEP_SEQUENCE_OFFSET) * 0x9E37_79B9_7F4A_7C15L ^
            control.getLongVolatile(CLEAN_INTENT_OFFSET) ^ word;
    }

    /**
     * Run one cleaning round so that a claim ending at {@code requiredEnd} fits, if the slowest tethered subscriber
     * allows it. Rare (once per quarter of the ring), so it may read every subscriber slot.
     *
     * @param requiredEnd the end of the claim that must fit below {@code cleanLimit - ALIGNMENT}.
     * @param code        the code of the publisher running the round.
     * @return the clean limit after the round (possibly unchanged when subscribers hold the space), or {@link #BUSY}.
     */
    public long reclaim(final long requiredEnd, final int code)
    {
        final UnsafeBuffer control = this.control;
        final long limit = ring.checkPosition(control.getLongVolatile(CLEAN_LIMIT_OFFSET), "cleanLimit");
        final long word = RoundAreaDescriptor.lockWord(code, false, limit);
        if (!control.compareAndSetLong(CLEAN_LOCK_OFFSET, 0, word))
        {
            return BUSY;
        }
        long held = word;
        try
        {
            if (control.getLongVolatile(CLEAN_LIMIT_OFFSET) != limit)
            {
                return BUSY; // a round committed between the load and the CAS: its word would name the wrong epoch
            }
            if (limit - ALIGNMENT >= requiredEnd)
            {
                return limit;
            }
            final long from = limit - capacity;
            final long minimum = requiredEnd + ALIGNMENT - capacity;
            final long tethered = ring.minTetheredPosition(from);
            // Never more than half a ring per round, whatever the shared words say (a claim needs less).
            final long bound = Math.min(Math.min(Math.max(from + ring.chunk, minimum), tethered), from + capacity / 2);

            final UnsafeBuffer data = this.data;
            long position = from;
            long messages = 0;
            try
            {
                while (position < bound)
                {
                    final int index = (int)position & mask;
                    final int length = data.getIntVolatile(index);
                    if (length <= 0)
                    {
                        break;
                    }
                    final int aligned = ring.checkRecord(index, length, position);
                    if (position + aligned > tethered)
                    {
                        break;
                    }
                    if (data.getShort(index + KIND_OFFSET) == KIND_MESSAGE)
                    {
                        messages++;
                    }
                    position += aligned;
                }
            }
            catch (final TopicCorruptedException ex)
            {
                // The walked records are stable only while the round is ours: once taken over (this owner stalled),
                // later rounds let publishers write over them, and what this walk reads may be any bytes. Its
                // proposal is never announced then; only a bad record under a lock still ours is corruption.
                if (control.getLongVolatile(CLEAN_LOCK_OFFSET) != word)
                {
                    held = 0;
                    return BUSY;
                }
                throw ex;
            }
            if (position == from)
            {
                return limit;
            }

            final long intent = position + capacity;
            final long base = control.getLongVolatile(CLEAN_COUNT_OFFSET);
            final int area = areaOf(code);
            control.putLong(area + PROPOSAL_LIMIT_OFFSET, intent);
            control.putLong(area + PROPOSAL_COUNT_OFFSET, base + messages);
            if (FaultPoints.ANY)
            {
                FaultPoints.reach(FaultPoints.ROUND_WALKED, intent);
            }
            stall(FaultPoints.ROUND_WALKED);
            final long announced = word | RoundAreaDescriptor.ANNOUNCED;
            if (!control.compareAndSetLong(CLEAN_LOCK_OFFSET, word, announced))
            {
                held = 0;
                return BUSY; // taken over before it was announced: nothing of this round was published
            }
            held = announced;
            return complete(announced, area, limit, base, intent, base + messages) ? intent : BUSY;
        }
        finally
        {
            if (held != 0)
            {
                control.compareAndSetLong(CLEAN_LOCK_OFFSET, held, 0);
            }
        }
    }

    /**
     * Take over the round held by {@code seen}: its owner made no progress for the caller's patience, or is dead.
     * Every other participant's step under way becomes a hole; an announced round is carried on to its end, an
     * unannounced one dropped. The lock is released either way.
     *
     * @param seen   the cleanLock word as the caller read it.
     * @param myCode the taker's code. A repairer acting for a dead publisher whose slot lock it holds passes the
     *               dead owner's code (its round area is then the dead owner's, cleared first by the repair).
     * @return true when this call took the round (and finished or dropped it); false when the lock had changed.
     */
    public boolean takeOver(final long seen, final int myCode)
    {
        final UnsafeBuffer control = this.control;
        if (seen == 0)
        {
            return false;
        }
        if (!RoundAreaDescriptor.isAnnounced(seen))
        {
            // Its owner is walking: nothing of the round is published, and its announcing CAS will fail. Dropped.
            if (!control.compareAndSetLong(CLEAN_LOCK_OFFSET, seen, 0))
            {
                return false;
            }
            control.getAndAddLong(ControlDescriptor.TAKEOVERS_OFFSET, 1);
            return true;
        }
        // The round is carried on from its owner's proposal. The proposal is copied into our own area before the CAS
        // that names us, so that whoever takes the round from us in turn finds it there. The word's epoch binds the
        // proposal read to the round: the owner writes a proposal only under an unannounced word of a new epoch.
        final int ownerCode = RoundAreaDescriptor.lockCode(seen);
        final int ownerArea = areaOf(ownerCode);
        final long limit = ring.checkPosition(control.getLongVolatile(CLEAN_LIMIT_OFFSET), "cleanLimit");
        final long base = control.getLongVolatile(CLEAN_COUNT_OFFSET);
        final long intent = control.getLongVolatile(ownerArea + PROPOSAL_LIMIT_OFFSET);
        final long pending = control.getLongVolatile(ownerArea + PROPOSAL_COUNT_OFFSET);
        if (!RoundAreaDescriptor.isOfLimit(seen, limit) || control.getLongVolatile(CLEAN_LOCK_OFFSET) != seen)
        {
            return false; // the round we watched ended meanwhile
        }
        final int area = areaOf(myCode);
        if (area != ownerArea)
        {
            control.putLong(area + PROPOSAL_LIMIT_OFFSET, intent);
            control.putLong(area + PROPOSAL_COUNT_OFFSET, pending);
        }
        final long mine = RoundAreaDescriptor.lockWord(myCode, true, limit);
        if (!control.compareAndSetLong(CLEAN_LOCK_OFFSET, seen, mine))
        {
            return false;
        }
        long held = mine;
        try
        {
            // Only the owner named by the word taken can be zeroing for real now: every other participant's step
            // that passed its lock check was seen (and made a hole) when its own round was taken from it, and any
            // step announced since fails its check. A repairer acting for a dead owner passes the owner's code.
            if (ownerCode != myCode)
            {
                markHole(ownerArea);
            }
            control.getAndAddLong(ControlDescriptor.TAKEOVERS_OFFSET, 1);
            if (control.getLongVolatile(CLEAN_LIMIT_OFFSET) != limit)
            {
                return true; // the owner committed the round before we took it: nothing left to do
            }
            if (intent <= limit || intent - limit > capacity || (intent & (ALIGNMENT - 1)) != 0)
            {
                throw ring.corrupt("the announced round's limit " + intent + " is not within one ring above " +
                    "cleanLimit " + limit);
            }
            if (pending < base || base < 0)
            {
                throw ring.corrupt("the announced round's count " + pending + " is below cleanCount " + base);
            }
            complete(mine, area, limit, base, intent, pending);
            return true;
        }
        finally
        {
            control.compareAndSetLong(CLEAN_LOCK_OFFSET, held, 0);
        }
    }

    /**
     * Publish an announced round, zero its range in steps from where cleanZeroed says it got to, and commit it.
     *
     * <p>cleanZeroed moves only by a CAS made after a memset whose step passed its lock check. Each cleaner has at
     * most one such step in flight, and a cleaner that lost the round had its step in flight marked a hole by the
     * taker. So when the owner, checking the lock is still its own, finds cleanZeroed at the intent, every byte of
     * the round is zero or inside a marked hole, and it commits. A hole's bytes are zeroed again here like any
     * others: nobody writes a record there.
     *
     * @return false when the round was taken over meanwhile (the taker finishes it).
     */
    private boolean complete(
        final long word, final int area, final long limit, final long base, final long intent, final long pending)
    {
        final UnsafeBuffer control = this.control;
        if (!publish(CLEAN_PENDING_OFFSET, base, pending, word, "cleanPending") ||
            !publish(CLEAN_INTENT_OFFSET, limit, intent, word, "cleanIntent"))
        {
            return false;
        }
        // The zeroing below is plain stores; an untethered reader that copies a zeroed byte must then see the intent
        // (on AArch64 a later plain store could otherwise become visible first). Free on x86.
        VarHandle.storeStoreFence();
        if (FaultPoints.ANY)
        {
            FaultPoints.reach(FaultPoints.IN_ROUND, intent);
        }
        stall(FaultPoints.IN_ROUND);
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
                break;
            }
            final int index = (int)from & mask;
            final long to = Math.min(intent, from + Math.min(STEP_BYTES, capacity - index));
            if (!zeroStep(word, area, from, to))
            {
                return false;
            }
        }
        if (FaultPoints.ANY)
        {
            FaultPoints.reach(FaultPoints.ROUND_COMMIT, intent);
        }
        stall(FaultPoints.ROUND_COMMIT);
        // Only the round's owner commits, checked here: a stale cleaner's last step may have brought cleanZeroed to
        // the intent while the owner's own memset of that step is still to come. With the lock ours at this load,
        // every memset still to come is a marked hole (its owner lost the round, and the taker marked it), so the
        // commit is safe even if the round is taken from us right after (the taker commits the same values).
        if (control.getLongVolatile(CLEAN_LOCK_OFFSET) != word)
        {
            return false;
        }
        control.compareAndSetLong(CLEAN_COUNT_OFFSET, base, pending);
        control.compareAndSetLong(CLEAN_LIMIT_OFFSET, limit, intent);
        return true;
    }

    /**
     * CAS a round word from its value before the round to the round's value.
     *
     * @return true when the word now holds the round's value; false when the round was taken over.
     */
    private boolean publish(final int offset, final long before, final long value, final long word, final String what)
    {
        if (control.compareAndSetLong(offset, before, value))
        {
            return true;
        }
        final long now = control.getLongVolatile(offset);
        if (now == value)
        {
            return true; // the owner we took over from published it first
        }
        if (control.getLongVolatile(CLEAN_LOCK_OFFSET) != word)
        {
            return false; // our round was taken over and finished: the word has moved on
        }
        throw ring.corrupt(what + " " + now + " is neither " + before + " nor " + value + " during a cleaning round");
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
            stall(FaultPoints.IN_STEP);
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
    private void markHole(final int area)
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
     * @param code the dead participant's code.
     * @return true when a hole was released.
     */
    public boolean clearDeadArea(final int code)
    {
        final int area = areaOf(code);
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
    public boolean anyHoles()
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
    public long padTarget(final long tail, final long end, final long[] nearest)
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
