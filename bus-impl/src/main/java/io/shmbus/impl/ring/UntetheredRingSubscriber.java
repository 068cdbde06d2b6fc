package io.shmbus.impl.ring;

import io.shmbus.LossHandler;
import io.shmbus.MessageHandler;
import io.shmbus.WaitStrategy;
import io.shmbus.impl.layout.RecordDescriptor;
import io.shmbus.impl.liveness.Liveness;
import io.shmbus.impl.layout.SubscriberSlotDescriptor;
import io.shmbus.impl.signal.SpaceSignal;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;

import static io.shmbus.impl.layout.RecordDescriptor.KIND_MESSAGE;
import static io.shmbus.impl.layout.RecordDescriptor.KIND_OFFSET;
import static io.shmbus.impl.layout.RecordDescriptor.KIND_PADDING;

/**
 * An untethered subscriber: publishers do not wait for it, so the bytes under it may be zeroed and reused at
 * any moment. It therefore never hands the ring to its handler: it copies each record into its own buffer,
 * then checks that no cleaning round had started on those bytes (a seqlock on cleanIntent), and only then
 * delivers the copy.
 *
 * <p>Why the check is sound: a cleaning round stores cleanIntent (a volatile store) before it zeroes, and
 * publishers only write below cleanLimit, which is published after the zeroing. The reader copies, then
 * issues a load fence, then loads cleanIntent. If any byte it copied was already zeroed or rewritten, the
 * store of cleanIntent that preceded that write is visible to the later load, so the reader sees
 * {@code cleanIntent > position + capacity} and discards the copy. A torn copy can thus never be delivered.
 *
 * <p>When lapped, it resumes at the oldest retained record, {@code cleanLimit - capacity}, read together with
 * cleanCount (the number of messages before it). Its own message index (messages before its position) is
 * exact, so the loss it reports is exact: {@code cleanCount - index} messages and
 * {@code (cleanLimit - capacity) - position} bytes.
 */
public final class UntetheredRingSubscriber extends RingSubscriber
{
    /** A poll skips ahead after being lapped at most this often: each skip is a jump forward that {@code scanned}
     * does not count, and shared memory that keeps saying "lapped" must not keep a poll going. */
    private static final int MAX_RESYNCS_PER_POLL = 4;

    private final UnsafeBuffer copy;
    private final RingMessageHeader header;
    private final long[] oldest = new long[2];
    private long messageIndex;
    /** Non-null for a tethered subscriber that may be demoted: it holds rounds back through its slot's position. */
    private final SpaceSignal holding;
    /** A durable one that may be detached: its message index is stored before its position after each poll. */
    private final boolean durable;

    /**
     * @param ring          the topic's ring.
     * @param subscriberId  the slot index.
     * @param startPosition a record boundary.
     * @param startIndex    the number of messages before it.
     * @param lossHandler   told of every gap.
     * @param waitStrategy  how to wait for messages.
     * @param liveness      finds and repairs dead publishers' claims.
     * @param onClose       releases the slot.
     */
    public UntetheredRingSubscriber(
        final Ring ring,
        final int subscriberId,
        final long startPosition,
        final long startIndex,
        final LossHandler lossHandler,
        final WaitStrategy waitStrategy,
        final Liveness liveness,
        final Runnable onClose)
    {
        this(ring, subscriberId, startPosition, startIndex, lossHandler, waitStrategy, liveness, onClose, null, false);
    }

    /**
     * A subscriber that reads as an untethered one (each record copied, then checked against being lapped) and
     * holds publishers back as a tethered one, until publishers demote it (its slot's policy says tethered; see
     * {@code SlowConsumerPolicy.DEMOTE}): its position is stored with release after each poll, and publishers
     * sleeping for space are woken. Demoted, nothing changes here: the lap check it always made reports its loss.
     *
     * @param ring          the topic's ring.
     * @param subscriberId  the slot index.
     * @param startPosition a record boundary.
     * @param startIndex    the number of messages before it.
     * @param lossHandler   told of every gap.
     * @param waitStrategy  how to wait for messages.
     * @param liveness      finds and repairs dead publishers' claims.
     * @param onClose       releases the slot.
     * @param holding       wakes publishers sleeping for space; null for a plain untethered subscriber.
     * @param durable       a durable subscriber (holding): its message index is kept in its slot for its return.
     */
    public UntetheredRingSubscriber(
        final Ring ring,
        final int subscriberId,
        final long startPosition,
        final long startIndex,
        final LossHandler lossHandler,
        final WaitStrategy waitStrategy,
        final Liveness liveness,
        final Runnable onClose,
        final SpaceSignal holding,
        final boolean durable)
    {
        super(ring, subscriberId, startPosition, waitStrategy, lossHandler, liveness, onClose);
        this.durable = durable;
        this.copy = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            RecordDescriptor.alignedLength(ring.maxRecordLength), 64));
        this.header = new RingMessageHeader(copy, headerLength, ring.timestamps);
        this.messageIndex = startIndex;
        this.holding = holding;
    }

    /**
     * Find where a subscriber joining at the tail starts, and its message index: walk from the oldest
     * retained record to the first record not yet committed, checking after each step that the walk was not
     * lapped. Where the walk stops is checked too: a length of 0 or less there may be a record the walk was
     * lapped on (zeroed by a cleaning round, or claimed again in a later lap), not the end of the stream.
     *
     * @param ring the ring.
     * @param out  out[0] the position, out[1] the number of messages before it.
     * @return true when found, false when the walk kept being lapped (try again).
     */
    public static boolean findTail(final Ring ring, final long[] out)
    {
        return walkFromOldest(ring, Long.MAX_VALUE, out);
    }

    /**
     * Count the messages before {@code target}, a record boundary at or past the oldest retained record: walk from
     * the oldest record (whose message index is cleanCount) to it, as {@link #findTail} walks to the tail.
     *
     * @param ring   the ring.
     * @param target where to stop.
     * @param out    out[0] where the walk stopped (the target, unless a record before it is not committed or the
     *               target is not a record boundary), out[1] the number of messages before that.
     * @return true when walked, false when the walk kept being lapped (try again).
     */
    public static boolean countTo(final Ring ring, final long target, final long[] out)
    {
        return walkFromOldest(ring, target, out);
    }

    private static boolean walkFromOldest(final Ring ring, final long target, final long[] out)
    {
        if (!ring.readOldest(out))
        {
            return false;
        }
        long position = out[0];
        long messages = out[1];
        // Everything from the oldest record to the tail lies within one ring: never walk further, whatever the
        // tail word says (a walk over a ring full of committed records would otherwise go round and round).
        final long end = Math.min(Math.min(ring.tail(), position + ring.capacity), target);
        final UnsafeBuffer data = ring.data;
        while (position < end)
        {
            final int index = (int)position & ring.mask;
            final int length = data.getIntVolatile(index);
            if (length <= 0)
            {
                break;
            }
            final int aligned = RecordDescriptor.alignedLength(length);
            final short kind = data.getShort(index + KIND_OFFSET);
            VarHandle.loadLoadFence();
            if (ring.isLapped(position))
            {
                return false;
            }
            ring.checkRecord(index, length, kind, position); // the kind read before the lap check, not a new read
            if (kind == KIND_MESSAGE)
            {
                messages++;
            }
            position += aligned;
        }
        if (ring.isLapped(position))
        {
            return false;
        }
        out[0] = position;
        out[1] = messages;
        return true;
    }

    @Override
    public int poll(final MessageHandler handler, final int messageLimit)
    {
        try
        {
            return pollRing(handler, messageLimit);
        }
        catch (final InternalError error)
        {
            throw ring.memoryFault(error); // a SIGBUS on the mapping: the file was truncated
        }
    }

    private int pollRing(final MessageHandler handler, final int messageLimit)
    {
        if (isClosed())
        {
            return 0;
        }
        final UnsafeBuffer data = this.data;
        final UnsafeBuffer copy = this.copy;
        final int copyCapacity = copy.capacity();
        final long start = this.position;
        long position = start;
        long scanned = 0;
        int resyncs = 0;
        int count = 0;
        try
        {
            while (count < messageLimit && scanned < capacity)
            {
                final int index = (int)position & mask;
                final int length = data.getIntVolatile(index);
                // The length itself is compared, not its aligned value, which overflows near Integer.MAX_VALUE.
                // A padding record may run past the ring's end (over a hole at index 0): only its header is copied.
                final boolean fits = length >= RecordDescriptor.HEADER_LENGTH && length <= capacity;
                final int aligned = fits ? RecordDescriptor.alignedLength(length) : 0;
                if (fits)
                {
                    copy.putBytes(0, data, index, Math.min(Math.min(length, capacity - index), copyCapacity));
                    VarHandle.loadLoadFence();
                }
                // One lap check covers all three cases: a zero or in-progress length may be a record zeroed or
                // claimed again under us, an impossible length may be a later lap's bytes, a copy may be torn.
                if (ring.isLapped(position))
                {
                    final long resumed = resync(position);
                    if (resumed < 0)
                    {
                        break;
                    }
                    position = resumed;
                    if (++resyncs == MAX_RESYNCS_PER_POLL)
                    {
                        break;
                    }
                    continue;
                }
                if (length <= 0)
                {
                    checkStuck(position, false);
                    break;
                }
                // The one validation every reader uses, on the values copied before the lap check (a length that
                // does not fit was not copied: it is refused before the kind is looked at).
                final short kind = copy.getShort(KIND_OFFSET);
                ring.checkRecord(index, length, kind, position);
                final long next = position + aligned;
                scanned += aligned;
                if (kind == KIND_PADDING)
                {
                    position = next;
                    continue;
                }
                header.set(0, position, length - headerLength);
                position = next;
                messageIndex++;
                count++;
                handler.onMessage(copy, headerLength, length - headerLength, header);
            }
        }
        finally
        {
            this.position = position;
            if (position != start)
            {
                // One cache line. For a plain untethered reader, display only (no publisher waits for it): plain
                // stores. Holding rounds back, the position goes last with release, as a tethered reader's does.
                delivered += count;
                control.putLong(slotOffset + SubscriberSlotDescriptor.DELIVERED_OFFSET, delivered);
                if (null == holding)
                {
                    control.putLong(slotOffset + SubscriberSlotDescriptor.POSITION_OFFSET, position);
                }
                else
                {
                    if (durable)
                    {
                        // The index before the position, as a durable tethered reader stores them (see there).
                        control.putLong(slotOffset + SubscriberSlotDescriptor.MESSAGE_INDEX_OFFSET, messageIndex);
                    }
                    control.putLongRelease(slotOffset + SubscriberSlotDescriptor.POSITION_OFFSET, position);
                    holding.afterConsume();
                }
            }
        }
        return count;
    }

    /**
     * @return where to resume, or -1 when a cleaning round is still running (poll again later).
     */
    private long resync(final long position)
    {
        final long[] oldest = this.oldest;
        if (!ring.readOldest(oldest))
        {
            return -1;
        }
        final long resume = oldest[0];
        if (resume <= position)
        {
            return -1; // cannot happen once the round that raised cleanIntent is done; poll again later
        }
        final long messages = oldest[1] - messageIndex;
        if (messages < 0)
        {
            throw ring.corrupt("cleanCount " + oldest[1] + " went below the " + messageIndex +
                " messages this subscriber has already counted");
        }
        messageIndex = oldest[1];
        recordLoss(messages, resume - position, position, resume);
        return resume;
    }

    /**
     * Tell the loss handler, before anything else, of what a durable subscriber lost while it was away (found at its
     * join): a durable tethered reader reports it at its first poll; this one at once.
     *
     * @param messages lost messages.
     * @param bytes    lost bytes.
     * @param from     where the gap starts.
     * @param to       where it ends.
     */
    public void reportLossAtJoin(final long messages, final long bytes, final long from, final long to)
    {
        recordLoss(messages, bytes, from, to);
    }

    @Override
    protected boolean hasWork(final boolean force)
    {
        if (data.getIntVolatile((int)position & mask) > 0 || ring.isLapped(position))
        {
            return true;
        }
        checkStuck(position, force);
        return false;
    }
}
