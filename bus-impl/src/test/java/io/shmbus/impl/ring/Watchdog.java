package io.shmbus.impl.ring;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Bounds every call into the bus that a test makes on memory it corrupts: each call is announced with
 * {@link #enter(String)} and finished with {@link #exit()}; a daemon thread looks every few milliseconds for a
 * call that has run longer than its limit and records it, with the stack of the thread stuck in it, as the
 * test's failure. A hung call never returns, so the test thread that checks {@link #failure()} is not the one
 * stuck: callers run the calls on worker threads.
 */
final class Watchdog implements AutoCloseable
{
    private static final class Call
    {
        volatile String what;
        volatile long startNs;
        volatile long limitNs;
    }

    private final Map<Thread, Call> calls = new ConcurrentHashMap<>();
    private final AtomicReference<AssertionError> failure = new AtomicReference<>();
    private final Thread thread;
    private final long defaultLimitNs;
    private volatile boolean closed;
    private volatile String context = "";

    /**
     * @param defaultLimitMs the longest one call may take.
     */
    Watchdog(final long defaultLimitMs)
    {
        this.defaultLimitNs = TimeUnit.MILLISECONDS.toNanos(defaultLimitMs);
        this.thread = new Thread(this::run, "watchdog");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * @param context what the test is doing (the seed, the round), added to a failure's message.
     */
    void context(final String context)
    {
        this.context = context;
    }

    /**
     * @param what the call about to be made.
     */
    void enter(final String what)
    {
        enter(what, defaultLimitNs);
    }

    /**
     * @param what    the call about to be made.
     * @param limitNs the longest it may take.
     */
    void enter(final String what, final long limitNs)
    {
        final Call call = calls.computeIfAbsent(Thread.currentThread(), t -> new Call());
        call.what = what;
        call.limitNs = limitNs;
        call.startNs = System.nanoTime();
    }

    /**
     * The call announced last by this thread returned (or threw).
     */
    void exit()
    {
        final Call call = calls.get(Thread.currentThread());
        if (null != call)
        {
            call.what = null;
        }
    }

    /**
     * @return the first call found running past its limit, or null.
     */
    AssertionError failure()
    {
        return failure.get();
    }

    private void run()
    {
        while (!closed)
        {
            final long now = System.nanoTime();
            for (final Map.Entry<Thread, Call> entry : calls.entrySet())
            {
                final Call call = entry.getValue();
                final String what = call.what;
                if (null != what && now - call.startNs > call.limitNs)
                {
                    final StackTraceElement[] stack = entry.getKey().getStackTrace();
                    final StringBuilder sb = new StringBuilder("call '").append(what).append("' on thread ")
                        .append(entry.getKey().getName()).append(" has not returned after ")
                        .append(TimeUnit.NANOSECONDS.toMillis(now - call.startNs)).append(" ms (")
                        .append(context).append("); it is at:");
                    for (final StackTraceElement element : stack)
                    {
                        sb.append("\n\tat ").append(element);
                    }
                    failure.compareAndSet(null, new AssertionError(sb.toString()));
                    call.what = null;
                }
            }
            try
            {
                Thread.sleep(5);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
        }
    }

    @Override
    public void close()
    {
        closed = true;
        thread.interrupt();
    }
}
