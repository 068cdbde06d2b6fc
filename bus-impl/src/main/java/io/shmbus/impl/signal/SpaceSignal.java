package io.shmbus.impl.signal;

import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.platform.Linux;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;

/**
 * The subscriber's side of the space futex: after a poll that moved its position, wake publishers that sleep
 * because the ring was full. The same protocol as {@link DataSignal}, with the roles swapped: a publisher about
 * to sleep for space counts itself in {@code spaceWaiters}, forces the cross-process barrier
 * ({@link ProcessBarrier#issue()}) and retries its offer before it sleeps; a subscriber, after publishing its
 * position with release semantics, loads {@code spaceWaiters} with no fence (it fences only where the barrier is
 * unavailable: in its own process, or in a sleeping publisher's, which then counts itself in
 * {@code blockingPublishers}).
 */
public final class SpaceSignal
{
    private final UnsafeBuffer control;
    private final long signalAddress;

    /**
     * @param control the topic's control region.
     */
    public SpaceSignal(final UnsafeBuffer control)
    {
        this.control = control;
        this.signalAddress = control.addressOffset() + ControlDescriptor.SPACE_SIGNAL_OFFSET;
    }

    /**
     * Call after publishing a new position (a release store).
     */
    public void afterConsume()
    {
        final UnsafeBuffer control = this.control;
        if (DataSignal.FENCE_EVERY_COMMIT || control.getInt(ControlDescriptor.BLOCKING_PUBLISHERS_OFFSET) != 0)
        {
            VarHandle.fullFence();
        }
        if (control.getIntVolatile(ControlDescriptor.SPACE_WAITERS_OFFSET) != 0)
        {
            control.getAndAddInt(ControlDescriptor.SPACE_SIGNAL_OFFSET, 1);
            Linux.futexWake(signalAddress, Integer.MAX_VALUE);
        }
    }

    /**
     * Wake every publisher sleeping for space or for a subscriber (after a join or a repair).
     *
     * @param control the control region.
     */
    public static void wakeAll(final UnsafeBuffer control)
    {
        control.getAndAddInt(ControlDescriptor.SPACE_SIGNAL_OFFSET, 1);
        Linux.futexWake(control.addressOffset() + ControlDescriptor.SPACE_SIGNAL_OFFSET, Integer.MAX_VALUE);
    }
}
