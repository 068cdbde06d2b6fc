package io.shmbus.impl.signal;

import io.shmbus.WaitStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Runs a {@link WaitStrategy} over a readiness condition: spin, yield, park or sleep on the topic's futex
 * (through a {@link Sleeper}) until the condition holds or a deadline passes. Allocates nothing per wait.
 */
public final class Waiter
{
    private static final int DEADLINE_CHECK_MASK = 127;

    private final WaitStrategy strategy;
    private final Sleeper sleeper;
    private final BooleanSupplier ready;
    private final BooleanSupplier readyBeforeSleep;
    private final java.util.function.LongSupplier sliceNs;

    /**
     * @param strategy how to wait.
     * @param sleeper  the futex sleeper of the topic.
     * @param ready            the condition, as spinning and yielding waits check it (cheap: no clock read on
     *                         most calls).
     * @param readyBeforeSleep the same condition with its periodic checks forced, as a futex sleep checks it.
     * @param sliceNs          the longest single futex sleep, asked before each wait (so the condition's own checks
     *                         run at least that often).
     */
    public Waiter(
        final WaitStrategy strategy,
        final Sleeper sleeper,
        final BooleanSupplier ready,
        final BooleanSupplier readyBeforeSleep,
        final java.util.function.LongSupplier sliceNs)
    {
        this.strategy = strategy;
        this.sleeper = sleeper;
        this.ready = ready;
        this.readyBeforeSleep = readyBeforeSleep;
        this.sliceNs = sliceNs;
    }

    /**
     * @return the futex sleeper.
     */
    public Sleeper sleeper()
    {
        return sleeper;
    }

    /**
     * Wait until the condition holds or the timeout passes.
     *
     * @param timeoutNs the most to wait.
     * @return true when the condition held.
     */
    public boolean await(final long timeoutNs)
    {
        final BooleanSupplier ready = this.ready;
        if (ready.getAsBoolean())
        {
            return true;
        }
        final long deadline = System.nanoTime() + timeoutNs;
        switch (strategy.kind())
        {
            case BUSY_SPIN:
                return spin(deadline, Integer.MAX_VALUE);
            case YIELD:
                return yieldUntil(deadline, Integer.MAX_VALUE);
            case BACKOFF:
                if (spin(deadline, strategy.spins()) || yieldUntil(deadline, strategy.yields()))
                {
                    return true;
                }
                return park(deadline);
            case SPIN_YIELD_FUTEX:
            default:
                if (spin(deadline, strategy.spins()) || yieldUntil(deadline, strategy.yields()))
                {
                    return true;
                }
                final long remaining = deadline - System.nanoTime();
                return remaining > 0 && sleeper.await(readyBeforeSleep, remaining, sliceNs.getAsLong());
        }
    }

    private boolean spin(final long deadline, final int spins)
    {
        final BooleanSupplier ready = this.ready;
        for (int i = 1; i <= spins; i++)
        {
            Thread.onSpinWait();
            if (ready.getAsBoolean())
            {
                return true;
            }
            if ((i & DEADLINE_CHECK_MASK) == 0 && System.nanoTime() - deadline >= 0)
            {
                return false;
            }
        }
        return false;
    }

    private boolean yieldUntil(final long deadline, final int yields)
    {
        final BooleanSupplier ready = this.ready;
        for (int i = 0; i < yields; i++)
        {
            Thread.yield();
            if (ready.getAsBoolean())
            {
                return true;
            }
            if (System.nanoTime() - deadline >= 0)
            {
                return false;
            }
        }
        return false;
    }

    private boolean park(final long deadline)
    {
        final BooleanSupplier ready = this.readyBeforeSleep; // parks are long: the forced checks cost nothing
        long parkNs = 1_000;
        while (true)
        {
            final long remaining = deadline - System.nanoTime();
            if (remaining <= 0)
            {
                return ready.getAsBoolean();
            }
            LockSupport.parkNanos(Math.min(parkNs, remaining));
            if (ready.getAsBoolean())
            {
                return true;
            }
            parkNs = Math.min(parkNs * 2, strategy.maxParkNs());
        }
    }

    /**
     * @param maxSleepNs the longest one idle call may wait.
     * @return an Agrona idle strategy that waits with this strategy.
     */
    public IdleStrategy idleStrategy(final long maxSleepNs)
    {
        return new WaitingIdleStrategy(maxSleepNs);
    }

    private final class WaitingIdleStrategy implements IdleStrategy
    {
        private final long maxSleepNs;
        private int idleCalls;
        private long parkNs = 1_000;

        WaitingIdleStrategy(final long maxSleepNs)
        {
            this.maxSleepNs = maxSleepNs;
        }

        @Override
        public void idle(final int workCount)
        {
            if (workCount > 0)
            {
                reset();
            }
            else
            {
                idle();
            }
        }

        @Override
        public void idle()
        {
            final int call = idleCalls++;
            switch (strategy.kind())
            {
                case BUSY_SPIN:
                    Thread.onSpinWait();
                    break;
                case YIELD:
                    Thread.yield();
                    break;
                case BACKOFF:
                    if (call < strategy.spins())
                    {
                        Thread.onSpinWait();
                    }
                    else if (call < strategy.spins() + strategy.yields())
                    {
                        Thread.yield();
                    }
                    else
                    {
                        LockSupport.parkNanos(Math.min(parkNs, maxSleepNs));
                        parkNs = Math.min(parkNs * 2, strategy.maxParkNs());
                    }
                    break;
                case SPIN_YIELD_FUTEX:
                default:
                    if (call < strategy.spins())
                    {
                        Thread.onSpinWait();
                    }
                    else if (call < strategy.spins() + strategy.yields())
                    {
                        Thread.yield();
                    }
                    else
                    {
                        sleeper.await(readyBeforeSleep, maxSleepNs, sliceNs.getAsLong());
                    }
                    break;
            }
        }

        @Override
        public void reset()
        {
            idleCalls = 0;
            parkNs = 1_000;
        }

        @Override
        public String alias()
        {
            return "shmbus-" + strategy.kind().name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
