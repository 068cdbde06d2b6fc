package io.shmbus.interop;

import io.shmbus.Subscriber;

import java.util.concurrent.TimeUnit;

/**
 * Polls a Java subscriber on a thread of its own, verifying every message, until it has {@code target} messages
 * or is stopped. Records when (System.nanoTime, the clock the C programs print) each message arrived last.
 */
final class Collector implements AutoCloseable
{
    final TestMessage.Verifier verifier;
    private final Subscriber subscriber;
    private final long target;
    private final Thread thread;
    private volatile boolean stop;
    private volatile Throwable failure;
    volatile long lastArrivalNs;
    volatile long received;

    Collector(final Subscriber subscriber, final int span, final long target)
    {
        this.subscriber = subscriber;
        this.verifier = new TestMessage.Verifier(span);
        this.target = target;
        this.thread = new Thread(this::run, "collector-" + subscriber.id());
        thread.setDaemon(true);
        thread.start();
    }

    private void run()
    {
        try
        {
            while (!stop && verifier.received < target)
            {
                // Blocking: a wait strategy of the subscriber's (futex by default) between batches.
                subscriber.poll((buffer, offset, length, header) ->
                {
                    verifier.onMessage(buffer, offset, length, header.type());
                    lastArrivalNs = System.nanoTime();
                }, 256, TimeUnit.MILLISECONDS.toNanos(100));
                received = verifier.received;
            }
        }
        catch (final Throwable ex)
        {
            failure = ex;
        }
    }

    /**
     * Wait until the target count arrived.
     */
    void await(final long timeoutMs) throws InterruptedException
    {
        thread.join(timeoutMs);
        if (null != failure)
        {
            throw new AssertionError("the Java subscriber failed", failure);
        }
        if (thread.isAlive())
        {
            throw new AssertionError("the Java subscriber has " + verifier.received + " of " + target +
                " messages after " + timeoutMs + " ms");
        }
    }

    @Override
    public void close()
    {
        stop = true;
        try
        {
            thread.join(5000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
