package io.shmbus.impl.ring;

import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.layout.RecordDescriptor;
import io.shmbus.impl.layout.SubscriberSlotDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scans over every subscriber slot that making room needs: where the slowest tethered subscriber is (for a
 * cleaning round), and which stalled subscribers a back-pressured publisher may demote. Off the hot path: a round
 * runs once per quarter of the ring, a demotion scan only once a claim has found no room.
 */
final class SubscriberScans
{
    private static final Logger LOG = LoggerFactory.getLogger(SubscriberScans.class);

    private SubscriberScans()
    {
    }

    /**
     * The slowest tethered or durable subscriber's position, never below {@code floor}.
     *
     * @param ring  the ring.
     * @param floor the oldest retained position.
     * @return the minimum, or {@link Long#MAX_VALUE} when there is none.
     */
    static long minTetheredPosition(final Ring ring, final long floor)
    {
        final UnsafeBuffer control = ring.control;
        long nowMs = 0;
        long min = Long.MAX_VALUE;
        for (int i = 0; i < ring.maxSubscribers; i++)
        {
            final int slot = ring.subscriberSlot(i);
            final int state = control.getIntVolatile(slot + SubscriberSlotDescriptor.STATE_OFFSET);
            if (state == SubscriberSlotDescriptor.STATE_FREE)
            {
                continue;
            }
            final int policy = control.getInt(slot + SubscriberSlotDescriptor.POLICY_OFFSET);
            if (policy == SubscriberSlotDescriptor.POLICY_UNTETHERED ||
                control.getIntVolatile(slot + SubscriberSlotDescriptor.DEMOTED_OFFSET) != 0)
            {
                continue; // demoted: it reads lap-checked and will learn its loss
            }
            if (state == SubscriberSlotDescriptor.STATE_DETACHED)
            {
                final long holdLimitMs = control.getLong(slot + SubscriberSlotDescriptor.HOLD_LIMIT_MS_OFFSET);
                if (holdLimitMs >= 0)
                {
                    nowMs = 0 == nowMs ? System.currentTimeMillis() : nowMs;
                    if (nowMs - control.getLong(slot + SubscriberSlotDescriptor.DETACHED_MS_OFFSET) > holdLimitMs)
                    {
                        continue; // away longer than it may hold publishers back: it will resume lapped
                    }
                }
            }
            final long position = control.getLongVolatile(slot + SubscriberSlotDescriptor.POSITION_OFFSET);
            min = Math.min(min, Math.max(position, floor));
        }
        return min;
    }

    /**
     * A publisher that cannot make room: demote each tethered subscriber whose policy allows it, that is in the way
     * of the claim and whose position has not moved for its timeout, as this publisher has watched it (see
     * {@code SlowConsumerPolicy.DEMOTE}). A demoted subscriber reads lap-checked from its join, so the demotion is
     * safe whenever it comes: rounds stop waiting for it at once.
     *
     * @param ring         the ring.
     * @param requiredEnd  the end of the claim that does not fit.
     * @param seen         per subscriber slot, the position and attach time this publisher last saw (-1: none).
     * @param seenSinceNs  per slot, when it first saw that.
     * @param nowNs        System.nanoTime().
     * @return true when a subscriber was demoted (try again at once).
     */
    static boolean demoteStalled(
        final Ring ring, final long requiredEnd, final long[] seen, final long[] seenSinceNs, final long nowNs)
    {
        final UnsafeBuffer control = ring.control;
        final long needed = requiredEnd + RecordDescriptor.ALIGNMENT - ring.capacity;
        boolean demoted = false;
        for (int i = 0; i < ring.maxSubscribers; i++)
        {
            final int slot = ring.subscriberSlot(i);
            if (control.getIntVolatile(slot + SubscriberSlotDescriptor.STATE_OFFSET) !=
                SubscriberSlotDescriptor.STATE_ACTIVE ||
                control.getInt(slot + SubscriberSlotDescriptor.POLICY_OFFSET) ==
                SubscriberSlotDescriptor.POLICY_UNTETHERED ||
                control.getInt(slot + SubscriberSlotDescriptor.SLOW_POLICY_OFFSET) !=
                SubscriberSlotDescriptor.SLOW_DEMOTE ||
                control.getIntVolatile(slot + SubscriberSlotDescriptor.DEMOTED_OFFSET) != 0)
            {
                seen[i] = -1;
                continue;
            }
            final long position = control.getLongVolatile(slot + SubscriberSlotDescriptor.POSITION_OFFSET);
            if (position >= needed)
            {
                seen[i] = -1;
                continue; // not what holds this claim back
            }
            final long mark = position ^ control.getLong(slot + SubscriberSlotDescriptor.ATTACHED_MS_OFFSET) << 20;
            if (seen[i] != mark)
            {
                seen[i] = mark;
                seenSinceNs[i] = nowNs;
                continue;
            }
            final long timeoutMs = control.getLong(slot + SubscriberSlotDescriptor.SLOW_TIMEOUT_MS_OFFSET);
            if (nowNs - seenSinceNs[i] >= Math.max(1, timeoutMs) * 1_000_000L &&
                control.compareAndSetInt(slot + SubscriberSlotDescriptor.DEMOTED_OFFSET, 0, 1))
            {
                control.getAndAddLong(ControlDescriptor.DEMOTIONS_OFFSET, 1);
                LOG.warn("{}: subscriber {} (pid {}) made no progress for {} ms at position {} while publishers " +
                    "needed its space: {}", ring.source, i, control.getInt(slot + SubscriberSlotDescriptor.PID_OFFSET),
                    timeoutMs, position,
                    control.getInt(slot + SubscriberSlotDescriptor.POLICY_OFFSET) ==
                        SubscriberSlotDescriptor.POLICY_DURABLE ?
                    "detached (no longer holds publishers back)" : "demoted to untethered");
                seen[i] = -1;
                demoted = true;
            }
        }
        return demoted;
    }
}
