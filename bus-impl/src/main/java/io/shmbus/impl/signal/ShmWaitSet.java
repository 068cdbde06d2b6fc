package io.shmbus.impl.signal;

import io.shmbus.Subscriber;
import io.shmbus.WaitSet;
import io.shmbus.impl.platform.FutexWaitv;
import io.shmbus.impl.platform.Linux;

import java.util.concurrent.locks.LockSupport;

/**
 * Waits on the data futex words of several topics in one system call ({@code futex_waitv}, Linux 5.16+).
 *
 * <p>The protocol is the one of {@link DataSignal}, done for every topic at once: read
 * each topic's word, count this thread as a waiter in each (atomic adds: full fences), check every subscriber,
 * then sleep on all the words with the values read first. A commit on any topic after the checks bumps that
 * topic's word, so the kernel either refuses to sleep (a value differs) or wakes the thread.
 *
 * <p>Without {@code futex_waitv} (older kernels) the set polls the subscribers with parks of growing length up
 * to 1 ms: correct, but wake-ups may come up to 1 ms late.
 */
public final class ShmWaitSet implements WaitSet
{
    /** The most subscribers one set waits for. */
    public static final int MAX_SUBSCRIBERS = FutexWaitv.MAX_CAPACITY;
    private static final long SLICE_NS = 100_000_000;

    private final WaitTarget[] subscribers;
    private final Subscriber[] given;
    private final boolean[] ready;
    private final int[] seen;
    private final FutexWaitv waitv;

    /**
     * @param subscribers the shared-memory subscribers to wait for (each a {@link WaitTarget}).
     * @param useWaitv    whether to sleep in {@code futex_waitv} where the kernel has it.
     */
    public ShmWaitSet(final Subscriber[] subscribers, final boolean useWaitv)
    {
        if (subscribers.length == 0 || subscribers.length > MAX_SUBSCRIBERS)
        {
            throw new IllegalArgumentException(
                "a wait set holds 1 to " + MAX_SUBSCRIBERS + " subscribers: " + subscribers.length);
        }
        this.subscribers = new WaitTarget[subscribers.length];
        this.given = subscribers.clone();
        for (int i = 0; i < subscribers.length; i++)
        {
            if (!(subscribers[i] instanceof WaitTarget ringSubscriber))
            {
                throw new IllegalArgumentException("subscriber " + i + " is not a shared-memory subscriber: " +
                    subscribers[i]);
            }
            ringSubscriber.ensureBlocking();
            this.subscribers[i] = ringSubscriber;
        }
        this.ready = new boolean[subscribers.length];
        this.seen = new int[subscribers.length];
        this.waitv = useWaitv && Linux.futexWaitvSupported() ? new FutexWaitv(subscribers.length) : null;
    }

    @Override
    public int await(final long timeoutNs)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        long parkNs = 1_000;
        while (true)
        {
            int count = scan();
            if (count > 0)
            {
                return count;
            }
            final long remaining = deadline - System.nanoTime();
            if (remaining <= 0)
            {
                for (final WaitTarget subscriber : subscribers)
                {
                    subscriber.countWaitTimeout();
                }
                return 0;
            }
            if (null == waitv)
            {
                LockSupport.parkNanos(Math.min(parkNs, remaining));
                parkNs = Math.min(parkNs * 2, 1_000_000);
                continue;
            }
            final WaitTarget[] subscribers = this.subscribers;
            final int n = subscribers.length;
            for (int i = 0; i < n; i++)
            {
                seen[i] = subscribers[i].dataSignalValue();
                subscribers[i].addDataWaiter(1);
            }
            // One cross-process barrier for all the topics counted in above, not one per topic (see DataSignal); where
            // it is unavailable the subscribers counted in the fenced-waiters words when they joined the set, and
            // the sleep below is sliced in any case.
            ProcessBarrier.issue();
            try
            {
                count = scan();
                if (count > 0)
                {
                    return count;
                }
                for (int i = 0; i < n; i++)
                {
                    waitv.set(i, subscribers[i].dataSignalAddress(), seen[i]);
                    subscribers[i].countWait(); // as a subscriber's own futex sleep counts in its slot
                }
                waitv.await(n, Math.min(remaining, SLICE_NS));
            }
            finally
            {
                for (int i = 0; i < n; i++)
                {
                    subscribers[i].addDataWaiter(-1);
                }
            }
        }
    }

    private int scan()
    {
        int count = 0;
        for (int i = 0; i < subscribers.length; i++)
        {
            final boolean isReady = subscribers[i].isReady();
            ready[i] = isReady;
            if (isReady)
            {
                count++;
            }
        }
        return count;
    }

    @Override
    public boolean isReady(final int index)
    {
        return ready[index];
    }

    @Override
    public Subscriber subscriber(final int index)
    {
        return given[index];
    }

    @Override
    public int size()
    {
        return subscribers.length;
    }

    @Override
    public void close()
    {
        if (null != waitv)
        {
            waitv.close();
        }
    }
}
