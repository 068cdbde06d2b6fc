package io.shmbus.impl.signal;

import java.util.concurrent.locks.LockSupport;

/**
 * Waiting for something that another participant finishes in microseconds but may take much longer to (it was
 * preempted, stopped or paused by a GC): spin a few times, yield a few times, then park for a time that doubles
 * from 1 µs up to a bound. Used where there is no futex word to sleep on, such as a join waiting for a cleaning
 * round; a waiter that finds no progress gives up by its own deadline. Not thread safe: one per waiting thread.
 */
public final class BackOff
{
    private static final int SPINS = 16;
    private static final int YIELDS = 16;
    private static final long FIRST_PARK_NS = 1_000;

    private final long maxParkNs;
    private int calls;
    private long parkNs = FIRST_PARK_NS;

    /**
     * @param maxParkNs the longest single park.
     */
    public BackOff(final long maxParkNs)
    {
        this.maxParkNs = maxParkNs;
    }

    /**
     * Wait one step.
     */
    public void idle()
    {
        final int call = calls++;
        if (call < SPINS)
        {
            Thread.onSpinWait();
        }
        else if (call < SPINS + YIELDS)
        {
            Thread.yield();
        }
        else
        {
            LockSupport.parkNanos(parkNs);
            parkNs = Math.min(parkNs << 1, maxParkNs);
        }
    }

    /**
     * Start again from spinning (after progress).
     */
    public void reset()
    {
        calls = 0;
        parkNs = FIRST_PARK_NS;
    }
}
