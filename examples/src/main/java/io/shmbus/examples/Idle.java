package io.shmbus.examples;

import io.shmbus.Subscriber;
import io.shmbus.WaitStrategy;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * How a demo waits when there is nothing to read or no room to write. Every wait in the demos goes through
 * the strategies made here. A subscriber waits with its own {@link Subscriber#idleStrategy(long)}, built on
 * the {@link WaitStrategy} it was attached with; a publisher waiting for room uses an Agrona strategy.
 */
enum Idle
{
    /** Spin, yield, then sleep on the topic's futex until a publisher commits: no CPU while idle (default). */
    FUTEX(WaitStrategy.spinYieldFutex())
    {
        @Override
        IdleStrategy publisherStrategy()
        {
            return new BackoffIdleStrategy();
        }
    },

    /** Spin, then yield, then park for growing periods (1 us to 1 ms): cheap when idle, quick when busy. */
    BACKOFF(WaitStrategy.backoff())
    {
        @Override
        IdleStrategy publisherStrategy()
        {
            return new BackoffIdleStrategy();
        }
    },

    /** Give the core up with sched_yield on every idle turn. */
    YIELD(WaitStrategy.yielding())
    {
        @Override
        IdleStrategy publisherStrategy()
        {
            return YieldingIdleStrategy.INSTANCE;
        }
    },

    /** Burn the core: the lowest latency, and a full core per waiting thread. */
    SPIN(WaitStrategy.busySpin())
    {
        @Override
        IdleStrategy publisherStrategy()
        {
            return BusySpinIdleStrategy.INSTANCE;
        }
    };

    private static final long MAX_SLEEP_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final WaitStrategy waitStrategy;

    Idle(final WaitStrategy waitStrategy)
    {
        this.waitStrategy = waitStrategy;
    }

    /**
     * @return the wait strategy a subscriber is attached with.
     */
    WaitStrategy waitStrategy()
    {
        return waitStrategy;
    }

    /**
     * @param subscriber a subscriber attached with {@link #waitStrategy()}.
     * @return its idle strategy, which never sleeps more than 100 ms per call (so loops see their deadlines).
     */
    IdleStrategy subscriberStrategy(final Subscriber subscriber)
    {
        return subscriber.idleStrategy(MAX_SLEEP_NS);
    }

    /**
     * @return a fresh strategy for a publisher waiting for room, owned by one thread.
     */
    abstract IdleStrategy publisherStrategy();
}
