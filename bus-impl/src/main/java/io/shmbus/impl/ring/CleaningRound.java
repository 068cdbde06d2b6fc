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
import static io.shmbus.impl.layout.ControlDescriptor.CLEAN_INTENT_OFFSET;
import static io.shmbus.impl.layout.ControlDescriptor.CLEAN_LIMIT_OFFSET;
import static io.shmbus.impl.layout.ControlDescriptor.CLEAN_LOCK_OFFSET;
import static io.shmbus.impl.layout.ControlDescriptor.CLEAN_PENDING_OFFSET;
import static io.shmbus.impl.layout.RecordDescriptor.ALIGNMENT;
import static io.shmbus.impl.layout.RecordDescriptor.KIND_MESSAGE;
import static io.shmbus.impl.layout.RecordDescriptor.KIND_OFFSET;
import static io.shmbus.impl.layout.RoundAreaDescriptor.PROPOSAL_COUNT_OFFSET;
import static io.shmbus.impl.layout.RoundAreaDescriptor.PROPOSAL_LIMIT_OFFSET;
import static io.shmbus.impl.layout.RoundAreaDescriptor.STEP_SEQUENCE_OFFSET;

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
 * The walked bytes are zeroed in steps, each announced before a lock check, which a taker turns into holes that
 * claims pad over: {@code ZeroingSteps}, whose comment gives the argument. A resumed owner finds the lock gone at
 * its next step and stops.
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
    private final ZeroingSteps steps;

    static void stall(final String point)
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
        this.steps = ring.steps;
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
            final long tethered = SubscriberScans.minTetheredPosition(ring, from);
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
                steps.markHole(ownerArea);
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
        if (!steps.zeroRange(word, area, limit, intent))
        {
            return false;
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
}
