package io.shmbus.impl.ring;

import io.shmbus.impl.faults.FaultPoints;
import io.shmbus.impl.liveness.Liveness;
import io.shmbus.impl.signal.BackOff;
import io.shmbus.impl.signal.DataSignal;
import io.shmbus.impl.signal.Sleeper;
import io.shmbus.Claim;
import io.shmbus.Publisher;
import io.shmbus.spi.ClaimOwner;
import io.shmbus.spi.Claims;
import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.layout.PublisherSlotDescriptor;
import io.shmbus.impl.layout.RecordDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static io.shmbus.impl.layout.RecordDescriptor.ALIGNMENT;
import static io.shmbus.impl.layout.RecordDescriptor.KIND_OFFSET;
import static io.shmbus.impl.layout.RecordDescriptor.KIND_PADDING;
import static io.shmbus.impl.layout.RecordDescriptor.PUBLISHER_ID_OFFSET;
import static io.shmbus.impl.layout.RecordDescriptor.TIMESTAMP_OFFSET;
import static io.shmbus.impl.layout.RecordDescriptor.TYPE_OFFSET;

/**
 * What exclusive and shared publishers share: writing a claimed record, committing it, aborting it, and
 * the slow path that makes room. Subclasses differ only in how they take the tail ({@link #claim(int)}).
 *
 * <p>Write order for every record: the claim records its extent in the publisher's slot before the tail moves
 * (so a repair knows it), a shared publisher also stores {@code -length} in the length word, the body and the
 * other header fields are written with plain stores, and the length is stored positive with release semantics:
 * the commit. A publisher object is used by one thread at a time; several
 * threads publish through several (shared) publishers.
 */
public abstract class RingPublisher implements Publisher, ClaimOwner
{
    private static final Logger LOG = LoggerFactory.getLogger(RingPublisher.class);
    protected final Ring ring;
    protected final UnsafeBuffer control;
    protected final UnsafeBuffer data;
    protected final int capacity;
    protected final int mask;
    protected final int headerLength;
    protected final int maxMessageLength;
    protected final short publisherId;
    protected final int slotOffset;
    protected final boolean timestamps;
    protected final boolean requireSubscriber;
    /** Longest single sleep waiting for space: how often a back-pressured publisher looks for dead peers. */
    static final long SPACE_SLICE_NS = 50_000_000;
    /** The longest single park of a blocking offer backing off from ADMIN_ACTION. */
    static final long ADMIN_PARK_MAX_NS = 50_000;
    /** How long a blocking offer backs off from ADMIN_ACTION before it sleeps a space slice instead. */
    static final long ADMIN_PATIENCE_NS = 2_000_000;

    private final EpochNanos clock;
    private final Runnable onClose;
    protected final DataSignal signal;
    private final Liveness liveness;
    /**
     * Whether a claim stores {@code -recordLength} in its length word. Readers treat 0 and a negative length alike
     * (nothing to read yet), and a repair finds every claim's extent in the publisher's slot; the header word
     * only settles, for shared publishers, which of several slots naming one position won the tail (see
     * {@link io.shmbus.impl.liveness.Repair}). An exclusive publisher has no rival and skips the store.
     */
    private final boolean markInProgress;

    /** Set by {@link #claim(int)}: the ring index of the claimed record's header. */
    protected int claimedIndex;
    /** Set by {@link #claim(int)}: the stream position of the claimed record. */
    protected long claimedPosition;
    /**
     * The highest clean limit this publisher has seen, or, while holes exist, the start of the nearest hole ahead
     * if that is lower: a claim that would end past it takes the slow path, which pads over the hole.
     */
    protected long limitCache;
    /** Returned by {@link #makeRoom} when the claim must instead be one padding record up to {@link #padTo}. */
    protected static final long PAD = 1;
    /** Set with {@link #PAD}: where the padding over a hole ends. */
    protected long padTo;
    /** How long a cleaning round's owner may show no progress before this publisher takes the round over. */
    static final long TAKE_OVER_PATIENCE_NS = 200_000;
    /** The patience in force: {@link #TAKE_OVER_PATIENCE_NS}; tests of this package lower it to force takeovers. */
    static volatile long takeOverPatienceNs = TAKE_OVER_PATIENCE_NS;
    private final long[] nearestHole = new long[1];
    private final long[] stallSeen;
    private final long[] stallSinceNs;
    private boolean watchingStalls;
    private long watchedWord;
    private long watchedProgress;
    private long watchedSinceNs;
    private volatile boolean closed;
    private final Sleeper spaceSleeper;
    private final BackOff adminBackOff = new BackOff(ADMIN_PARK_MAX_NS);
    private final java.util.function.BooleanSupplier retryOffer = this::retryOffer;
    private DirectBuffer pendingBuffer;
    private int pendingOffset;
    private int pendingLength;
    private int pendingType;
    private long pendingResult;

    protected RingPublisher(
        final Ring ring,
        final int publisherId,
        final DataSignal signal,
        final Liveness liveness,
        final Runnable onClose,
        final boolean markInProgress)
    {
        this.markInProgress = markInProgress;
        this.liveness = liveness;
        this.ring = ring;
        this.control = ring.control;
        this.data = ring.data;
        this.capacity = ring.capacity;
        this.mask = ring.mask;
        this.headerLength = ring.headerLength;
        this.maxMessageLength = ring.maxMessageLength;
        this.publisherId = (short)publisherId;
        this.slotOffset = ring.publisherSlot(publisherId);
        this.timestamps = ring.timestamps;
        this.requireSubscriber = ring.requireSubscriber;
        this.clock = timestamps ? new EpochNanos() : null;
        this.signal = signal;
        this.onClose = onClose;
        this.limitCache = 0; // the first claim takes the slow path, which reads the shared limit
        this.stallSeen = new long[ring.maxSubscribers];
        this.stallSinceNs = new long[ring.maxSubscribers];
        this.spaceSleeper = new Sleeper(
            control,
            ControlDescriptor.SPACE_SIGNAL_OFFSET,
            ControlDescriptor.SPACE_WAITERS_OFFSET,
            ControlDescriptor.BLOCKING_PUBLISHERS_OFFSET,
            -1,
            -1,
            slotOffset + PublisherSlotDescriptor.SLEEPING_OFFSET);
    }

    /**
     * Take the tail for a record of {@code recordLength} bytes (header included, not aligned), writing
     * padding before it when it does not fit before the ring's end, and store {@code -recordLength} in its
     * length word.
     *
     * @param recordLength header plus body.
     * @return the stream position after the record, or a negative status; on success {@link #claimedIndex}
     * and {@link #claimedPosition} are set.
     */
    protected abstract long claim(int recordLength);

    @Override
    public final long offer(final DirectBuffer buffer, final int offset, final int length)
    {
        try
        {
            return offer(buffer, offset, length, 0);
        }
        catch (final InternalError error)
        {
            // In compiled code a fault is raised at the next safepoint poll, which may be this frame's return.
            throw ring.memoryFault(error);
        }
    }

    @Override
    public final long offer(final DirectBuffer buffer, final int offset, final int length, final int type)
    {
        checkLength(length);
        // Before the claim: a copy that failed after it would leave a claimed record that is never committed, and,
        // its publisher being alive, never repaired either: every subscriber would stop there for good.
        buffer.boundsCheck(offset, length);
        if (closed)
        {
            return CLOSED;
        }
        final int recordLength = headerLength + length;
        try
        {
            final long result = claim(recordLength);
            if (result > 0)
            {
                final int index = claimedIndex;
                data.putBytes(index + headerLength, buffer, offset, length);
                writeHeader(index, type);
                data.putIntRelease(index, recordLength);
                signal.afterCommit();
            }
            return result;
        }
        catch (final InternalError error)
        {
            throw ring.memoryFault(error);
        }
    }

    @Override
    public final long offerBlocking(
        final DirectBuffer buffer, final int offset, final int length, final int type, final long timeoutNs)
    {
        try
        {
            return offerWaiting(buffer, offset, length, type, timeoutNs);
        }
        catch (final InternalError error)
        {
            // A fault reported late, at a safepoint check of this frame rather than inside the offer or the wait.
            throw ring.memoryFault(error);
        }
    }

    private long offerWaiting(
        final DirectBuffer buffer, final int offset, final int length, final int type, final long timeoutNs)
    {
        final long first = offer(buffer, offset, length, type);
        if (first > 0 || first == CLOSED)
        {
            return first;
        }
        pendingBuffer = buffer;
        pendingOffset = offset;
        pendingLength = length;
        pendingType = type;
        pendingResult = first;
        try
        {
            registerBlocking();
            spaceSleeper.await(retryOffer, timeoutNs, SPACE_SLICE_NS);
            return pendingResult;
        }
        catch (final InternalError error)
        {
            throw ring.memoryFault(error);
        }
        finally
        {
            pendingBuffer = null;
        }
    }

    /**
     * One attempt of {@link #offerBlocking}: offer, and while another participant's cleaning round is in the way
     * (ADMIN_ACTION), back off rather than spin: a few spins and yields (a round takes microseconds), then parks
     * that double from 1 us up to {@link #ADMIN_PARK_MAX_NS}, for at most {@link #ADMIN_PATIENCE_NS} in all. A
     * round still in the way after that (its owner was preempted, stopped or paused by a GC) hands back to the
     * space sleeper, which sleeps on the space word for a slice and tries again, so a blocked caller burns no
     * CPU however long the round takes, and its timeout holds.
     */
    private boolean retryOffer()
    {
        long result = offer(pendingBuffer, pendingOffset, pendingLength, pendingType);
        if (result == ADMIN_ACTION)
        {
            final BackOff backOff = adminBackOff;
            backOff.reset();
            final long deadline = System.nanoTime() + ADMIN_PATIENCE_NS;
            do
            {
                backOff.idle();
                result = offer(pendingBuffer, pendingOffset, pendingLength, pendingType);
            }
            while (result == ADMIN_ACTION && System.nanoTime() - deadline < 0);
        }
        pendingResult = result;
        return result > 0 || result == CLOSED;
    }

    @Override
    public final long tryClaim(final int length, final Claim claim)
    {
        checkLength(length);
        if (closed)
        {
            return CLOSED;
        }
        try
        {
            final long result = claim(headerLength + length);
            if (result > 0)
            {
                final int index = claimedIndex;
                Claims.wrap(claim, this, data, index, index + headerLength, length, claimedPosition);
            }
            return result;
        }
        catch (final InternalError error)
        {
            throw ring.memoryFault(error);
        }
    }

    @Override
    public final void commitClaim(final Claim claim)
    {
        final int index = Claims.recordOffset(claim);
        try
        {
            writeHeader(index, claim.type());
            data.putIntRelease(index, headerLength + claim.length());
            signal.afterCommit();
        }
        catch (final InternalError error)
        {
            throw ring.memoryFault(error);
        }
    }

    @Override
    public final void abortClaim(final Claim claim)
    {
        final int index = Claims.recordOffset(claim);
        try
        {
            data.putShort(index + PUBLISHER_ID_OFFSET, publisherId);
            data.putShort(index + KIND_OFFSET, KIND_PADDING);
            data.putIntRelease(index, headerLength + claim.length());
            signal.afterCommit();
        }
        catch (final InternalError error)
        {
            throw ring.memoryFault(error);
        }
    }

    private void writeHeader(final int index, final int type)
    {
        final UnsafeBuffer data = this.data;
        data.putInt(index + TYPE_OFFSET, type);
        data.putShort(index + PUBLISHER_ID_OFFSET, publisherId);
        if (timestamps)
        {
            data.putLong(index + TIMESTAMP_OFFSET, clock.nanos());
        }
    }

    /**
     * Once the tail has moved past a claim: store the record's in-progress length ({@code -recordLength}) where
     * {@link #markInProgress} asks for it, commit the wrap padding if there is one, and remember where the record
     * is for the caller of {@link #claim(int)}.
     *
     * @param tail         the claim's start (before any padding).
     * @param index        the ring index of the tail.
     * @param padding      bytes of wrap padding, 0 when the record fits before the ring's end.
     * @param recordLength header plus body.
     */
    protected final void placeClaim(final long tail, final int index, final int padding, final int recordLength)
    {
        final int recordIndex = padding > 0 ? 0 : index;
        if (FaultPoints.ANY)
        {
            FaultPoints.reach(FaultPoints.AFTER_TAIL, tail);
        }
        if (markInProgress)
        {
            data.putInt(recordIndex, -recordLength);
        }
        if (padding > 0)
        {
            writeWrapPadding(index);
        }
        if (FaultPoints.ANY)
        {
            FaultPoints.reach(FaultPoints.AFTER_HEADER, tail + padding);
        }
        claimedIndex = recordIndex;
        claimedPosition = tail + padding;
    }

    /**
     * Write a committed padding record over {@code [index, capacity)}: the end of the ring before a wrap.
     *
     * @param index where the padding starts.
     */
    private void writeWrapPadding(final int index)
    {
        data.putShort(index + PUBLISHER_ID_OFFSET, publisherId);
        data.putShort(index + KIND_OFFSET, KIND_PADDING);
        data.putIntRelease(index, capacity - index);
    }

    /**
     * Write a committed padding record of {@code length} bytes at {@code index}: a claim made over a hole, which may
     * run past the ring's end.
     *
     * @param index  where the padding starts.
     * @param length its length.
     */
    protected final void writeHolePadding(final int index, final int length)
    {
        data.putShort(index + PUBLISHER_ID_OFFSET, publisherId);
        data.putShort(index + KIND_OFFSET, KIND_PADDING);
        data.putIntRelease(index, length);
    }

    /**
     * Make room for a claim from {@code tail} that must end at {@code requiredEnd}. Also answers NOT_CONNECTED, and
     * {@link #PAD} when a hole left by a stalled cleaner is in the way: the claim must then be one padding record
     * from the tail to {@link #padTo} (there is room for it), and the caller tries again after it.
     *
     * @param tail        the claim's start.
     * @param requiredEnd the claim's end position.
     * @return 0 when the claim now fits below {@link #limitCache}, {@link #PAD}, or a negative status.
     */
    protected final long makeRoom(final long tail, final long requiredEnd)
    {
        if (requireSubscriber && control.getIntVolatile(ControlDescriptor.SUBSCRIBER_COUNT_OFFSET) == 0)
        {
            return NOT_CONNECTED;
        }
        final CleaningRound round = ring.round;
        long end = requiredEnd;
        while (true)
        {
            // Checked: a negative limit would overflow below and report room that is not there, for ever.
            long limit = ring.checkPosition(ring.cleanLimit(), "cleanLimit");
            if (limit - capacity > end)
            {
                // The oldest retained record (cleanLimit - capacity) is never past the tail. This claim may start from
                // a tail read long ago (a shared publisher preempted before its CAS, which will fail): only a limit a
                // ring past the tail as it is now, read after the limit (the tail only grows), is corruption.
                final long tailNow = ring.tail();
                if (limit - capacity > tailNow)
                {
                    throw ring.corrupt("cleanLimit " + limit + " is more than a ring (" + capacity + " bytes) ahead " +
                        "of the tail " + tailNow);
                }
            }
            if (limit - ALIGNMENT < end)
            {
                limit = round.reclaim(end, publisherId + 1);
                if (limit == CleaningRound.BUSY)
                {
                    if (liveness.due())
                    {
                        liveness.finishDeadRound();
                    }
                    takeOverIfStalled(round);
                    control.getAndAddLong(slotOffset + PublisherSlotDescriptor.ADMIN_ACTIONS_OFFSET, 1);
                    return ADMIN_ACTION;
                }
            }
            watchedWord = 0;
            // Holes are read after the limit: a taker counts and marks a hole before it publishes any limit over its
            // bytes, so the limit read above comes with every hole below it.
            long nearest = Long.MAX_VALUE;
            long pad = tail;
            if (ring.steps.anyHoles())
            {
                pad = ring.steps.padTarget(tail, requiredEnd, nearestHole);
                nearest = nearestHole[0];
                if (pad > end)
                {
                    end = pad;
                    if (limit - ALIGNMENT < end)
                    {
                        continue; // the padding needs room of its own
                    }
                }
            }
            limitCache = Math.min(Math.max(limitCache, limit), nearest);
            if (limit - ALIGNMENT < end)
            {
                control.getAndAddLong(slotOffset + PublisherSlotDescriptor.BACK_PRESSURED_OFFSET, 1);
                flushCounters();
                // A stalled subscriber is watched from the first refusal of a back-pressured stretch on.
                if (!watchingStalls)
                {
                    java.util.Arrays.fill(stallSeen, -1);
                    watchingStalls = true;
                }
                if (SubscriberScans.demoteStalled(ring, end, stallSeen, stallSinceNs, System.nanoTime()))
                {
                    control.getAndAddLong(slotOffset + PublisherSlotDescriptor.ADMIN_ACTIONS_OFFSET, 1);
                    return ADMIN_ACTION; // it no longer holds the space: try again at once
                }
                if (liveness.due() && liveness.releaseBlockers())
                {
                    control.getAndAddLong(slotOffset + PublisherSlotDescriptor.ADMIN_ACTIONS_OFFSET, 1);
                    return ADMIN_ACTION; // a dead peer was in the way and is gone: try again at once
                }
                return BACK_PRESSURED;
            }
            watchingStalls = false;
            if (pad != tail)
            {
                padTo = pad;
                return PAD;
            }
            return 0;
        }
    }

    /**
     * Another participant holds the cleaning round this publisher needs. If the round has shown no progress (no step
     * announced, no new intent) for {@link #TAKE_OVER_PATIENCE_NS} of this publisher's looks, take it over: its
     * owner is stopped, preempted for long, or dead. A false alarm costs a hole of one step, padded over until the
     * owner goes on.
     */
    private void takeOverIfStalled(final CleaningRound round)
    {
        final long word = round.lockWord();
        if (word == 0)
        {
            watchedWord = 0;
            return;
        }
        final long progress = round.progress(word);
        final long now = System.nanoTime();
        if (word != watchedWord || progress != watchedProgress)
        {
            watchedWord = word;
            watchedProgress = progress;
            watchedSinceNs = now;
            return;
        }
        if (now - watchedSinceNs >= takeOverPatienceNs)
        {
            watchedWord = 0;
            if (round.takeOver(word, publisherId + 1))
            {
                LOG.debug("publisher {} of {} took over a cleaning round that made no progress (cleanLock {})",
                    publisherId, ring.source, word);
            }
        }
    }

    private void checkLength(final int length)
    {
        if (length < 0 || length > maxMessageLength)
        {
            throw new IllegalArgumentException(
                "message length " + length + " is outside 0 to the topic's maxMessageLength " + maxMessageLength);
        }
    }

    @Override
    public final int maxMessageLength()
    {
        return maxMessageLength;
    }

    @Override
    public final boolean isConnected()
    {
        return control.getIntVolatile(ControlDescriptor.SUBSCRIBER_COUNT_OFFSET) > 0;
    }

    @Override
    public final int id()
    {
        return publisherId;
    }

    @Override
    public final long position()
    {
        return ring.tail();
    }

    @Override
    public final boolean isClosed()
    {
        return closed;
    }

    @Override
    public final void close()
    {
        if (!closed)
        {
            closed = true;
            try
            {
                final int abandoned = liveness.abandonOwnClaim(publisherId);
                if (abandoned > 0)
                {
                    LOG.warn("publisher {} of {} closed with a claim neither committed nor aborted: " +
                        "turned into padding", publisherId, ring.topic().source());
                }
                flushCounters();
                if (spaceSleeper.isCounted())
                {
                    // Flag first, count second: killed between the two, the count stays one too high (needless
                    // fences), never one too low after a repair subtracts it again.
                    control.putIntVolatile(slotOffset + PublisherSlotDescriptor.BLOCKING_OFFSET, 0);
                }
                spaceSleeper.unregisterBlocking();
            }
            catch (final InternalError error)
            {
                // The file was truncated under the mapping: there is nothing left to undo in it; leave all the same.
            }
            finally
            {
                onClose.run();
            }
        }
    }

    /**
     * Register as a publisher that may sleep for space. Where this process cannot issue the expedited barrier the
     * sleeper counts itself in blockingPublishers; the slot's flag, set after that add, lets a repair take a dead
     * publisher out of the count (else every poll of every subscriber would fence for good).
     */
    private void registerBlocking()
    {
        final boolean before = spaceSleeper.isCounted();
        spaceSleeper.registerBlocking();
        if (!before && spaceSleeper.isCounted())
        {
            control.putIntVolatile(slotOffset + PublisherSlotDescriptor.BLOCKING_OFFSET, 1);
        }
    }

    /**
     * Store the display counters kept back on the hot path (slow path and close only).
     */
    protected void flushCounters()
    {
    }

    /**
     * @return the record alignment.
     */
    protected static int align(final int length)
    {
        return RecordDescriptor.alignedLength(length);
    }
}
