package io.shmbus.impl.ring;

import io.shmbus.SlowConsumerPolicy;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.impl.faults.FaultPoints;
import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.layout.SubscriberSlotDescriptor;
import io.shmbus.impl.liveness.Liveness;
import io.shmbus.impl.platform.Linux;
import io.shmbus.impl.signal.SpaceSignal;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

import static io.shmbus.impl.layout.SubscriberSlotDescriptor.MESSAGE_INDEX_OFFSET;
import static io.shmbus.impl.layout.SubscriberSlotDescriptor.POSITION_OFFSET;
import static io.shmbus.impl.layout.SubscriberSlotDescriptor.STATE_ACTIVE;
import static io.shmbus.impl.layout.SubscriberSlotDescriptor.STATE_OFFSET;

/**
 * The join protocol: a subscriber slot, already taken under the allocation lock, becomes active at a start
 * position that publishers will respect, is counted as connected, and gets the reader its policy asks for.
 *
 * <p><b>Tethered join race.</b> A cleaning round reads the subscriber slots, then walks and zeroes. A joiner that
 * stored its position after the round read the slots would be ignored by that round. So the joiner stores its
 * position (volatile), then waits until no round is running (cleanLock free and cleanIntent equal to cleanLimit),
 * then moves its position up to the oldest retained record if a round passed it. A round that starts after the
 * joiner saw the quiet state takes the lock after the joiner's store and reads the slots after that, so it sees
 * the joiner (both sides store, then load, with full fences).
 *
 * <p><b>Durable return.</b> A durable subscriber also keeps its message index (messages before its position), so
 * that when one returns after publishers reused the ring over what it had not read (its hold limit passed), the
 * gap is reported exactly; one that returns within the retained records has its index counted again
 * ({@link #recountIndex}).
 *
 * <p><b>Connected last.</b> A subscriber is counted in subscriberCount only once its start position is fixed
 * ({@link #connected}).
 */
public final class SubscriberJoin
{
    private static final Logger LOG = LoggerFactory.getLogger(SubscriberJoin.class);
    private static final long JOIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final Ring ring;
    private final UnsafeBuffer control;
    private final String topicName;

    /**
     * @param ring      the topic's ring.
     * @param topicName the topic's name, for messages.
     */
    public SubscriberJoin(final Ring ring, final String topicName)
    {
        this.ring = ring;
        this.control = ring.control();
        this.topicName = topicName;
    }

    /**
     * Make the slot active and build its reader.
     *
     * @param index    the slot, taken under the allocation lock (its lock held by the joiner's handle).
     * @param options  what the subscriber asked for.
     * @param resumed  whether a durable subscriber returns to its slot.
     * @param liveness the subscriber's liveness (its lock handle).
     * @param release  what closing the subscriber runs: the slot's release.
     * @return the subscriber, counted as connected.
     */
    public Subscriber join(
        final int index,
        final SubscriberOptions options,
        final boolean resumed,
        final Liveness liveness,
        final Runnable release)
    {
        final int slot = ring.subscriberSlot(index);
        final SubscriberOptions.Policy policy = options.policy();
        // A demotable tethered subscriber reads as an untethered one from its join (see SlowConsumerPolicy), so it
        // needs its message index from the start, as an untethered one does.
        final boolean demotable = options.slowConsumerPolicy() != SlowConsumerPolicy.KEEP;
        writeSlotOptions(slot, options, demotable);
        if (FaultPoints.ANY)
        {
            FaultPoints.reach(FaultPoints.JOIN_SLOT, index);
        }
        final long[] start = new long[2];
        final RoundWait roundWait = new RoundWait(ring, liveness, JOIN_TIMEOUT_NS, -(index + 1));
        findStart(options, resumed, demotable, roundWait, slot, start);

        if (policy == SubscriberOptions.Policy.UNTETHERED)
        {
            control.putLongVolatile(slot + POSITION_OFFSET, start[0]);
            control.putIntVolatile(slot + STATE_OFFSET, STATE_ACTIVE);
            final Subscriber subscriber = new UntetheredRingSubscriber(
                ring, index, start[0], start[1], options.lossHandler(), options.waitStrategy(), liveness, release);
            connected(slot);
            return subscriber;
        }

        final JoinGap gap = holdFrom(index, slot, start, resumed, roundWait);
        final long position = control.getLongVolatile(slot + POSITION_OFFSET);
        final long messageIndex = control.getLongVolatile(slot + MESSAGE_INDEX_OFFSET);
        if (!gap.isEmpty())
        {
            LOG.warn("durable subscriber '{}' of topic {} was away past its hold limit: {} messages ({} bytes) " +
                "were overwritten; resuming at {}", options.name(), topicName, gap.messages(), gap.bytes(), position);
        }
        final boolean durable = policy == SubscriberOptions.Policy.DURABLE;
        final Subscriber subscriber;
        if (demotable)
        {
            final UntetheredRingSubscriber untethered = new UntetheredRingSubscriber(ring, index, position,
                messageIndex, options.lossHandler(), options.waitStrategy(), liveness, release,
                new SpaceSignal(control), durable);
            if (!gap.isEmpty())
            {
                untethered.reportLossAtJoin(gap.messages(), gap.bytes(), gap.from(), position);
            }
            subscriber = untethered;
        }
        else if (durable)
        {
            subscriber = new DurableRingSubscriber(ring, index, position, messageIndex, new SpaceSignal(control),
                options.waitStrategy(), options.lossHandler(), liveness, release, gap);
        }
        else
        {
            subscriber = new TetheredRingSubscriber(ring, index, position, new SpaceSignal(control),
                options.waitStrategy(), options.lossHandler(), liveness, release);
        }
        connected(slot);
        return subscriber;
    }

    private void writeSlotOptions(final int slot, final SubscriberOptions options, final boolean demotable)
    {
        control.putInt(slot + SubscriberSlotDescriptor.PID_OFFSET, Linux.getpid());
        control.putLong(slot + SubscriberSlotDescriptor.ATTACHED_MS_OFFSET, System.currentTimeMillis());
        control.putLong(slot + SubscriberSlotDescriptor.HOLD_LIMIT_MS_OFFSET,
            options.holdLimitNs() < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(options.holdLimitNs()));
        control.putLong(slot + SubscriberSlotDescriptor.EXPIRE_MS_OFFSET,
            options.expireAfterNs() < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(options.expireAfterNs()));
        // a returning durable one holds again
        control.putIntVolatile(slot + SubscriberSlotDescriptor.DEMOTED_OFFSET, 0);
        control.putInt(slot + SubscriberSlotDescriptor.SLOW_POLICY_OFFSET, SubscriberSlotDescriptor.SLOW_KEEP);
        if (demotable)
        {
            control.putLong(slot + SubscriberSlotDescriptor.SLOW_TIMEOUT_MS_OFFSET,
                Math.max(1, TimeUnit.NANOSECONDS.toMillis(options.slowConsumerTimeoutNs())));
            control.putInt(slot + SubscriberSlotDescriptor.SLOW_POLICY_OFFSET, SubscriberSlotDescriptor.SLOW_DEMOTE);
        }
    }

    /**
     * The start position and the message index before it (-1: not tracked): a returning durable subscriber's
     * stored ones, checked; the tail for a plain tethered subscriber starting there; otherwise found by walking the
     * retained records (from the oldest, or to the tail), waiting out a cleaning round that moves them.
     */
    private void findStart(
        final SubscriberOptions options,
        final boolean resumed,
        final boolean demotable,
        final RoundWait roundWait,
        final int slot,
        final long[] start)
    {
        if (resumed)
        {
            start[0] = ring.checkPosition(control.getLongVolatile(slot + POSITION_OFFSET),
                "durable subscriber position");
            start[1] = control.getLongVolatile(slot + MESSAGE_INDEX_OFFSET);
            final long tail = ring.checkPosition(ring.tail(), "tail");
            if (start[0] > tail || start[1] < -1)
            {
                throw ring.corrupt("durable subscriber '" + options.name() + "' has position " + start[0] +
                    " and message index " + start[1] + " with the tail at " + tail);
            }
        }
        else if (options.policy() == SubscriberOptions.Policy.TETHERED && !demotable &&
            options.startPosition() == SubscriberOptions.StartPosition.TAIL)
        {
            start[0] = ring.checkPosition(ring.tail(), "tail");
            start[1] = -1; // not tracked
        }
        else
        {
            while (!(options.startPosition() == SubscriberOptions.StartPosition.OLDEST ?
                ring.readOldest(start) : UntetheredRingSubscriber.findTail(ring, start)))
            {
                roundWait.await();
            }
        }
    }

    /**
     * Store the start position and make the slot active, then settle against cleaning (the tethered join race in
     * the class comment): while the oldest retained record is past the position, move up to it, counting what a
     * returning durable subscriber lost. On return the slot holds the settled position and message index.
     *
     * @return what a returning durable subscriber lost while away (empty for any other).
     */
    private JoinGap holdFrom(
        final int index, final int slot, final long[] start, final boolean resumed, final RoundWait roundWait)
    {
        long position = start[0];
        long messageIndex = start[1];
        long lostMessages = 0;
        long lostBytes = 0;
        final long lostFrom = position;
        control.putLongVolatile(slot + POSITION_OFFSET, position);
        control.putLongVolatile(slot + MESSAGE_INDEX_OFFSET, messageIndex);
        control.putIntVolatile(slot + STATE_OFFSET, STATE_ACTIVE);
        final long[] oldest = new long[2];
        while (true)
        {
            if (!ring.isQuiescent() || !ring.readOldest(oldest))
            {
                roundWait.await();
                continue;
            }
            if (position < oldest[0])
            {
                if (messageIndex > oldest[1])
                {
                    throw ring.corrupt("subscriber slot " + index + " counts " + messageIndex + " messages before " +
                        "position " + position + ", more than the " + oldest[1] + " before the oldest retained " +
                        "record " + oldest[0]);
                }
                if (resumed || messageIndex >= 0)
                {
                    lostMessages += oldest[1] - messageIndex;
                    lostBytes += oldest[0] - position;
                    messageIndex = oldest[1];
                }
                position = oldest[0];
                control.putLongVolatile(slot + MESSAGE_INDEX_OFFSET, messageIndex);
                control.putLongVolatile(slot + POSITION_OFFSET, position);
                continue;
            }
            if (resumed && !recountIndex(slot, position, messageIndex, roundWait))
            {
                continue; // lapped while counting: look again
            }
            break;
        }
        return resumed && lostBytes > 0 ? new JoinGap(lostMessages, lostBytes, lostFrom) : JoinGap.NONE;
    }

    /**
     * A durable subscriber resuming within the retained records: its message index is counted again from the oldest
     * record rather than taken from the slot. A poll stores the index before the position, so one killed between
     * the two left an index that already counts the batch it will be given again; counting settles it. (Resuming
     * lapped, it keeps the stored index, which counts exactly what it was given: its loss is what it never saw.)
     *
     * @return true when the index in the slot is now right for the position; false when the walk was lapped.
     */
    private boolean recountIndex(final int slot, final long position, final long stored, final RoundWait roundWait)
    {
        final long[] counted = new long[2];
        if (!UntetheredRingSubscriber.countTo(ring, position, counted))
        {
            roundWait.await();
            return false;
        }
        if (counted[0] != position)
        {
            throw ring.corrupt("durable subscriber position " + position + " is not a committed record boundary " +
                "(the records from the oldest stop at " + counted[0] + ")");
        }
        if (counted[1] != stored)
        {
            LOG.info("durable subscriber slot {} of topic {}: message index {} at position {} recounted as {}",
                slot, topicName, stored, position, counted[1]);
            control.putLongVolatile(slot + MESSAGE_INDEX_OFFSET, counted[1]);
        }
        return true;
    }

    /**
     * Count a subscriber in subscriberCount only once its start position is fixed: a publisher that sees the
     * count (and so no longer gets NOT_CONNECTED) then claims at a tail at or past that position, so a
     * subscriber starting at the tail never misses the first message published for it. A durable subscriber
     * that resumes was counted all along, unless its process died while joining, after its slot became active
     * and before it was counted: the slot's own flag says which.
     */
    private void connected(final int slot)
    {
        if (FaultPoints.ANY)
        {
            FaultPoints.reach(FaultPoints.JOINING, slot);
        }
        if (control.getIntVolatile(slot + SubscriberSlotDescriptor.COUNTED_OFFSET) == 0)
        {
            control.getAndAddInt(ControlDescriptor.SUBSCRIBER_COUNT_OFFSET, 1);
            if (FaultPoints.ANY)
            {
                FaultPoints.reach(FaultPoints.JOIN_COUNTED, slot);
            }
            control.putIntVolatile(slot + SubscriberSlotDescriptor.COUNTED_OFFSET, 1);
        }
        SpaceSignal.wakeAll(control); // publishers waiting for a first subscriber
    }
}
