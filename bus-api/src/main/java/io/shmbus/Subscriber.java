package io.shmbus;

/**
 * Reads messages from a topic, in publication order.
 *
 * <p>Policies ({@link SubscriberOptions}):
 * <ul>
 *     <li><b>tethered</b> (default): publishers never overwrite what this subscriber has not read; a slow
 *     subscriber back-pressures them.</li>
 *     <li><b>untethered</b>: never slows publishers; when lapped, it skips to the oldest message still
 *     retained and its {@link LossHandler} is told exactly how many messages and bytes it lost. It never
 *     delivers a torn message: each message is copied out of the ring and checked before delivery.</li>
 *     <li><b>durable</b>: tethered, and named; its position outlives close, so reopening with the same name
 *     resumes at the exact next message. It outlives a crash too, as last published: a poll publishes the
 *     position after its handler has returned for the whole batch, so a process that dies inside a poll resumes
 *     at the first message of that poll, and gets again what the handler had of that batch (at most
 *     {@code messageLimit} messages; at least once); what earlier polls delivered is never delivered again. For
 *     exactly once, record each message's {@link MessageHeader#position()} with its effect and skip what was
 *     recorded.</li>
 * </ul>
 *
 * <pre>{@code
 * final IdleStrategy idle = new BackoffIdleStrategy();
 * while (running)
 * {
 *     idle.idle(subscriber.poll((buffer, offset, length, header) -> process(buffer, offset, length), 64));
 * }
 * }</pre>
 *
 * <p>A subscriber is polled by one thread at a time.
 */
public interface Subscriber extends AutoCloseable
{
    /**
     * Deliver up to {@code messageLimit} available messages to the handler.
     *
     * <p>If the handler throws, the messages before the throwing one count as consumed and the throwing one
     * will not be delivered again; the exception propagates.
     *
     * @param handler      called once per message.
     * @param messageLimit the most messages to deliver in this call.
     * @return the number of messages delivered (0 when none were available), for an idle strategy.
     * @throws TopicCorruptedException when the ring holds something no publisher could have written.
     */
    int poll(MessageHandler handler, int messageLimit);

    /**
     * Wait, with the subscriber's {@link WaitStrategy}, until a message is available or the timeout passes,
     * then deliver up to {@code messageLimit} messages.
     *
     * @param handler      called once per message.
     * @param messageLimit the most messages to deliver.
     * @param timeoutNs    the most to wait, in nanoseconds.
     * @return the number of messages delivered; 0 when the timeout passed with none.
     */
    int poll(MessageHandler handler, int messageLimit, long timeoutNs);

    /**
     * Wait, with the subscriber's {@link WaitStrategy}, until a message is available to {@link #poll}.
     *
     * @param timeoutNs the most to wait, in nanoseconds.
     * @return true when a message is available, false when the timeout passed.
     */
    boolean awaitMessage(long timeoutNs);

    /**
     * An Agrona {@link org.agrona.concurrent.IdleStrategy} for duty-cycle loops that poll this subscriber:
     * {@code idle(0)} waits with the subscriber's {@link WaitStrategy} for a message on this topic (never
     * longer than {@code maxSleepNs} per call, so the loop can check its other work), {@code idle(n > 0)}
     * resets.
     *
     * @param maxSleepNs the longest one idle call may sleep.
     * @return a new idle strategy bound to this subscriber.
     */
    org.agrona.concurrent.IdleStrategy idleStrategy(long maxSleepNs);

    /**
     * @return the position of the next message this subscriber will read.
     */
    long position();

    /**
     * @return how many messages were delivered: since this subscriber joined, for tethered and untethered ones; for a
     * durable subscriber, over all its incarnations (it is kept in its slot across leaving and resuming), as
     * {@code shmbus stat} shows it.
     */
    long deliveredMessages();

    /**
     * @return how many messages this subscriber was told it lost, each through its {@link LossHandler}: an untethered
     * subscriber's, lapped since it joined; a durable subscriber's, overwritten while it was away past its hold limit,
     * over all its incarnations; always 0 for a tethered one, which is never lapped.
     */
    long lostMessages();

    /**
     * @return the stream bytes of the messages counted by {@link #lostMessages()} (headers and padding included),
     * counted over the same span.
     */
    long lostBytes();

    /**
     * @return the index of this subscriber's slot in the topic.
     */
    int id();

    /**
     * @return true once closed.
     */
    boolean isClosed();

    /**
     * Leave the topic. Idempotent. A durable subscriber keeps its slot and position for its return.
     */
    @Override
    void close();
}
