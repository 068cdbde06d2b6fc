package io.shmbus.bench.link;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One process's end of a transport under test: it sends on one stream and receives from another (or only one
 * of the two). Each child JVM loads exactly one implementation, so the calls in the measuring loops stay
 * monomorphic and are inlined as if written by hand.
 */
public abstract class Link implements AutoCloseable
{
    /**
     * Receives each message; the buffer is valid only during the call.
     */
    @FunctionalInterface
    public interface Sink
    {
        /**
         * @param buffer holding the message.
         * @param offset where it starts.
         * @param length its length.
         */
        void onMessage(DirectBuffer buffer, int offset, int length);
    }

    protected Sink sink;
    protected IdleStrategy idle = new BusySpinIdleStrategy();

    /**
     * @param sink where received messages go.
     */
    public final void sink(final Sink sink)
    {
        this.sink = sink;
    }

    /**
     * @param idle how {@link #receive(int)} and {@link #send(UnsafeBuffer, int)} wait between attempts.
     */
    public final void idle(final IdleStrategy idle)
    {
        this.idle = idle;
    }

    /**
     * Try once to send.
     *
     * @param buffer the message, from offset 0.
     * @param length its length.
     * @return true when accepted; false when the transport pushed back (the caller retries).
     */
    public abstract boolean offer(UnsafeBuffer buffer, int length);

    /**
     * Deliver up to {@code limit} messages that are available now, without waiting.
     *
     * @param limit the most to deliver.
     * @return how many were delivered.
     */
    public abstract int poll(int limit);

    /**
     * Wait, in this transport's way, until at least one message was delivered.
     *
     * @param limit the most to deliver.
     * @return how many were delivered (at least 1).
     */
    public int receive(final int limit)
    {
        final IdleStrategy idle = this.idle;
        int count;
        idle.reset();
        while ((count = poll(limit)) == 0)
        {
            idle.idle();
        }
        return count;
    }

    /**
     * Send, waiting while the transport pushes back.
     *
     * @param buffer the message.
     * @param length its length.
     * @return how many attempts were refused first.
     */
    public long send(final UnsafeBuffer buffer, final int length)
    {
        long refused = 0;
        while (!offer(buffer, length))
        {
            refused++;
            Thread.onSpinWait();
        }
        return refused;
    }

    /**
     * @return a line of transport-specific counters for the result, or an empty string.
     */
    public String counters()
    {
        return "";
    }

    @Override
    public abstract void close();
}
