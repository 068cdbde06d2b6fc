package io.shmbus.impl.signal;

import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.layout.PublisherSlotDescriptor;
import io.shmbus.impl.platform.Linux;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;

/**
 * The publisher's side of the data futex: after each commit, wake sleeping subscribers, paying a system call
 * only when one sleeps, and no fence at all in the common case.
 *
 * <h2>Why no wake-up is lost</h2>
 * A subscriber about to sleep (see {@link Sleeper}) reads the futex word {@code dataSignal} (S0), increments
 * {@code dataWaiters} (W, an atomic add), forces every thread of every shmbus process through a full barrier
 * ({@link ProcessBarrier#issue()}: {@code membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED)}), looks once more for data
 * (C), and calls {@code FUTEX_WAIT(dataSignal, S0)}. A publisher stores its commit with release semantics (P)
 * and then loads {@code dataWaiters} (R); when it is not 0 it increments {@code dataSignal} and calls
 * {@code FUTEX_WAKE}. P and R are in program order: HotSpot brackets release, acquire and volatile accesses of
 * raw memory with compiler-only ordering barriers, so the JIT cannot hoist R above P; only the processor may
 * reorder them (the store buffer). The barrier the subscriber forces lands in the publisher's thread at some
 * point of its instruction stream:
 * <ul>
 *   <li>before P: R comes after a full barrier that itself comes after W was globally visible (W is a locked
 *   instruction and completed before the membarrier call), so R sees the waiter and the publisher wakes;</li>
 *   <li>between P and R, or after R: P was drained from the store buffer before the barrier completed, and the
 *   barrier completed before membarrier returned, so C sees the commit and the subscriber does not sleep.</li>
 * </ul>
 * A thread that is not running when the barrier is issued passes through the scheduler's full barrier before
 * it runs again, which is the first case. So at least one side sees the other. A bump of {@code dataSignal}
 * that lands before the subscriber's {@code FUTEX_WAIT} makes the kernel's compare fail (EAGAIN: no sleep);
 * one that lands after finds the subscriber queued on the futex and wakes it.
 *
 * <h2>Where the barrier is not available</h2>
 * A process in which {@link ProcessBarrier#AVAILABLE} is false fences every commit itself (store, full fence,
 * load: the symmetric Dekker pattern, correct whatever the sleeper does). A sleeper in such a process cannot
 * force the barrier, so it counts itself in {@code blockingSubscribers} (the fenced-waiters count) once, when it
 * may first sleep, followed by {@code membarrier(MEMBARRIER_CMD_GLOBAL)}, and every publisher that reads that
 * count as non-zero fences its commits: the scheme shmbus used before the expedited barrier, argued in
 * docs/LAYOUT.md section 13.5.
 */
public final class DataSignal
{
    /** True where this process cannot rely on sleepers forcing a barrier: then every commit fences. */
    static final boolean FENCE_EVERY_COMMIT = !ProcessBarrier.AVAILABLE;

    private final UnsafeBuffer control;
    private final long signalAddress;
    private final int slotOffset;

    /**
     * @param control        the topic's control region.
     * @param publisherIndex the publisher's slot, for its counters.
     */
    public DataSignal(final UnsafeBuffer control, final int publisherIndex)
    {
        this.control = control;
        this.signalAddress = control.addressOffset() + ControlDescriptor.DATA_SIGNAL_OFFSET;
        this.slotOffset = ControlDescriptor.publisherSlotOffset(publisherIndex);
    }

    /**
     * Call after every commit (the release store of a length word). Costs two plain loads while nobody sleeps.
     */
    public void afterCommit()
    {
        final UnsafeBuffer control = this.control;
        if (FENCE_EVERY_COMMIT || control.getInt(ControlDescriptor.BLOCKING_SUBSCRIBERS_OFFSET) != 0)
        {
            VarHandle.fullFence();
        }
        if (control.getIntVolatile(ControlDescriptor.DATA_WAITERS_OFFSET) != 0)
        {
            wake();
        }
    }

    private void wake()
    {
        control.getAndAddInt(ControlDescriptor.DATA_SIGNAL_OFFSET, 1);
        Linux.futexWake(signalAddress, Integer.MAX_VALUE);
        control.putLongRelease(slotOffset + PublisherSlotDescriptor.WAKES_ISSUED_OFFSET,
            control.getLong(slotOffset + PublisherSlotDescriptor.WAKES_ISSUED_OFFSET) + 1);
    }

    /**
     * Wake every sleeping subscriber unconditionally (after a repair or a close).
     *
     * @param control the control region.
     */
    public static void wakeAll(final UnsafeBuffer control)
    {
        control.getAndAddInt(ControlDescriptor.DATA_SIGNAL_OFFSET, 1);
        Linux.futexWake(control.addressOffset() + ControlDescriptor.DATA_SIGNAL_OFFSET, Integer.MAX_VALUE);
    }
}
