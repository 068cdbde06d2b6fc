package io.shmbus.impl.liveness;

import io.shmbus.BusException;
import io.shmbus.SubscriberOptions;
import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.layout.LockDescriptor;
import io.shmbus.impl.layout.SubscriberSlotDescriptor;
import io.shmbus.impl.platform.Linux;
import io.shmbus.impl.signal.SpaceSignal;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

import static io.shmbus.impl.layout.SubscriberSlotDescriptor.COUNTED_OFFSET;
import static io.shmbus.impl.layout.SubscriberSlotDescriptor.DETACHED_MS_OFFSET;
import static io.shmbus.impl.layout.SubscriberSlotDescriptor.NAME_LENGTH_OFFSET;
import static io.shmbus.impl.layout.SubscriberSlotDescriptor.NAME_OFFSET;
import static io.shmbus.impl.layout.SubscriberSlotDescriptor.PID_OFFSET;
import static io.shmbus.impl.layout.SubscriberSlotDescriptor.POLICY_DURABLE;
import static io.shmbus.impl.layout.SubscriberSlotDescriptor.POLICY_OFFSET;
import static io.shmbus.impl.layout.SubscriberSlotDescriptor.POSITION_OFFSET;
import static io.shmbus.impl.layout.SubscriberSlotDescriptor.STATE_ACTIVE;
import static io.shmbus.impl.layout.SubscriberSlotDescriptor.STATE_DETACHED;
import static io.shmbus.impl.layout.SubscriberSlotDescriptor.STATE_FREE;
import static io.shmbus.impl.layout.SubscriberSlotDescriptor.STATE_OFFSET;

/**
 * Taking, finding again, giving back and dropping a topic's subscriber slots.
 *
 * <p>As for publishers ({@link PublisherSlots}), a slot is owned by the kernel lock on its lock byte, and all of
 * this runs under the topic's allocation lock, held by the caller: so a durable name is never attached twice, and
 * a slot a dead subscriber left is repaired before it is reused. A durable subscriber's slot outlives its
 * process: closed, it is detached (kept, with its position, for its return by name); away longer than its expiry,
 * or dropped, it is freed.
 */
public final class SubscriberSlots
{
    private static final Logger LOG = LoggerFactory.getLogger(SubscriberSlots.class);

    private final RingAccess ring;
    private final UnsafeBuffer control;
    private final int maxSubscribers;
    private final String topicName;

    /**
     * @param ring      the topic's ring.
     * @param topicName the topic's name, for messages.
     */
    public SubscriberSlots(final RingAccess ring, final String topicName)
    {
        this.ring = ring;
        this.control = ring.control();
        this.maxSubscribers = ring.maxSubscribers();
        this.topicName = topicName;
    }

    /**
     * The slot of a durable subscriber of this name, detached or left by a dead process (repaired here), locked
     * by the handle for its return; -1 when there is none or it had expired (then freed).
     *
     * @param handle      the returning subscriber's lock handle.
     * @param durableName its name.
     * @return the slot index, or -1.
     * @throws BusException when a live process has it attached.
     */
    public int findDurable(final LockHandle handle, final String durableName)
    {
        for (int i = 0; i < maxSubscribers; i++)
        {
            final int slot = ring.subscriberSlot(i);
            final int state = control.getIntVolatile(slot + STATE_OFFSET);
            if (!isDurableNamed(slot, state, durableName))
            {
                continue;
            }
            if (!handle.tryLock(LockDescriptor.subscriberLockOffset(i)))
            {
                throw new BusException("durable subscriber '" + durableName + "' is already attached to topic " +
                    topicName + " (slot " + i + ", pid " + control.getInt(slot + PID_OFFSET) + ")");
            }
            if (state == STATE_ACTIVE)
            {
                Repair.deadDurableSubscriber(ring, i);
                LOG.warn("durable subscriber '{}' (slot {}) of topic {} died attached; resuming at its position {}",
                    durableName, i, topicName, control.getLongVolatile(slot + POSITION_OFFSET));
            }
            if (isExpired(slot, System.currentTimeMillis()))
            {
                free(i, "expired");
                handle.unlock(LockDescriptor.subscriberLockOffset(i));
                return -1; // starts afresh
            }
            return i;
        }
        return -1;
    }

    /**
     * Take a free slot (one a dead subscriber left is repaired first; a durable one away past its expiry is freed)
     * and write the joiner's policy, pid and name into it. It is not yet active nor counted: the join does that.
     *
     * @param handle  the joiner's lock handle; on return it holds the slot's lock.
     * @param options what the joiner asked for.
     * @return the slot index.
     * @throws BusException naming every slot's holder when none is free.
     */
    public int allocate(final LockHandle handle, final SubscriberOptions options)
    {
        for (int i = 0; i < maxSubscribers; i++)
        {
            final int slot = ring.subscriberSlot(i);
            final int state = control.getIntVolatile(slot + STATE_OFFSET);
            if (state == STATE_DETACHED)
            {
                if (!isExpired(slot, System.currentTimeMillis()) ||
                    !handle.tryLock(LockDescriptor.subscriberLockOffset(i)))
                {
                    continue; // a durable subscriber's place, kept for its return
                }
                free(i, "expired"); // away longer than it asked to be kept: the slot is this joiner's
            }
            if (state == STATE_ACTIVE && control.getInt(slot + POLICY_OFFSET) == POLICY_DURABLE)
            {
                continue; // live, or dead and to be resumed by name
            }
            if (!handle.tryLock(LockDescriptor.subscriberLockOffset(i)))
            {
                continue;
            }
            if (state == STATE_ACTIVE)
            {
                Repair.deadSubscriber(ring, i);
            }
            control.setMemory(slot, SubscriberSlotDescriptor.LENGTH, (byte)0);
            control.putInt(slot + POLICY_OFFSET, policyCode(options.policy()));
            control.putInt(slot + PID_OFFSET, Linux.getpid());
            if (null != options.name())
            {
                final byte[] bytes = options.name().getBytes(StandardCharsets.US_ASCII);
                control.putBytes(slot + NAME_OFFSET, bytes);
                control.putInt(slot + NAME_LENGTH_OFFSET, bytes.length);
            }
            return i; // counted in subscriberCount once joined
        }
        throw new BusException("topic " + topicName + " has no free subscriber slot: all " + maxSubscribers +
            " are taken (" + describe(handle) + "); drop durable subscriptions that are no longer " +
            "needed (Topic.dropDurable, shmbus drop-durable), give them an expiry, or raise maxSubscribers when " +
            "creating the topic");
    }

    /**
     * Give a slot back when its subscriber closes: a durable one is detached (kept for its return), any other
     * freed and taken out of the connected count. The caller holds the allocation lock.
     *
     * @param index  the slot index.
     * @param policy the subscriber's policy.
     */
    public void release(final int index, final SubscriberOptions.Policy policy)
    {
        final int slot = ring.subscriberSlot(index);
        if (policy == SubscriberOptions.Policy.DURABLE)
        {
            control.putLong(slot + DETACHED_MS_OFFSET, System.currentTimeMillis());
            control.putIntVolatile(slot + STATE_OFFSET, STATE_DETACHED);
        }
        else
        {
            control.putIntVolatile(slot + STATE_OFFSET, STATE_FREE);
            if (control.getIntVolatile(slot + COUNTED_OFFSET) != 0)
            {
                control.getAndAddInt(ControlDescriptor.SUBSCRIBER_COUNT_OFFSET, -1);
            }
        }
    }

    /**
     * Drop a durable subscription that is away (or whose process died attached: repaired first). The caller holds
     * the allocation lock.
     *
     * @param handle      the dropper's lock handle, used to take the slot's lock for the drop.
     * @param durableName the subscription's name.
     * @return whether there was one.
     * @throws BusException when it is attached by a live process.
     */
    public boolean dropDurable(final LockHandle handle, final String durableName)
    {
        for (int i = 0; i < maxSubscribers; i++)
        {
            final int slot = ring.subscriberSlot(i);
            final int state = control.getIntVolatile(slot + STATE_OFFSET);
            if (!isDurableNamed(slot, state, durableName))
            {
                continue;
            }
            final long lock = LockDescriptor.subscriberLockOffset(i);
            if (!handle.tryLock(lock))
            {
                throw new BusException("durable subscriber '" + durableName + "' of topic " + topicName +
                    " is attached (slot " + i + ", pid " + control.getInt(slot + PID_OFFSET) +
                    "): close it before dropping it");
            }
            try
            {
                if (state == STATE_ACTIVE)
                {
                    Repair.deadDurableSubscriber(ring, i); // its process died attached
                }
                free(i, "dropped");
            }
            finally
            {
                handle.unlock(lock);
            }
            return true;
        }
        return false;
    }

    /**
     * The durable name stored in a subscriber slot, or "" when it holds none (or a length out of bounds).
     *
     * @param control the topic's control region.
     * @param slot    the slot's offset.
     * @return the name.
     */
    public static String slotName(final UnsafeBuffer control, final int slot)
    {
        final int length = control.getInt(slot + NAME_LENGTH_OFFSET);
        if (length <= 0 || length > SubscriberSlotDescriptor.MAX_NAME_BYTES)
        {
            return "";
        }
        return control.getStringWithoutLengthAscii(slot + NAME_OFFSET, length);
    }

    private boolean isDurableNamed(final int slot, final int state, final String durableName)
    {
        return state != STATE_FREE && control.getInt(slot + POLICY_OFFSET) == POLICY_DURABLE &&
            durableName.equals(slotName(control, slot));
    }

    private boolean isExpired(final int slot, final long nowMs)
    {
        final long expireMs = control.getLong(slot + SubscriberSlotDescriptor.EXPIRE_MS_OFFSET);
        return expireMs >= 0 &&
            control.getIntVolatile(slot + STATE_OFFSET) == STATE_DETACHED &&
            nowMs - control.getLong(slot + DETACHED_MS_OFFSET) > expireMs;
    }

    /**
     * Free a durable subscriber's slot that is away. The caller holds the allocation lock and the slot's lock. The
     * state goes first, so that a publisher looking for the slowest subscriber stops counting it before its position
     * is cleared; then it leaves the connected count, and the slot is cleared.
     */
    private void free(final int index, final String why)
    {
        final int slot = ring.subscriberSlot(index);
        final String durableName = slotName(control, slot);
        final long position = control.getLongVolatile(slot + POSITION_OFFSET);
        control.putIntVolatile(slot + STATE_OFFSET, STATE_FREE);
        if (control.getIntVolatile(slot + COUNTED_OFFSET) != 0)
        {
            control.getAndAddInt(ControlDescriptor.SUBSCRIBER_COUNT_OFFSET, -1);
        }
        control.setMemory(slot, SubscriberSlotDescriptor.LENGTH, (byte)0);
        SpaceSignal.wakeAll(control); // publishers it held back may have room now
        LOG.info("durable subscription '{}' (slot {}) of topic {} {} at position {}", durableName, index, topicName,
            why, position);
    }

    private String describe(final LockHandle handle)
    {
        final StringBuilder sb = new StringBuilder();
        final long nowMs = System.currentTimeMillis();
        for (int i = 0; i < maxSubscribers; i++)
        {
            final int slot = ring.subscriberSlot(i);
            final int state = control.getIntVolatile(slot + STATE_OFFSET);
            final int policy = control.getInt(slot + POLICY_OFFSET);
            if (sb.length() > 0)
            {
                sb.append("; ");
            }
            sb.append("slot ").append(i).append(": ");
            if (policy == POLICY_DURABLE)
            {
                sb.append("durable '").append(slotName(control, slot)).append('\'');
            }
            else
            {
                sb.append(policy == SubscriberSlotDescriptor.POLICY_UNTETHERED ? "untethered" : "tethered");
            }
            if (state == STATE_DETACHED)
            {
                sb.append(" away for ").append((nowMs - control.getLong(slot + DETACHED_MS_OFFSET)) / 1000)
                    .append(" s");
            }
            else
            {
                sb.append(" pid ").append(control.getInt(slot + PID_OFFSET))
                    .append(handle.isHeldElsewhere(LockDescriptor.subscriberLockOffset(i)) ? "" : " (this process)");
            }
        }
        return sb.toString();
    }

    private static int policyCode(final SubscriberOptions.Policy policy)
    {
        return switch (policy)
        {
            case TETHERED -> SubscriberSlotDescriptor.POLICY_TETHERED;
            case UNTETHERED -> SubscriberSlotDescriptor.POLICY_UNTETHERED;
            case DURABLE -> POLICY_DURABLE;
        };
    }
}
