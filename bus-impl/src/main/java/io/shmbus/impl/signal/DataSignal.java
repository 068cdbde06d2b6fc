package io.shmbus.impl.signal;

import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.layout.PublisherSlotDescriptor;
import io.shmbus.impl.platform.Linux;
import io.shmbus.impl.ring.Ring;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;

/**
 * The publisher's side of the data futex: after each commit, wake sleeping subscribers, paying a system call
 * only when one sleeps.
 *
 * <h2>Why no wake-up is lost</h2>
 * A subscriber about to sleep (see {@link Sleeper}) reads the futex word {@code dataSignal}, increments
 * {@code dataWaiters} (an atomic add: a full fence), checks once more for data, and calls
 * {@code FUTEX_WAIT(dataSignal, seen)}. A publisher stores its commit, issues a full fence, and reads
 * {@code dataWaiters}; if it is not 0 it increments {@code dataSignal} and calls {@code FUTEX_WAKE}. Both sides
 * store then load with a full fence between, so at least one sees the other: either the subscriber's last
 * check sees the commit and it does not sleep, or the publisher sees the waiter and bumps the word. A bump
 * that lands before the subscriber's {@code FUTEX_WAIT} makes the kernel's compare fail (EAGAIN: no sleep);
 * one that lands after finds the subscriber queued on the futex and wakes it.
 *
 * <h2>Why a busy topic costs no fence</h2>
 * The full fence after a commit would drain the store buffer on every message. So it is only paid while
 * {@code blockingSubscribers} is not 0: subscribers that may sleep register there once, when they attach,
 * and then issue a process-wide memory barrier ({@code membarrier(MEMBARRIER_CMD_GLOBAL)}, see
 * {@link Sleeper#registerBlocking()}), which forces every running thread of every process through a full
 * barrier. A publisher that read 0 just before the registration has therefore made its commit visible before
 * the subscriber's first check; every publisher load after the barrier sees the registration.
 */
public final class DataSignal
{
    private final UnsafeBuffer control;
    private final long signalAddress;
    private final int slotOffset;

    /**
     * @param ring           the ring.
     * @param publisherIndex the publisher's slot, for its counters.
     */
    public DataSignal(final Ring ring, final int publisherIndex)
    {
        this.control = ring.control();
        this.signalAddress = control.addressOffset() + ControlDescriptor.DATA_SIGNAL_OFFSET;
        this.slotOffset = ring.publisherSlot(publisherIndex);
    }

    /**
     * Call after every commit.
     */
    public void afterCommit()
    {
        if (control.getInt(ControlDescriptor.BLOCKING_SUBSCRIBERS_OFFSET) != 0)
        {
            wakeIfWaiting();
        }
    }

    private void wakeIfWaiting()
    {
        VarHandle.fullFence();
        if (control.getIntVolatile(ControlDescriptor.DATA_WAITERS_OFFSET) != 0)
        {
            control.getAndAddInt(ControlDescriptor.DATA_SIGNAL_OFFSET, 1);
            Linux.futexWake(signalAddress, Integer.MAX_VALUE);
            control.putLongRelease(slotOffset + PublisherSlotDescriptor.WAKES_ISSUED_OFFSET,
                control.getLong(slotOffset + PublisherSlotDescriptor.WAKES_ISSUED_OFFSET) + 1);
        }
        else
        {
            control.putLongRelease(slotOffset + PublisherSlotDescriptor.WAKES_SKIPPED_OFFSET,
                control.getLong(slotOffset + PublisherSlotDescriptor.WAKES_SKIPPED_OFFSET) + 1);
        }
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
