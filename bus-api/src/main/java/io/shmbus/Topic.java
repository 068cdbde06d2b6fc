package io.shmbus;

/**
 * One shared-memory ring: a named file in the bus directory. Its settings are fixed by its creator.
 *
 * <pre>{@code
 * Topic topic = bus.topic("quotes", TopicOptions.builder().capacityBytes(1 << 20).maxMessageLength(512).build());
 * Publisher publisher = topic.publisher(PublisherOptions.shared());
 * Subscriber subscriber = topic.subscriber(SubscriberOptions.untethered().lossHandler(onLoss));
 * }</pre>
 */
public interface Topic extends AutoCloseable
{
    /**
     * @return the topic's name.
     */
    String name();

    /**
     * @return the settings the topic has (those of its creator).
     */
    TopicOptions options();

    /**
     * Attach a publisher.
     *
     * @param options exclusive or shared.
     * @return the publisher.
     * @throws BusException when every publisher slot is taken, or an exclusive publisher is asked for while
     *                      another publisher is attached (or the other way round).
     */
    Publisher publisher(PublisherOptions options);

    /**
     * Attach a subscriber.
     *
     * @param options the policy, start position and, for durable subscribers, the name.
     * @return the subscriber.
     * @throws BusException when every subscriber slot is taken, or a durable name is already attached.
     */
    Subscriber subscriber(SubscriberOptions options);

    /**
     * @return true for an anonymous (memfd) topic, which has no name in the bus directory.
     */
    boolean isAnonymous();

    /**
     * Offer this anonymous topic to other processes on a Unix domain socket.
     *
     * @param options the socket address and the allow-list.
     * @return the running share; close it to stop offering.
     * @throws BusException when the topic is named (named topics are joined by name), or the socket cannot be
     *                      bound.
     */
    TopicShare share(ShareOptions options);

    /**
     * Read the topic's shared state: positions, participants, liveness, lag and counters.
     *
     * @return a snapshot.
     */
    TopicStatus status();

    /**
     * Remove a durable subscription that is away: its slot, its position and its counts are freed, it no longer
     * holds publishers back, and a later subscriber of that name starts afresh. Refused while the subscriber is
     * attached.
     *
     * <pre>{@code
     * if (topic.dropDurable("strategy-2026-12-02")) { log.info("yesterday's subscription removed"); }
     * }</pre>
     *
     * @param name the durable subscriber's name.
     * @return true when it was dropped, false when the topic has no durable subscription of that name.
     * @throws BusException when that subscriber is attached (its process is alive).
     * @throws UnsupportedOperationException when the transport keeps no durable subscriptions of its own.
     */
    default boolean dropDurable(final String name)
    {
        throw new UnsupportedOperationException("this transport keeps no durable subscriptions: " + name);
    }

    /**
     * Close the publishers and subscribers made through this topic object and unmap it. Idempotent. A
     * participant used by another thread at that moment returns {@link Publisher#CLOSED} or 0 from its next
     * call; the memory stays mapped for a short linger (2 s by default, system property
     * {@code shmbus.lingerMs}) so that a call already running finishes safely. Stop the threads that use a
     * topic before closing it.
     */
    @Override
    void close();
}
