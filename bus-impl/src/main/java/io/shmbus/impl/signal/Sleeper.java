package io.shmbus.impl.signal;

import io.shmbus.impl.platform.Linux;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.BooleanSupplier;

/**
 * Sleeps on one futex word of a topic's control region until a condition holds or a timeout passes: the
 * waiting half of {@link DataSignal} (subscribers waiting for data) and of {@link SpaceSignal} (publishers
 * waiting for space).
 *
 * <p>One wait: read the signal word, add one to the waiters count (an atomic add), force the cross-process
 * barrier ({@link ProcessBarrier#issue()}), check the condition again, then {@code FUTEX_WAIT} on the word with
 * the value read first; remove the waiter in {@code finally}. The argument that no wake-up is lost is in
 * {@link DataSignal}: the barrier is what lets the other side skip its fence.
 *
 * <p>Where this process cannot issue that barrier, a sleeper instead registers once, before its first wait, in
 * the topic's fenced-waiters count ({@code blockingOffset}), followed by {@code membarrier(MEMBARRIER_CMD_GLOBAL)},
 * so that the other side sees the count with a plain load and then fences. Where the kernel lacks membarrier
 * altogether, waits are cut into slices of {@value #FALLBACK_SLICE_NS} ns, which bounds how late a wake-up can
 * be in that window; a log line says so once.
 */
public final class Sleeper
{
    private static final Logger LOG = LoggerFactory.getLogger(Sleeper.class);
    static final long FALLBACK_SLICE_NS = 1_000_000;
    private static volatile boolean warned;

    private final UnsafeBuffer control;
    private final int signalOffset;
    private final int waitersOffset;
    private final int blockingOffset;
    private final long signalAddress;
    private final int waitsCounterOffset;
    private final int timeoutsCounterOffset;
    private final int sleepingFlagOffset;
    private boolean registered;
    private boolean counted;
    private boolean sliced;

    /**
     * @param control               the control region.
     * @param signalOffset          the futex word.
     * @param waitersOffset         the count of sleepers.
     * @param blockingOffset        the count of participants that may sleep.
     * @param waitsCounterOffset    where to count sleeps, or -1.
     * @param timeoutsCounterOffset where to count timeouts, or -1.
     * @param sleepingFlagOffset    a flag set while counted as a waiter, for repairs, or -1.
     */
    public Sleeper(
        final UnsafeBuffer control,
        final int signalOffset,
        final int waitersOffset,
        final int blockingOffset,
        final int waitsCounterOffset,
        final int timeoutsCounterOffset,
        final int sleepingFlagOffset)
    {
        this.sleepingFlagOffset = sleepingFlagOffset;
        this.control = control;
        this.signalOffset = signalOffset;
        this.waitersOffset = waitersOffset;
        this.blockingOffset = blockingOffset;
        this.signalAddress = control.addressOffset() + signalOffset;
        this.waitsCounterOffset = waitsCounterOffset;
        this.timeoutsCounterOffset = timeoutsCounterOffset;
    }

    /**
     * Register as a participant that may sleep; idempotent. Counts in the fenced-waiters word only where this
     * process cannot issue the expedited barrier ({@link #isCounted()}).
     */
    public void registerBlocking()
    {
        if (!registered)
        {
            registered = true;
            if (ProcessBarrier.AVAILABLE)
            {
                return;
            }
            counted = true;
            control.getAndAddInt(blockingOffset, 1);
            if (!Linux.membarrierGlobal())
            {
                sliced = true;
                if (!warned)
                {
                    warned = true;
                    LOG.warn("membarrier(MEMBARRIER_CMD_GLOBAL) is not available: futex waits are cut into 1 ms " +
                        "slices, so a wake-up may come up to 1 ms late");
                }
            }
        }
    }

    /**
     * Undo {@link #registerBlocking()}; idempotent.
     */
    public void unregisterBlocking()
    {
        if (registered)
        {
            registered = false;
            if (counted)
            {
                counted = false;
                control.getAndAddInt(blockingOffset, -1);
            }
        }
    }

    /**
     * @return true while registered in the fenced-waiters count (the fallback where the expedited barrier is not
     * available): a repair of a dead owner must then take it out of that count.
     */
    public boolean isCounted()
    {
        return counted;
    }

    /**
     * @return true once registered.
     */
    public boolean isRegistered()
    {
        return registered;
    }

    /**
     * Sleep until {@code ready} holds or the timeout passes. The condition is checked after registering as a
     * waiter, so a signal sent after that check is never missed.
     *
     * @param ready     the condition (checked at least once).
     * @param timeoutNs how long to wait at most; 0 only checks.
     * @return true when the condition held, false on timeout.
     */
    public boolean await(final BooleanSupplier ready, final long timeoutNs)
    {
        return await(ready, timeoutNs, Long.MAX_VALUE);
    }

    /**
     * Sleep until {@code ready} holds or the timeout passes, never longer than {@code sliceNs} in one
     * system call, so that the condition (which may look after crashed peers) is re-checked at least that
     * often.
     *
     * @param ready     the condition (checked at least once).
     * @param timeoutNs how long to wait at most; 0 only checks.
     * @param sliceNs   the longest single sleep.
     * @return true when the condition held, false on timeout.
     */
    public boolean await(final BooleanSupplier ready, final long timeoutNs, final long sliceNs)
    {
        if (ready.getAsBoolean())
        {
            return true;
        }
        registerBlocking();
        final long deadline = System.nanoTime() + timeoutNs;
        final UnsafeBuffer control = this.control;
        while (true)
        {
            final int seen = control.getIntVolatile(signalOffset);
            addWaiter(1);
            try
            {
                if (ready.getAsBoolean())
                {
                    return true;
                }
                final long remaining = deadline - System.nanoTime();
                if (remaining <= 0)
                {
                    count(timeoutsCounterOffset);
                    return false;
                }
                count(waitsCounterOffset);
                final long slice = Math.min(sliceNs, sliced ? FALLBACK_SLICE_NS : Long.MAX_VALUE);
                Linux.futexWait(signalAddress, seen, Math.min(remaining, slice));
            }
            finally
            {
                addWaiter(-1);
            }
        }
    }

    /**
     * Count in or out of the waiters: add first, then set the flag, then force the cross-process barrier (unless
     * registered in the fenced-waiters count instead); clear the flag first and then subtract. A process killed
     * between the add and the flag leaves the count one too high (publishers then make a needless wake call per
     * commit until a repair), never too low (which could lose a wake-up).
     *
     * @param delta +1 or -1.
     */
    public void addWaiter(final int delta)
    {
        addWaiter(delta, true);
    }

    /**
     * As {@link #addWaiter(int)}; with {@code barrier} false the caller forces the cross-process barrier itself,
     * once, after counting itself in on several topics (a wait set).
     *
     * @param delta   +1 or -1.
     * @param barrier whether to force the barrier after an add.
     */
    public void addWaiter(final int delta, final boolean barrier)
    {
        if (delta > 0)
        {
            control.getAndAddInt(waitersOffset, 1);
            if (io.shmbus.impl.faults.FaultPoints.ANY)
            {
                io.shmbus.impl.faults.FaultPoints.reach(io.shmbus.impl.faults.FaultPoints.WAITER_ADDED, waitersOffset);
            }
            if (sleepingFlagOffset >= 0)
            {
                control.putIntRelease(sleepingFlagOffset, 1);
            }
            if (barrier && !counted && !ProcessBarrier.issue())
            {
                sliced = true; // cannot force the barrier: bound how late a wake-up may be instead
            }
        }
        else
        {
            if (sleepingFlagOffset >= 0)
            {
                control.putIntRelease(sleepingFlagOffset, 0);
            }
            control.getAndAddInt(waitersOffset, -1);
        }
    }

    private void count(final int offset)
    {
        if (offset >= 0)
        {
            control.putLongRelease(offset, control.getLong(offset) + 1);
        }
    }
}
