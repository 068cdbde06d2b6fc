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
 *     resumes at the exact next message.</li>
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
     * @return the position of the next message this subscriber will read.
     */
    long position();

    /**
     * @return how many messages were delivered so far.
     */
    long deliveredMessages();

    /**
     * @return how many messages this subscriber skipped because it was lapped (untethered only).
     */
    long lostMessages();

    /**
     * @return how many bytes of the stream this subscriber skipped because it was lapped (untethered only).
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
