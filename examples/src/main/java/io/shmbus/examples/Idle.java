package io.shmbus.examples;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/**
 * How a demo waits when there is nothing to read or no room to write. Every wait in the demos goes through
 * the strategy made here, so a new way of waiting is one new constant.
 */
enum Idle
{
    /** Spin, then yield, then park for growing periods (1 us to 1 ms): cheap when idle, quick when busy. */
    BACKOFF
    {
        @Override
        IdleStrategy newStrategy()
        {
            return new BackoffIdleStrategy();
        }
    },

    /** Give the core up with sched_yield on every idle turn. */
    YIELD
    {
        @Override
        IdleStrategy newStrategy()
        {
            return YieldingIdleStrategy.INSTANCE;
        }
    },

    /** Burn the core: the lowest latency, and a full core per waiting thread. */
    SPIN
    {
        @Override
        IdleStrategy newStrategy()
        {
            return BusySpinIdleStrategy.INSTANCE;
        }
    };

    /**
     * @return a fresh strategy, owned by one thread.
     */
    abstract IdleStrategy newStrategy();
}
