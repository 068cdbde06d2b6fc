package io.shmbus.impl.ring;

import io.shmbus.impl.faults.FaultPoints;
import io.shmbus.impl.liveness.Liveness;
import io.shmbus.impl.signal.DataSignal;
import io.shmbus.Claim;
import io.shmbus.Publisher;
import io.shmbus.spi.ClaimOwner;
import io.shmbus.spi.Claims;
import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.layout.RecordDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static io.shmbus.impl.layout.RecordDescriptor.KIND_OFFSET;
import static io.shmbus.impl.layout.RecordDescriptor.KIND_PADDING;
import static io.shmbus.impl.layout.RecordDescriptor.PUBLISHER_ID_OFFSET;
import static io.shmbus.impl.layout.RecordDescriptor.TIMESTAMP_OFFSET;
import static io.shmbus.impl.layout.RecordDescriptor.TYPE_OFFSET;

/**
 * What exclusive and shared publishers share: writing a claimed record, committing it, aborting it, and
 * the entry to the slow path that makes room ({@code RoomMaker}) and to the blocking offer ({@code BlockingOffer}).
 * Subclasses differ only in how they take the tail ({@link #claim(int)}).
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
    private volatile boolean closed;
    private final RoomMaker room;
    private final BlockingOffer blocking;

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
        this.room = new RoomMaker(ring, this.publisherId, slotOffset, liveness);
        this.blocking = new BlockingOffer(this, control, slotOffset);
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
            return blocking.offer(buffer, offset, length, type, timeoutNs);
        }
        catch (final InternalError error)
        {
            // A fault reported late, at a safepoint check of this frame rather than inside the offer or the wait.
            throw ring.memoryFault(error);
        }
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
     * Make room for a claim from {@code tail} that must end at {@code requiredEnd}: the slow path of a claim that
     * does not fit below {@link #limitCache} (see {@code RoomMaker}). Also answers NOT_CONNECTED, and
     * {@link #PAD} when a hole left by a stalled cleaner is in the way: the claim must then be one padding record
     * from the tail to {@link #padTo} (there is room for it), and the caller tries again after it.
     *
     * @param tail        the claim's start.
     * @param requiredEnd the claim's end position.
     * @return 0 when the claim now fits below {@link #limitCache}, {@link #PAD}, or a negative status.
     */
    protected final long makeRoom(final long tail, final long requiredEnd)
    {
        return room.makeRoom(this, tail, requiredEnd);
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
                blocking.close();
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
