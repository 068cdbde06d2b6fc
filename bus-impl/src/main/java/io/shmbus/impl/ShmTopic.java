package io.shmbus.impl;

import io.shmbus.BusException;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.layout.LockDescriptor;
import io.shmbus.impl.layout.PublisherSlotDescriptor;
import io.shmbus.impl.layout.SubscriberSlotDescriptor;
import io.shmbus.impl.liveness.Liveness;
import io.shmbus.impl.liveness.LockHandle;
import io.shmbus.impl.liveness.Repair;
import io.shmbus.impl.mapping.MappedTopic;
import io.shmbus.impl.platform.Linux;
import io.shmbus.impl.ring.ExclusiveRingPublisher;
import io.shmbus.impl.faults.FaultPoints;
import io.shmbus.impl.ring.RoundWait;
import io.shmbus.impl.ring.Ring;
import io.shmbus.impl.ring.SharedRingPublisher;
import io.shmbus.impl.ring.TetheredRingSubscriber;
import io.shmbus.impl.ring.UntetheredRingSubscriber;
import io.shmbus.impl.signal.DataSignal;
import io.shmbus.impl.signal.SpaceSignal;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static io.shmbus.impl.layout.SubscriberSlotDescriptor.NAME_LENGTH_OFFSET;
import static io.shmbus.impl.layout.SubscriberSlotDescriptor.NAME_OFFSET;
import static io.shmbus.impl.layout.SubscriberSlotDescriptor.POLICY_OFFSET;
import static io.shmbus.impl.layout.SubscriberSlotDescriptor.POSITION_OFFSET;

/**
 * A mapped topic and the participants attached through it.
 *
 * <p><b>Slots are owned by kernel locks.</b> To take a slot, a participant takes the exclusive lock on the
 * slot's lock byte through its own open file description ({@link LockHandle}); a slot whose state is not free
 * but whose lock nobody holds belonged to a process that died, and is repaired and reused. Allocation and
 * release happen under the topic's allocation lock (another lock byte), so two processes never pick the same
 * slot and a durable name is never attached twice.
 */
final class ShmTopic implements Topic
{
    private static final Logger LOG = LoggerFactory.getLogger(ShmTopic.class);
    private static final long JOIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final String name;
    private final MappedTopic mapped;
    private final Ring ring;
    private final UnsafeBuffer control;
    private final int maxPublishers;
    private final int maxSubscribers;
    private final TopicOptions options;
    private final Consumer<ShmTopic> onClose;
    private final Set<AutoCloseable> participants = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    ShmTopic(final String name, final MappedTopic mapped, final Consumer<ShmTopic> onClose)
    {
        this.name = name;
        this.mapped = mapped;
        this.ring = new Ring(mapped);
        this.control = mapped.control();
        this.maxPublishers = mapped.geometry().maxPublishers();
        this.maxSubscribers = mapped.geometry().maxSubscribers();
        this.options = mapped.options();
        this.onClose = onClose;
        if (FaultPoints.ANY)
        {
            FaultPoints.reach(FaultPoints.OPEN_MAPPED, 0);
        }
        sweep();
    }

    /**
     * Repair what participants that died left in the topic: it may have been stale (everyone dead) and is
     * reclaimed here, on open, without any manual cleanup.
     */
    private void sweep()
    {
        try (LockHandle handle = LockHandle.open(mapped.fd(), mapped.source()))
        {
            new Liveness(ring, handle, 0).sweepSlots();
        }
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public TopicOptions options()
    {
        return options;
    }

    Ring ring()
    {
        return ring;
    }

    @Override
    public Publisher publisher(final PublisherOptions options)
    {
        checkOpen();
        try
        {
            return attachPublisher(options);
        }
        catch (final InternalError error)
        {
            // The JVM's report of a fault on the mapping: the file was truncated under this process.
            throw ring.memoryFault(error, "attaching a publisher");
        }
    }

    private Publisher attachPublisher(final PublisherOptions options)
    {
        checkOpen();
        final LockHandle handle = LockHandle.open(mapped.fd(), mapped.source());
        boolean ok = false;
        try
        {
            final int index;
            handle.lockAllocation();
            try
            {
                index = allocatePublisher(handle, options.isExclusive());
            }
            finally
            {
                handle.unlockAllocation();
            }
            final DataSignal signal = new DataSignal(ring.control(), index);
            final Liveness liveness = new Liveness(ring, handle, index + 1L);
            final Runnable release = () -> releasePublisher(handle, index);
            final Publisher publisher = options.isExclusive() ?
                new ExclusiveRingPublisher(ring, index, signal, liveness, release) :
                new SharedRingPublisher(ring, index, signal, liveness, release);
            participants.add(publisher);
            ok = true;
            LOG.info("publisher {} ({}) joined topic {} (pid {})", index, options, name, Linux.getpid());
            return publisher;
        }
        finally
        {
            if (!ok)
            {
                handle.close();
            }
        }
    }

    private int allocatePublisher(final LockHandle handle, final boolean exclusive)
    {
        final int exclusiveOwner = control.getIntVolatile(ControlDescriptor.EXCLUSIVE_PUBLISHER_OFFSET) - 1;
        if (exclusiveOwner >= 0)
        {
            if (exclusiveOwner < maxPublishers &&
                handle.isHeldElsewhere(LockDescriptor.publisherLockOffset(exclusiveOwner)))
            {
                throw new BusException("topic " + name + " has an exclusive publisher (slot " + exclusiveOwner +
                    ", pid " + control.getInt(ring.publisherSlot(exclusiveOwner) + PublisherSlotDescriptor.PID_OFFSET) +
                    "): no other publisher may attach while it is attached");
            }
        }
        int free = -1;
        int live = 0;
        for (int i = 0; i < maxPublishers; i++)
        {
            final int slot = ring.publisherSlot(i);
            final int state = control.getIntVolatile(slot + PublisherSlotDescriptor.STATE_OFFSET);
            final long lock = LockDescriptor.publisherLockOffset(i);
            if (state == PublisherSlotDescriptor.STATE_FREE)
            {
                if (free < 0 && handle.tryLock(lock))
                {
                    free = i;
                }
                continue;
            }
            if (handle.tryLock(lock))
            {
                // Its owner died without leaving: repair whatever it left in the ring, then reuse the slot; unless
                // the repair is undecided (a live publisher names its claim), then leave it for a later repair.
                if (!Repair.deadPublisher(ring, i, handle))
                {
                    handle.unlock(lock);
                    continue;
                }
                if (free < 0)
                {
                    free = i;
                }
                else
                {
                    handle.unlock(lock);
                }
                continue;
            }
            live++;
        }
        if (exclusive && live > 0)
        {
            if (free >= 0)
            {
                handle.unlock(LockDescriptor.publisherLockOffset(free));
            }
            throw new BusException("topic " + name + " has " + live + " publisher(s) attached: an exclusive " +
                "publisher must be the only one");
        }
        if (free < 0)
        {
            throw new BusException("topic " + name + " has no free publisher slot: all " + maxPublishers +
                " are taken by live publishers (raise maxPublishers when creating the topic)");
        }
        final int slot = ring.publisherSlot(free);
        control.setMemory(slot, PublisherSlotDescriptor.LENGTH, (byte)0);
        control.putLong(slot + PublisherSlotDescriptor.CLAIM_POSITION_OFFSET, -1);
        control.putInt(slot + PublisherSlotDescriptor.MODE_OFFSET,
            exclusive ? PublisherSlotDescriptor.MODE_EXCLUSIVE : PublisherSlotDescriptor.MODE_SHARED);
        control.putInt(slot + PublisherSlotDescriptor.PID_OFFSET, Linux.getpid());
        control.putLong(slot + PublisherSlotDescriptor.ATTACHED_MS_OFFSET, System.currentTimeMillis());
        control.putIntVolatile(slot + PublisherSlotDescriptor.STATE_OFFSET, PublisherSlotDescriptor.STATE_ACTIVE);
        control.putIntVolatile(ControlDescriptor.EXCLUSIVE_PUBLISHER_OFFSET, exclusive ? free + 1 : 0);
        control.getAndAddInt(ControlDescriptor.PUBLISHER_COUNT_OFFSET, 1);
        return free;
    }

    private void releasePublisher(final LockHandle handle, final int index)
    {
        try
        {
            if (!mapped.isClosed())
            {
                handle.lockAllocation();
                try
                {
                    final int slot = ring.publisherSlot(index);
                    if (control.getInt(ControlDescriptor.EXCLUSIVE_PUBLISHER_OFFSET) == index + 1)
                    {
                        control.putIntVolatile(ControlDescriptor.EXCLUSIVE_PUBLISHER_OFFSET, 0);
                    }
                    control.putIntVolatile(slot + PublisherSlotDescriptor.STATE_OFFSET,
                        PublisherSlotDescriptor.STATE_FREE);
                    control.getAndAddInt(ControlDescriptor.PUBLISHER_COUNT_OFFSET, -1);
                }
                finally
                {
                    handle.unlockAllocation();
                }
            }
        }
        catch (final InternalError error)
        {
            LOG.warn("publisher {} of topic {} left without updating its slot: {}", index, name, error.toString());
        }
        finally
        {
            handle.close();
            LOG.info("publisher {} left topic {}", index, name);
        }
    }

    @Override
    public Subscriber subscriber(final SubscriberOptions options)
    {
        checkOpen();
        try
        {
            return joinSubscriber(options);
        }
        catch (final InternalError error)
        {
            // The JVM's report of a fault on the mapping: the file was truncated under this process.
            throw ring.memoryFault(error, "joining a subscriber");
        }
    }

    private Subscriber joinSubscriber(final SubscriberOptions options)
    {
        checkOpen();
        final LockHandle handle = LockHandle.open(mapped.fd(), mapped.source());
        boolean ok = false;
        try
        {
            final int index;
            final boolean resumed;
            handle.lockAllocation();
            try
            {
                final int existing = options.policy() == SubscriberOptions.Policy.DURABLE ?
                    findDurable(handle, options.name()) : -1;
                resumed = existing >= 0;
                index = resumed ? existing : allocateSubscriber(handle, options);
            }
            finally
            {
                handle.unlockAllocation();
            }
            final Subscriber subscriber = join(handle, index, options, resumed);
            participants.add(subscriber);
            ok = true;
            LOG.info("subscriber {} ({}) {} topic {} at position {} (pid {})", index, options,
                resumed ? "resumed on" : "joined", name, subscriber.position(), Linux.getpid());
            return subscriber;
        }
        finally
        {
            if (!ok)
            {
                handle.close();
            }
        }
    }

    private int findDurable(final LockHandle handle, final String durableName)
    {
        for (int i = 0; i < maxSubscribers; i++)
        {
            final int slot = ring.subscriberSlot(i);
            final int state = control.getIntVolatile(slot + SubscriberSlotDescriptor.STATE_OFFSET);
            if (state == SubscriberSlotDescriptor.STATE_FREE ||
                control.getInt(slot + POLICY_OFFSET) != SubscriberSlotDescriptor.POLICY_DURABLE ||
                !durableName.equals(slotName(slot)))
            {
                continue;
            }
            if (!handle.tryLock(LockDescriptor.subscriberLockOffset(i)))
            {
                throw new BusException("durable subscriber '" + durableName + "' is already attached to topic " +
                    name + " (slot " + i + ", pid " + control.getInt(slot + SubscriberSlotDescriptor.PID_OFFSET) + ")");
            }
            if (state == SubscriberSlotDescriptor.STATE_ACTIVE)
            {
                Repair.deadDurableSubscriber(ring, i);
                LOG.warn("durable subscriber '{}' (slot {}) of topic {} died attached; resuming at its position {}",
                    durableName, i, name, control.getLongVolatile(slot + POSITION_OFFSET));
            }
            if (isExpired(slot, System.currentTimeMillis()))
            {
                freeDurable(i, "expired");
                handle.unlock(LockDescriptor.subscriberLockOffset(i));
                return -1; // starts afresh
            }
            return i;
        }
        return -1;
    }

    private int allocateSubscriber(final LockHandle handle, final SubscriberOptions options)
    {
        for (int i = 0; i < maxSubscribers; i++)
        {
            final int slot = ring.subscriberSlot(i);
            final int state = control.getIntVolatile(slot + SubscriberSlotDescriptor.STATE_OFFSET);
            if (state == SubscriberSlotDescriptor.STATE_DETACHED)
            {
                if (!isExpired(slot, System.currentTimeMillis()) ||
                    !handle.tryLock(LockDescriptor.subscriberLockOffset(i)))
                {
                    continue; // a durable subscriber's place, kept for its return
                }
                freeDurable(i, "expired"); // away longer than it asked to be kept: the slot is this joiner's
            }
            if (state == SubscriberSlotDescriptor.STATE_ACTIVE &&
                control.getInt(slot + POLICY_OFFSET) == SubscriberSlotDescriptor.POLICY_DURABLE)
            {
                continue; // live, or dead and to be resumed by name
            }
            if (!handle.tryLock(LockDescriptor.subscriberLockOffset(i)))
            {
                continue;
            }
            if (state == SubscriberSlotDescriptor.STATE_ACTIVE)
            {
                Repair.deadSubscriber(ring, i);
            }
            control.setMemory(slot, SubscriberSlotDescriptor.LENGTH, (byte)0);
            control.putInt(slot + POLICY_OFFSET, policyCode(options.policy()));
            control.putInt(slot + SubscriberSlotDescriptor.PID_OFFSET, Linux.getpid());
            if (null != options.name())
            {
                final byte[] bytes = options.name().getBytes(StandardCharsets.US_ASCII);
                control.putBytes(slot + NAME_OFFSET, bytes);
                control.putInt(slot + NAME_LENGTH_OFFSET, bytes.length);
            }
            return i; // counted in subscriberCount once joined, see join()
        }
        throw new BusException("topic " + name + " has no free subscriber slot: all " + maxSubscribers +
            " are taken (" + describeSubscriberSlots(handle) + "); drop durable subscriptions that are no longer " +
            "needed (Topic.dropDurable, shmbus drop-durable), give them an expiry, or raise maxSubscribers when " +
            "creating the topic");
    }

    private String describeSubscriberSlots(final LockHandle handle)
    {
        final StringBuilder sb = new StringBuilder();
        final long nowMs = System.currentTimeMillis();
        for (int i = 0; i < maxSubscribers; i++)
        {
            final int slot = ring.subscriberSlot(i);
            final int state = control.getIntVolatile(slot + SubscriberSlotDescriptor.STATE_OFFSET);
            final int policy = control.getInt(slot + POLICY_OFFSET);
            if (sb.length() > 0)
            {
                sb.append("; ");
            }
            sb.append("slot ").append(i).append(": ");
            if (policy == SubscriberSlotDescriptor.POLICY_DURABLE)
            {
                sb.append("durable '").append(slotName(slot)).append('\'');
            }
            else
            {
                sb.append(policy == SubscriberSlotDescriptor.POLICY_UNTETHERED ? "untethered" : "tethered");
            }
            if (state == SubscriberSlotDescriptor.STATE_DETACHED)
            {
                sb.append(" away for ")
                    .append((nowMs - control.getLong(slot + SubscriberSlotDescriptor.DETACHED_MS_OFFSET)) / 1000)
                    .append(" s");
            }
            else
            {
                sb.append(" pid ").append(control.getInt(slot + SubscriberSlotDescriptor.PID_OFFSET))
                    .append(handle.isHeldElsewhere(LockDescriptor.subscriberLockOffset(i)) ? "" : " (this process)");
            }
        }
        return sb.toString();
    }

    private boolean isExpired(final int slot, final long nowMs)
    {
        final long expireMs = control.getLong(slot + SubscriberSlotDescriptor.EXPIRE_MS_OFFSET);
        return expireMs >= 0 &&
            control.getIntVolatile(slot + SubscriberSlotDescriptor.STATE_OFFSET) ==
                SubscriberSlotDescriptor.STATE_DETACHED &&
            nowMs - control.getLong(slot + SubscriberSlotDescriptor.DETACHED_MS_OFFSET) > expireMs;
    }

    /**
     * Free a durable subscriber's slot that is away. The caller holds the allocation lock and the slot's lock. The
     * state goes first, so that a publisher looking for the slowest subscriber stops counting it before its position
     * is cleared; then it leaves the connected count, and the slot is cleared.
     */
    private void freeDurable(final int index, final String why)
    {
        final int slot = ring.subscriberSlot(index);
        final String durableName = slotName(slot);
        final long position = control.getLongVolatile(slot + POSITION_OFFSET);
        control.putIntVolatile(slot + SubscriberSlotDescriptor.STATE_OFFSET, SubscriberSlotDescriptor.STATE_FREE);
        if (control.getIntVolatile(slot + SubscriberSlotDescriptor.COUNTED_OFFSET) != 0)
        {
            control.getAndAddInt(ControlDescriptor.SUBSCRIBER_COUNT_OFFSET, -1);
        }
        control.setMemory(slot, SubscriberSlotDescriptor.LENGTH, (byte)0);
        SpaceSignal.wakeAll(control); // publishers it held back may have room now
        LOG.info("durable subscription '{}' (slot {}) of topic {} {} at position {}", durableName, index, name, why,
            position);
    }

    @Override
    public boolean dropDurable(final String durableName)
    {
        checkOpen();
        SubscriberOptions.durable(durableName); // validates the name
        try (LockHandle handle = LockHandle.open(mapped.fd(), mapped.source()))
        {
            handle.lockAllocation();
            try
            {
                for (int i = 0; i < maxSubscribers; i++)
                {
                    final int slot = ring.subscriberSlot(i);
                    final int state = control.getIntVolatile(slot + SubscriberSlotDescriptor.STATE_OFFSET);
                    if (state == SubscriberSlotDescriptor.STATE_FREE ||
                        control.getInt(slot + POLICY_OFFSET) != SubscriberSlotDescriptor.POLICY_DURABLE ||
                        !durableName.equals(slotName(slot)))
                    {
                        continue;
                    }
                    final long lock = LockDescriptor.subscriberLockOffset(i);
                    if (!handle.tryLock(lock))
                    {
                        throw new BusException("durable subscriber '" + durableName + "' of topic " + name +
                            " is attached (slot " + i + ", pid " +
                            control.getInt(slot + SubscriberSlotDescriptor.PID_OFFSET) +
                            "): close it before dropping it");
                    }
                    try
                    {
                        if (state == SubscriberSlotDescriptor.STATE_ACTIVE)
                        {
                            Repair.deadDurableSubscriber(ring, i); // its process died attached
                        }
                        freeDurable(i, "dropped");
                    }
                    finally
                    {
                        handle.unlock(lock);
                    }
                    return true;
                }
                return false;
            }
            finally
            {
                handle.unlockAllocation();
            }
        }
        catch (final InternalError error)
        {
            throw ring.memoryFault(error, "dropping a durable subscription");
        }
    }

    private static int policyCode(final SubscriberOptions.Policy policy)
    {
        return switch (policy)
        {
            case TETHERED -> SubscriberSlotDescriptor.POLICY_TETHERED;
            case UNTETHERED -> SubscriberSlotDescriptor.POLICY_UNTETHERED;
            case DURABLE -> SubscriberSlotDescriptor.POLICY_DURABLE;
        };
    }

    private String slotName(final int slot)
    {
        final int length = control.getInt(slot + NAME_LENGTH_OFFSET);
        if (length <= 0 || length > SubscriberSlotDescriptor.MAX_NAME_BYTES)
        {
            return "";
        }
        return control.getStringWithoutLengthAscii(slot + NAME_OFFSET, length);
    }

    /**
     * Make the slot active at a start position publishers will respect.
     *
     * <p>Tethered join race: a cleaning round reads the subscriber slots, then walks and zeroes. A joiner that
     * stored its position after the round read the slots would be ignored by that round. So the joiner
     * stores its position (volatile), then waits until no round is running (cleanLock free and cleanIntent
     * equal to cleanLimit), then moves its position up to the oldest retained record if a round passed it.
     * A round that starts after the joiner saw the quiet state takes the lock after the joiner's store and
     * reads the slots after that, so it sees the joiner (both sides store, then load, with full fences).
     *
     * <p>Durable subscribers also keep their message index (messages before their position), so that when
     * one returns after publishers reused the ring over what it had not read (its hold limit passed), the
     * gap is reported exactly.
     */
    private Subscriber join(
        final LockHandle handle, final int index, final SubscriberOptions options, final boolean resumed)
    {
        final int slot = ring.subscriberSlot(index);
        final Liveness liveness = new Liveness(ring, handle, -(index + 1L));
        final Runnable release = () -> releaseSubscriber(handle, index, options.policy());
        final SubscriberOptions.Policy policy = options.policy();
        final boolean durable = policy == SubscriberOptions.Policy.DURABLE;
        control.putInt(slot + SubscriberSlotDescriptor.PID_OFFSET, Linux.getpid());
        control.putLong(slot + SubscriberSlotDescriptor.ATTACHED_MS_OFFSET, System.currentTimeMillis());
        control.putLong(slot + SubscriberSlotDescriptor.HOLD_LIMIT_MS_OFFSET,
            options.holdLimitNs() < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(options.holdLimitNs()));
        control.putLong(slot + SubscriberSlotDescriptor.EXPIRE_MS_OFFSET,
            options.expireAfterNs() < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(options.expireAfterNs()));
        // A demotable tethered subscriber reads as an untethered one from its join (see SlowConsumerPolicy), so it
        // needs its message index from the start, as an untethered one does.
        final boolean demotable = options.slowConsumerPolicy() != io.shmbus.SlowConsumerPolicy.KEEP;
        // a returning durable one holds again
        control.putIntVolatile(slot + SubscriberSlotDescriptor.DEMOTED_OFFSET, 0);
        control.putInt(slot + SubscriberSlotDescriptor.SLOW_POLICY_OFFSET, SubscriberSlotDescriptor.SLOW_KEEP);
        if (demotable)
        {
            control.putLong(slot + SubscriberSlotDescriptor.SLOW_TIMEOUT_MS_OFFSET,
                Math.max(1, TimeUnit.NANOSECONDS.toMillis(options.slowConsumerTimeoutNs())));
            control.putInt(slot + SubscriberSlotDescriptor.SLOW_POLICY_OFFSET, SubscriberSlotDescriptor.SLOW_DEMOTE);
        }

        if (FaultPoints.ANY)
        {
            FaultPoints.reach(FaultPoints.JOIN_SLOT, index);
        }
        final long[] start = new long[2];
        final RoundWait roundWait = new RoundWait(ring, liveness, JOIN_TIMEOUT_NS, -(index + 1));
        if (resumed)
        {
            start[0] = ring.checkPosition(control.getLongVolatile(slot + POSITION_OFFSET),
                "durable subscriber position");
            start[1] = control.getLongVolatile(slot + SubscriberSlotDescriptor.MESSAGE_INDEX_OFFSET);
            final long tail = ring.checkPosition(ring.tail(), "tail");
            if (start[0] > tail || start[1] < -1)
            {
                throw ring.corrupt("durable subscriber '" + options.name() + "' has position " + start[0] +
                    " and message index " + start[1] + " with the tail at " + tail);
            }
        }
        else if (policy == SubscriberOptions.Policy.TETHERED && !demotable &&
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

        if (policy == SubscriberOptions.Policy.UNTETHERED)
        {
            control.putLongVolatile(slot + POSITION_OFFSET, start[0]);
            control.putIntVolatile(slot + SubscriberSlotDescriptor.STATE_OFFSET, SubscriberSlotDescriptor.STATE_ACTIVE);
            final Subscriber subscriber = new UntetheredRingSubscriber(
                ring, index, start[0], start[1], options.lossHandler(), options.waitStrategy(), liveness, release);
            connected(slot);
            return subscriber;
        }

        long position = start[0];
        long messageIndex = start[1];
        long lostMessages = 0;
        long lostBytes = 0;
        final long lostFrom = position;
        control.putLongVolatile(slot + POSITION_OFFSET, position);
        control.putLongVolatile(slot + SubscriberSlotDescriptor.MESSAGE_INDEX_OFFSET, messageIndex);
        control.putIntVolatile(slot + SubscriberSlotDescriptor.STATE_OFFSET, SubscriberSlotDescriptor.STATE_ACTIVE);
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
                control.putLongVolatile(slot + SubscriberSlotDescriptor.MESSAGE_INDEX_OFFSET, messageIndex);
                control.putLongVolatile(slot + POSITION_OFFSET, position);
                continue;
            }
            if (resumed && !recountIndex(slot, position, messageIndex, roundWait))
            {
                continue; // lapped while counting: look again
            }
            break;
        }
        messageIndex = control.getLongVolatile(slot + SubscriberSlotDescriptor.MESSAGE_INDEX_OFFSET);
        if (demotable)
        {
            final UntetheredRingSubscriber subscriber = new UntetheredRingSubscriber(ring, index, position,
                messageIndex, options.lossHandler(), options.waitStrategy(), liveness, release,
                new SpaceSignal(ring.control()), durable);
            if (resumed && lostBytes > 0)
            {
                LOG.warn("durable subscriber '{}' of topic {} was away past its hold limit: {} messages ({} bytes) " +
                    "were overwritten; resuming at {}", options.name(), name, lostMessages, lostBytes, position);
                subscriber.reportLossAtJoin(lostMessages, lostBytes, lostFrom, position);
            }
            connected(slot);
            return subscriber;
        }
        if (lostBytes > 0 && resumed)
        {
            LOG.warn("durable subscriber '{}' of topic {} was away past its hold limit: {} messages ({} bytes) " +
                "were overwritten; resuming at {}", options.name(), name, lostMessages, lostBytes, position);
        }
        final Subscriber subscriber = new TetheredRingSubscriber(
            ring, index, position, new SpaceSignal(ring.control()), options.waitStrategy(), liveness, release, durable,
            messageIndex, options.lossHandler(), resumed ? lostMessages : 0, resumed ? lostBytes : 0, lostFrom);
        connected(slot);
        return subscriber;
    }

    /**
     * A durable subscriber resuming within the retained records: its message index is counted again from the oldest
     * record rather than taken from the slot. A poll stores the index before the position, so one killed between
     * the two left an index that already counts the batch it will be given again; counting settles it. (Resuming
     * lapped, it keeps the stored index, which counts exactly what it was given: its loss is what it never saw.)
     *
     * @return true when the index in the slot is now right for the position; false when the walk was lapped.
     */
    /**
     * A slot's owner is alive when another open file description holds its lock and that holder is not a repairer
     * (which marks the slot before it works on it and clears the mark before it lets the lock go).
     */
    private boolean isAlive(final LockHandle handle, final long lockOffset, final int repairingOffset)
    {
        return handle.isHeldElsewhere(lockOffset) && control.getIntVolatile(repairingOffset) == 0;
    }

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
                slot, name, stored, position, counted[1]);
            control.putLongVolatile(slot + SubscriberSlotDescriptor.MESSAGE_INDEX_OFFSET, counted[1]);
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

    private void releaseSubscriber(final LockHandle handle, final int index, final SubscriberOptions.Policy policy)
    {
        try
        {
            if (!mapped.isClosed())
            {
                handle.lockAllocation();
                try
                {
                    final int slot = ring.subscriberSlot(index);
                    if (policy == SubscriberOptions.Policy.DURABLE)
                    {
                        control.putLong(slot + SubscriberSlotDescriptor.DETACHED_MS_OFFSET, System.currentTimeMillis());
                        control.putIntVolatile(slot + SubscriberSlotDescriptor.STATE_OFFSET,
                            SubscriberSlotDescriptor.STATE_DETACHED);
                    }
                    else
                    {
                        control.putIntVolatile(slot + SubscriberSlotDescriptor.STATE_OFFSET,
                            SubscriberSlotDescriptor.STATE_FREE);
                        if (control.getIntVolatile(slot + SubscriberSlotDescriptor.COUNTED_OFFSET) != 0)
                        {
                            control.getAndAddInt(ControlDescriptor.SUBSCRIBER_COUNT_OFFSET, -1);
                        }
                    }
                }
                finally
                {
                    handle.unlockAllocation();
                }
                if (policy == SubscriberOptions.Policy.TETHERED)
                {
                    SpaceSignal.wakeAll(control); // publishers it held back may have room now
                }
            }
        }
        catch (final InternalError error)
        {
            LOG.warn("subscriber {} of topic {} left without updating its slot: {}", index, name, error.toString());
        }
        finally
        {
            handle.close();
            LOG.info("subscriber {} left topic {}", index, name);
        }
    }

    @Override
    public boolean isAnonymous()
    {
        return (mapped.flags() & io.shmbus.impl.layout.TopicHeaderDescriptor.FLAG_ANONYMOUS) != 0;
    }

    @Override
    public io.shmbus.TopicShare share(final io.shmbus.ShareOptions shareOptions)
    {
        checkOpen();
        if (!isAnonymous())
        {
            throw new BusException("topic " + name + " is named: other processes open it by name in the bus " +
                "directory; only anonymous topics are shared over a socket");
        }
        final io.shmbus.impl.anonymous.TopicSharer sharer =
            new io.shmbus.impl.anonymous.TopicSharer(shareOptions, mapped.fd(), name);
        participants.add(sharer);
        return sharer;
    }

    @Override
    public io.shmbus.TopicStatus status()
    {
        checkOpen();
        try
        {
            return readStatus();
        }
        catch (final InternalError error)
        {
            // The JVM's report of a fault on the mapping: the file was truncated under this process.
            throw ring.memoryFault(error, "reading its status");
        }
    }

    private io.shmbus.TopicStatus readStatus()
    {
        checkOpen();
        final java.util.List<io.shmbus.TopicStatus.PublisherStatus> publishers = new java.util.ArrayList<>();
        final java.util.List<io.shmbus.TopicStatus.SubscriberStatus> subscribers = new java.util.ArrayList<>();
        final long tail = ring.tail();
        try (LockHandle handle = LockHandle.open(mapped.fd(), mapped.source()))
        {
            final int exclusive = control.getIntVolatile(ControlDescriptor.EXCLUSIVE_PUBLISHER_OFFSET) - 1;
            for (int i = 0; i < maxPublishers; i++)
            {
                final int slot = ring.publisherSlot(i);
                if (control.getIntVolatile(slot + PublisherSlotDescriptor.STATE_OFFSET) ==
                    PublisherSlotDescriptor.STATE_FREE)
                {
                    continue;
                }
                final boolean isExclusive = exclusive == i;
                final long published = isExclusive ?
                    control.getLongVolatile(slot + PublisherSlotDescriptor.PUBLISHED_MESSAGES_OFFSET) : -1;
                final long wakesIssued = control.getLongVolatile(slot + PublisherSlotDescriptor.WAKES_ISSUED_OFFSET);
                publishers.add(new io.shmbus.TopicStatus.PublisherStatus(
                    i,
                    control.getInt(slot + PublisherSlotDescriptor.PID_OFFSET),
                    isAlive(handle, LockDescriptor.publisherLockOffset(i),
                        slot + PublisherSlotDescriptor.REPAIRING_OFFSET),
                    isExclusive,
                    published,
                    control.getLongVolatile(slot + PublisherSlotDescriptor.BACK_PRESSURED_OFFSET),
                    wakesIssued,
                    // Every commit either wakes or finds nobody asleep: skipped ones need no counter of their own.
                    isExclusive ? Math.max(0, published - wakesIssued) : -1,
                    control.getLongVolatile(slot + PublisherSlotDescriptor.ADMIN_ACTIONS_OFFSET)));
            }
            for (int j = 0; j < maxSubscribers; j++)
            {
                final int slot = ring.subscriberSlot(j);
                final int state = control.getIntVolatile(slot + SubscriberSlotDescriptor.STATE_OFFSET);
                if (state == SubscriberSlotDescriptor.STATE_FREE)
                {
                    continue;
                }
                final int policy = control.getInt(slot + POLICY_OFFSET);
                final long position = control.getLongVolatile(slot + POSITION_OFFSET);
                subscribers.add(new io.shmbus.TopicStatus.SubscriberStatus(
                    j,
                    control.getInt(slot + SubscriberSlotDescriptor.PID_OFFSET),
                    isAlive(handle, LockDescriptor.subscriberLockOffset(j),
                        slot + SubscriberSlotDescriptor.REPAIRING_OFFSET),
                    state == SubscriberSlotDescriptor.STATE_DETACHED ? "detached" : "active",
                    policy == SubscriberSlotDescriptor.POLICY_UNTETHERED ? SubscriberOptions.Policy.UNTETHERED :
                        policy == SubscriberSlotDescriptor.POLICY_DURABLE ? SubscriberOptions.Policy.DURABLE :
                        SubscriberOptions.Policy.TETHERED,
                    policy == SubscriberSlotDescriptor.POLICY_DURABLE ? slotName(slot) : null,
                    position,
                    Math.max(0, tail - position),
                    control.getLongVolatile(slot + SubscriberSlotDescriptor.DELIVERED_OFFSET),
                    control.getLongVolatile(slot + SubscriberSlotDescriptor.LOST_MESSAGES_OFFSET),
                    control.getLongVolatile(slot + SubscriberSlotDescriptor.WAITS_OFFSET),
                    control.getLongVolatile(slot + SubscriberSlotDescriptor.WAIT_TIMEOUTS_OFFSET),
                    control.getIntVolatile(slot + SubscriberSlotDescriptor.DEMOTED_OFFSET) != 0));
            }
        }
        return new io.shmbus.TopicStatus(
            name,
            tail,
            ring.cleanLimit() - ring.capacity(),
            ring.capacity(),
            control.getLongVolatile(ControlDescriptor.REPAIRS_OFFSET),
            control.getLongVolatile(ControlDescriptor.RECLAIMS_OFFSET),
            java.util.List.copyOf(publishers),
            java.util.List.copyOf(subscribers),
            control.getLongVolatile(ControlDescriptor.TAKEOVERS_OFFSET),
            control.getLongVolatile(ControlDescriptor.CLEAN_HOLES_OFFSET),
            control.getLongVolatile(ControlDescriptor.DEMOTIONS_OFFSET));
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("topic " + name + " is closed");
        }
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final AutoCloseable participant : participants)
        {
            try
            {
                participant.close();
            }
            catch (final Exception | InternalError ex)
            {
                // InternalError: the JVM's report of a fault on the mapping (the file was truncated).
                LOG.warn("closing a participant of topic {} failed: {}", name, ex.toString());
            }
        }
        participants.clear();
        mapped.close();
        onClose.accept(this);
    }

    @Override
    public String toString()
    {
        return "Topic{" + name + ", " + options + '}';
    }
}
