package io.shmbus.impl.ring;

import io.shmbus.MessageHandler;
import io.shmbus.Subscriber;
import io.shmbus.WaitStrategy;
import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.layout.SubscriberSlotDescriptor;
import io.shmbus.impl.liveness.Liveness;
import io.shmbus.impl.signal.DataSignal;
import io.shmbus.impl.signal.Sleeper;
import io.shmbus.impl.signal.WaitTarget;
import io.shmbus.impl.signal.Waiter;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What tethered and untethered subscribers share: their slot, closing, and waiting for messages with a
 * {@link WaitStrategy} (sleeping on the topic's data futex, see {@link io.shmbus.impl.signal.DataSignal}).
 *
 * <h2>Why polls catch {@link InternalError} twice</h2>
 * When a topic's file is truncated under the mapping, the JVM turns the SIGBUS of an access into an
 * InternalError, which shmbus reports as a {@code TopicCorruptedException}. But for an access in JIT-compiled code
 * the JVM only records the fault and throws at the thread's next safepoint check, which may come after the
 * access's try block (in a finally block) or at the method's return, in the caller's frame. So each poll runs its
 * loop in a method of its own, too large for the JIT to inline (more than 325 bytes of bytecode), and catches
 * the error around that call as well: a late report still arrives inside that catch, because the inner method's
 * return is a safepoint check. Short calls (offers, claims) cannot be laid out so: there the first report of a
 * fault may be the JVM's own InternalError, thrown just after the call returned.
 */
public abstract class RingSubscriber implements Subscriber, WaitTarget
{
    /** Longest single futex sleep: how often a sleeping subscriber looks for a dead publisher's claim. */
    static final long SLEEP_SLICE_NS = 100_000_000;
    /** Longest single futex sleep while no claim is outstanding at the subscriber's position. */
    static final long IDLE_SLEEP_SLICE_NS = 1_000_000_000;

    protected final Ring ring;
    protected final UnsafeBuffer control;
    protected final UnsafeBuffer data;
    protected final int mask;
    protected final int capacity;
    protected final int headerLength;
    protected final int slotOffset;
    protected final int subscriberId;
    private final Runnable onClose;
    private final Liveness liveness;
    private final io.shmbus.LossHandler lossHandler;
    private int emptyPolls;
    /** The next position to read (a record boundary). */
    protected long position;
    /** Messages delivered so far (kept in the slot too). */
    protected long delivered;
    private long lostMessages;
    private long lostBytes;
    private final Waiter waiter;
    private volatile boolean closed;

    protected RingSubscriber(
        final Ring ring,
        final int subscriberId,
        final long startPosition,
        final WaitStrategy waitStrategy,
        final io.shmbus.LossHandler lossHandler,
        final Liveness liveness,
        final Runnable onClose)
    {
        this.liveness = liveness;
        this.lossHandler = lossHandler;
        this.position = startPosition;
        this.ring = ring;
        this.control = ring.control;
        this.data = ring.readOnlyData;
        this.mask = ring.mask;
        this.capacity = ring.capacity;
        this.headerLength = ring.headerLength;
        this.subscriberId = subscriberId;
        this.slotOffset = ring.subscriberSlot(subscriberId);
        this.onClose = onClose;
        this.delivered = control.getLong(slotOffset + SubscriberSlotDescriptor.DELIVERED_OFFSET);
        this.lostMessages = control.getLong(slotOffset + SubscriberSlotDescriptor.LOST_MESSAGES_OFFSET);
        this.lostBytes = control.getLong(slotOffset + SubscriberSlotDescriptor.LOST_BYTES_OFFSET);
        final Sleeper sleeper = new Sleeper(
            control,
            ControlDescriptor.DATA_SIGNAL_OFFSET,
            ControlDescriptor.DATA_WAITERS_OFFSET,
            ControlDescriptor.BLOCKING_SUBSCRIBERS_OFFSET,
            slotOffset + SubscriberSlotDescriptor.WAITS_OFFSET,
            slotOffset + SubscriberSlotDescriptor.WAIT_TIMEOUTS_OFFSET,
            slotOffset + SubscriberSlotDescriptor.SLEEPING_OFFSET);
        this.waiter = new Waiter(waitStrategy, sleeper, this::isReadySpinning, this::isReady, this::sleepSliceNs);
        if (waitStrategy.kind() == WaitStrategy.Kind.SPIN_YIELD_FUTEX)
        {
            // Register before the first wait, so that the fallback's global barrier (where the expedited one is not
            // available) is paid at attach, not in a hot moment.
            registerSleeper(sleeper);
        }
    }

    /**
     * @param force whether to look for a dead publisher's claim at the position now (as waits before a sleep do)
     *              or only every 1024th call (as spinning waits do, which must not read the clock every turn).
     * @return true when {@link #poll(MessageHandler, int)} would find something to do (a message, padding,
     * or a gap to report), or the subscriber was closed.
     */
    protected abstract boolean hasWork(boolean force);

    /**
     * Count a gap, keep the counts in the slot, and tell the loss handler.
     *
     * @param messages the messages skipped.
     * @param bytes    the bytes of the stream skipped.
     * @param from     where the gap starts.
     * @param to       where reading resumes.
     */
    protected final void recordLoss(final long messages, final long bytes, final long from, final long to)
    {
        lostMessages += messages;
        lostBytes += bytes;
        control.putLongRelease(slotOffset + SubscriberSlotDescriptor.LOST_MESSAGES_OFFSET, lostMessages);
        control.putLongRelease(slotOffset + SubscriberSlotDescriptor.LOST_BYTES_OFFSET, lostBytes);
        if (null != lossHandler)
        {
            lossHandler.onLoss(messages, bytes, from, to);
        }
    }

    @Override
    public final long position()
    {
        return position;
    }

    @Override
    public final long deliveredMessages()
    {
        return delivered;
    }

    @Override
    public final long lostMessages()
    {
        return lostMessages;
    }

    @Override
    public final long lostBytes()
    {
        return lostBytes;
    }

    /**
     * Called when nothing could be read at {@code position}: every 1024th time (or always, when
     * {@code force}), and at most once a millisecond, look whether the record there was claimed by a
     * publisher that died, and repair it.
     *
     * @param position the position where reading stopped.
     * @param force    skip the call counter (from wait loops, which call rarely).
     */
    protected final void checkStuck(final long position, final boolean force)
    {
        if ((force || (++emptyPolls & 1023) == 0) && liveness.due() && position < ring.tail())
        {
            liveness.repairStuck(position);
        }
    }

    /**
     * How long one futex sleep may last: short (100 ms) while a claim is outstanding at this subscriber's
     * position (the tail is past it), so a publisher that died holding it is found quickly; long (1 s) when
     * the subscriber is simply caught up, so an idle subscriber wakes once a second, not ten times. (A claim
     * taken while it sleeps is committed, which wakes it, or its publisher died, which the next slice finds.)
     *
     * @return the slice in nanoseconds.
     */
    private long sleepSliceNs()
    {
        return position < ring.tail() ? SLEEP_SLICE_NS : IDLE_SLEEP_SLICE_NS;
    }

    /**
     * @return true when a poll has something to do, or the subscriber was closed.
     */
    public final boolean isReady()
    {
        try
        {
            return closed || hasWork(true);
        }
        catch (final InternalError error)
        {
            throw ring.memoryFault(error);
        }
    }

    /**
     * As {@link #isReady()}, for spinning and yielding waits: looks for a dead publisher's claim only every 1024th
     * call, so a spinning wait reads no clock on most turns.
     *
     * @return true when a poll has something to do, or the subscriber was closed.
     */
    public final boolean isReadySpinning()
    {
        try
        {
            return closed || hasWork(false);
        }
        catch (final InternalError error)
        {
            throw ring.memoryFault(error);
        }
    }

    /**
     * Register as a subscriber that may sleep (for wait sets); idempotent.
     */
    public final void ensureBlocking()
    {
        if (!waiter.sleeper().isRegistered())
        {
            registerSleeper(waiter.sleeper());
        }
    }

    private void registerSleeper(final Sleeper sleeper)
    {
        sleeper.registerBlocking();
        if (sleeper.isCounted())
        {
            // Only the fallback counts in blockingSubscribers; the flag tells a repair to take a dead owner out.
            control.putIntVolatile(slotOffset + SubscriberSlotDescriptor.BLOCKING_OFFSET, 1);
        }
    }

    /**
     * Count a futex sleep made for this subscriber by a wait set, in its slot's {@code waits}.
     */
    public final void countWait()
    {
        addToSlot(SubscriberSlotDescriptor.WAITS_OFFSET);
    }

    /**
     * Count a wait of a wait set that ended by timeout, in this subscriber's slot's {@code waitTimeouts}.
     */
    public final void countWaitTimeout()
    {
        addToSlot(SubscriberSlotDescriptor.WAIT_TIMEOUTS_OFFSET);
    }

    private void addToSlot(final int field)
    {
        try
        {
            control.putLongRelease(slotOffset + field, control.getLong(slotOffset + field) + 1);
        }
        catch (final InternalError error)
        {
            throw ring.memoryFault(error);
        }
    }

    /**
     * @return the address of the topic's data futex word.
     */
    public final long dataSignalAddress()
    {
        return control.addressOffset() + ControlDescriptor.DATA_SIGNAL_OFFSET;
    }

    /**
     * @return the current value of the topic's data futex word.
     */
    public final int dataSignalValue()
    {
        try
        {
            return control.getIntVolatile(ControlDescriptor.DATA_SIGNAL_OFFSET);
        }
        catch (final InternalError error)
        {
            throw ring.memoryFault(error);
        }
    }

    /**
     * Count this thread in or out of the topic's sleeping subscribers (an atomic add), for a wait set: it forces the
     * cross-process barrier itself, once for all its topics, after counting in (see {@code ProcessBarrier}).
     *
     * @param delta +1 before sleeping, -1 after.
     */
    public final void addDataWaiter(final int delta)
    {
        try
        {
            waiter.sleeper().addWaiter(delta, false);
        }
        catch (final InternalError error)
        {
            throw ring.memoryFault(error);
        }
    }

    @Override
    public final int poll(final MessageHandler handler, final int messageLimit, final long timeoutNs)
    {
        try
        {
            return pollWaiting(handler, messageLimit, timeoutNs);
        }
        catch (final InternalError error)
        {
            // A fault reported late, at a safepoint check of the wait loop itself rather than inside a poll or a wait.
            throw ring.memoryFault(error);
        }
    }

    private int pollWaiting(final MessageHandler handler, final int messageLimit, final long timeoutNs)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        while (!closed)
        {
            final int count = poll(handler, messageLimit);
            if (count > 0)
            {
                return count;
            }
            final long remaining = deadline - System.nanoTime();
            if (remaining <= 0 || !await(remaining))
            {
                return 0;
            }
        }
        return 0;
    }

    @Override
    public final boolean awaitMessage(final long timeoutNs)
    {
        try
        {
            return await(timeoutNs) && !closed;
        }
        catch (final InternalError error)
        {
            throw ring.memoryFault(error);
        }
    }

    /**
     * Wait, turning the JVM's report of a fault on the mapping (the file was truncated: the waiter reads and writes
     * the control region) into a TopicCorruptedException, as polls do.
     */
    private boolean await(final long timeoutNs)
    {
        try
        {
            return waiter.await(timeoutNs);
        }
        catch (final InternalError error)
        {
            throw ring.memoryFault(error);
        }
    }

    @Override
    public final IdleStrategy idleStrategy(final long maxSleepNs)
    {
        final IdleStrategy idle = waiter.idleStrategy(maxSleepNs);
        return new IdleStrategy()
        {
            @Override
            public void idle(final int workCount)
            {
                try
                {
                    idle.idle(workCount);
                }
                catch (final InternalError error)
                {
                    throw ring.memoryFault(error);
                }
            }

            @Override
            public void idle()
            {
                try
                {
                    idle.idle();
                }
                catch (final InternalError error)
                {
                    throw ring.memoryFault(error);
                }
            }

            @Override
            public void reset()
            {
                idle.reset();
            }

            @Override
            public String alias()
            {
                return idle.alias();
            }
        };
    }

    @Override
    public final int id()
    {
        return subscriberId;
    }

    @Override
    public final boolean isClosed()
    {
        return closed;
    }

    /**
     * @return true when registered as a subscriber that may sleep.
     */
    public final boolean isBlocking()
    {
        return waiter.sleeper().isRegistered();
    }

    /**
     * Leave the topic; a thread sleeping in a wait of this subscriber is woken. Idempotent.
     */
    @Override
    public final void close()
    {
        if (!closed)
        {
            closed = true;
            try
            {
                if (waiter.sleeper().isRegistered())
                {
                    // A thread may sleep in a wait of this subscriber: bump the data word and wake the topic's
                    // sleepers (the others look again and sleep on). A wait whose last look missed closed read the
                    // word before this bump, so the kernel refuses its sleep or it is woken here.
                    DataSignal.wakeAll(control);
                    // Flag first, count second: killed between the two, the count stays one too high (needless
                    // fences), never one too low after a repair subtracts it again.
                    control.putIntVolatile(slotOffset + SubscriberSlotDescriptor.BLOCKING_OFFSET, 0);
                    waiter.sleeper().unregisterBlocking();
                }
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
}
