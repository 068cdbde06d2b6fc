package io.shmbus.aeron;

import io.shmbus.BusException;
import io.shmbus.Subscriber;
import io.shmbus.WaitSet;
import org.agrona.concurrent.BackoffIdleStrategy;

/**
 * A wait set over Aeron subscribers: it checks each subscription for a ready message, backing off between
 * rounds (Aeron has no kernel object to sleep on).
 */
final class AeronWaitSet implements WaitSet
{
    private final AeronSubscriber[] subscribers;
    private final boolean[] ready;
    private final BackoffIdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 1_000_000);

    AeronWaitSet(final Subscriber... subscribers)
    {
        if (subscribers.length < 1 || subscribers.length > 128)
        {
            throw new IllegalArgumentException("a wait set holds 1 to 128 subscribers: " + subscribers.length);
        }
        this.subscribers = new AeronSubscriber[subscribers.length];
        for (int i = 0; i < subscribers.length; i++)
        {
            if (!(subscribers[i] instanceof AeronSubscriber aeronSubscriber))
            {
                throw new BusException("subscriber " + i + " of the wait set is not an Aeron subscriber: " +
                    subscribers[i]);
            }
            this.subscribers[i] = aeronSubscriber;
        }
        this.ready = new boolean[subscribers.length];
    }

    @Override
    public int await(final long timeoutNs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        idle.reset();
        while (true)
        {
            int count = 0;
            for (int i = 0; i < subscribers.length; i++)
            {
                ready[i] = subscribers[i].isReady();
                count += ready[i] ? 1 : 0;
            }
            if (count > 0 || System.nanoTime() - deadlineNs >= 0)
            {
                return count;
            }
            idle.idle();
        }
    }

    @Override
    public boolean isReady(final int index)
    {
        return ready[index];
    }

    @Override
    public Subscriber subscriber(final int index)
    {
        return subscribers[index];
    }

    @Override
    public int size()
    {
        return subscribers.length;
    }

    @Override
    public void close()
    {
    }
}
