package io.shmbus.impl.signal;

import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.platform.Linux;
import io.shmbus.impl.ring.Ring;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;

/**
 * The subscriber's side of the space futex: after a poll that moved its position, wake publishers that sleep
 * because the ring was full. The same protocol as {@link DataSignal}, with the roles swapped: publishers that
 * may sleep count themselves in {@code spaceWaiters} only while about to sleep, and subscribers pay the fence
 * only while {@code spaceWaiters} might be non-zero — a plain read of a word that stays 0 while nobody is
 * back-pressured. A publisher that registers issues the global barrier first (see
 * {@link Sleeper#registerBlocking()}), so a subscriber's plain read cannot miss it for good.
 */
public final class SpaceSignal
{
    private final UnsafeBuffer control;
    private final long signalAddress;

    /**
     * @param ring the ring.
     */
    public SpaceSignal(final Ring ring)
    {
        this.control = ring.control();
        this.signalAddress = control.addressOffset() + ControlDescriptor.SPACE_SIGNAL_OFFSET;
    }

    /**
     * Call after publishing a new position.
     */
    public void afterConsume()
    {
        if (control.getInt(ControlDescriptor.SPACE_WAITERS_OFFSET) != 0)
        {
            VarHandle.fullFence();
            if (control.getIntVolatile(ControlDescriptor.SPACE_WAITERS_OFFSET) != 0)
            {
                control.getAndAddInt(ControlDescriptor.SPACE_SIGNAL_OFFSET, 1);
                Linux.futexWake(signalAddress, Integer.MAX_VALUE);
            }
        }
    }
}
