package io.shmbus;

/**
 * Waits on several subscribers at once, from one thread, until any of them has a message: one sleep in the
 * kernel over all of their topics ({@code futex_waitv} on Linux 5.16 and later).
 *
 * <pre>{@code
 * try (WaitSet waitSet = bus.waitSet(quotes, trades, orders))
 * {
 *     while (running)
 *     {
 *         if (waitSet.await(TimeUnit.SECONDS.toNanos(1)) > 0)
 *         {
 *             for (int i = 0; i < waitSet.size(); i++)
 *             {
 *                 if (waitSet.isReady(i)) { waitSet.subscriber(i).poll(handler, 64); }
 *             }
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>Used by one thread at a time.
 */
public interface WaitSet extends AutoCloseable
{
    /**
     * Wait until at least one subscriber has a message, or the timeout passes.
     *
     * @param timeoutNs the most to wait, in nanoseconds.
     * @return how many subscribers have a message (0 on timeout).
     */
    int await(long timeoutNs);

    /**
     * @param index position in the set, as given when it was made.
     * @return whether that subscriber had a message at the end of the last {@link #await(long)}.
     */
    boolean isReady(int index);

    /**
     * @param index position in the set.
     * @return the subscriber.
     */
    Subscriber subscriber(int index);

    /**
     * @return the number of subscribers.
     */
    int size();

    /**
     * Release the set's native memory. Idempotent; the subscribers stay open.
     */
    @Override
    void close();
}
