package io.shmbus;

import org.agrona.DirectBuffer;

/**
 * Writes messages into a topic.
 *
 * <p>An {@linkplain PublisherOptions#exclusive() exclusive} publisher is the topic's only writer and takes
 * the cheapest path (no compare-and-swap); it is used by one thread at a time. A
 * {@linkplain PublisherOptions#shared() shared} publisher may be used by many threads at once, beside other
 * shared publishers in this and other processes.
 *
 * <p>Results are positions (greater than 0: the stream position just after the message) or one of the
 * negative status codes below; expected outcomes never throw.
 *
 * <pre>{@code
 * long result;
 * while ((result = publisher.offer(buffer, 0, length)) < 0)
 * {
 *     if (result == Publisher.CLOSED) { break; }
 *     idle.idle();           // BACK_PRESSURED, NOT_CONNECTED or ADMIN_ACTION: back off, then try again
 * }
 * }</pre>
 */
public interface Publisher extends AutoCloseable
{
    /**
     * No subscriber is attached and the topic was created with
     * {@link TopicOptions#requireSubscriber()}: the message was not published.
     */
    long NOT_CONNECTED = -1;

    /**
     * The ring is full: up to the slowest tethered subscriber, or up to a claim another publisher has not
     * committed yet (the ring is never reused past a record still being written). Try again later.
     */
    long BACK_PRESSURED = -2;

    /**
     * Another participant is freeing space in the ring (a cleaning round), or a crashed participant is being
     * repaired: nothing was published; retry soon, but do not spin. A round normally takes microseconds, but its
     * owner may be preempted, stopped or paused by a GC, and callers retrying in a tight loop then take the CPU
     * it needs to finish. Back off: a few spins or yields, then parks that grow to some tens of microseconds
     * (Agrona's {@code BackoffIdleStrategy} does this), resetting after a success. {@link #offerBlocking} backs off
     * by itself and then sleeps, so it burns no CPU however long the round takes. Each answer is counted in the
     * publisher's {@link TopicStatus.PublisherStatus#adminActions()} ({@code shmbus stat}).
     */
    long ADMIN_ACTION = -3;

    /**
     * The publisher, its topic or its bus was closed.
     */
    long CLOSED = -4;

    /**
     * Copy a message into the ring and publish it.
     *
     * @param buffer holding the message.
     * @param offset where the message starts.
     * @param length of the message: 0 to {@link #maxMessageLength()}.
     * @return the new stream position (greater than 0), or a negative status code.
     * @throws IllegalArgumentException  when {@code length} is negative or above the maximum (both are named).
     * @throws IndexOutOfBoundsException when {@code [offset, offset + length)} is not inside {@code buffer}; nothing
     *                                   is claimed in the ring then.
     */
    long offer(DirectBuffer buffer, int offset, int length);

    /**
     * Copy a message with an application message type into the ring and publish it.
     *
     * @param buffer holding the message.
     * @param offset where the message starts.
     * @param length of the message: 0 to {@link #maxMessageLength()}.
     * @param type   the message type subscribers see in {@link MessageHeader#type()}.
     * @return the new stream position (greater than 0), or a negative status code.
     * @throws IllegalArgumentException  when {@code length} is negative or above the maximum (both are named).
     * @throws IndexOutOfBoundsException when {@code [offset, offset + length)} is not inside {@code buffer}; nothing
     *                                   is claimed in the ring then.
     */
    long offer(DirectBuffer buffer, int offset, int length, int type);

    /**
     * Copy a message into the ring, waiting while the ring is full: the publisher sleeps on the topic's
     * futex until a subscriber frees space (subscribers wake it only while it sleeps), or until the timeout.
     * Waits the same way for a first subscriber when the topic requires one.
     *
     * @param buffer    holding the message.
     * @param offset    where the message starts.
     * @param length    of the message: 0 to {@link #maxMessageLength()}.
     * @param timeoutNs the most to wait, in nanoseconds.
     * @return the new stream position (greater than 0), or the last negative status when the timeout passed
     * ({@link #BACK_PRESSURED} or {@link #NOT_CONNECTED}), or {@link #CLOSED}.
     */
    default long offerBlocking(final DirectBuffer buffer, final int offset, final int length, final long timeoutNs)
    {
        return offerBlocking(buffer, offset, length, 0, timeoutNs);
    }

    /**
     * As {@link #offerBlocking(DirectBuffer, int, int, long)}, with a message type the subscribers see in
     * {@link MessageHeader#type()}.
     *
     * <pre>{@code
     * final long result = publisher.offerBlocking(buffer, 0, length, QUOTE_TYPE, TimeUnit.SECONDS.toNanos(1));
     * if (result < 0) { log.warn("quote not published: {}", result); } // BACK_PRESSURED or NOT_CONNECTED after 1 s
     * }</pre>
     *
     * @param buffer    holding the message.
     * @param offset    where the message starts.
     * @param length    of the message: 0 to {@link #maxMessageLength()}.
     * @param type      the message type.
     * @param timeoutNs the most to wait, in nanoseconds.
     * @return the new stream position (greater than 0), or the last negative status when the timeout passed
     * ({@link #BACK_PRESSURED} or {@link #NOT_CONNECTED}), or {@link #CLOSED}.
     */
    long offerBlocking(DirectBuffer buffer, int offset, int length, int type, long timeoutNs);

    /**
     * Claim room for a message in the ring, to be written in place and then
     * {@linkplain Claim#commit() committed} or {@linkplain Claim#abort() aborted}.
     *
     * @param length of the message: 0 to {@link #maxMessageLength()}.
     * @param claim  the reusable flyweight to point at the claimed bytes.
     * @return the stream position after the claimed record (greater than 0), or a negative status code.
     */
    long tryClaim(int length, Claim claim);

    /**
     * @return the largest message this topic takes, in bytes.
     */
    int maxMessageLength();

    /**
     * @return true when at least one subscriber is attached to the topic.
     */
    boolean isConnected();

    /**
     * @return the index of this publisher's slot in the topic: {@link MessageHeader#publisherId()}.
     */
    int id();

    /**
     * @return the topic's tail: the position where the next message will be claimed.
     */
    long position();

    /**
     * @return true once closed.
     */
    boolean isClosed();

    /**
     * Leave the topic. Idempotent. A claim still held is aborted.
     */
    @Override
    void close();
}
