package io.shmbus.examples;

import io.shmbus.Bus;
import io.shmbus.BusException;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Lets a producer wait until several subscribers have attached before it publishes, so that each of them
 * sees the stream from its first message. Each subscriber, once attached to the data topic, posts one
 * message on a small side topic named {@code <topic>.ready}; the producer counts them.
 *
 * <p>A single subscriber needs none of this: a topic that requires a subscriber answers
 * {@code NOT_CONNECTED} until the first one attaches.
 */
final class Readiness
{
    private static final TopicOptions OPTIONS =
        TopicOptions.builder().capacityBytes(TopicOptions.MIN_CAPACITY_BYTES).maxMessageLength(64).build();

    private Readiness()
    {
    }

    static String topicName(final String topic)
    {
        return topic + ".ready";
    }

    /**
     * Tell the producer of {@code topic} that this subscriber is attached. Returns once the message is
     * published, which needs the producer to be waiting for it.
     */
    static void announce(
        final Bus bus, final String topic, final int subscriberId, final IdleStrategy idle, final long timeoutNs)
    {
        try (Topic ready = bus.topic(topicName(topic), OPTIONS);
            Publisher publisher = ready.publisher(PublisherOptions.shared()))
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[Integer.BYTES]);
            message.putInt(0, subscriberId);
            final long deadline = System.nanoTime() + timeoutNs;
            long result;
            idle.reset();
            while ((result = publisher.offer(message, 0, message.capacity())) < 0)
            {
                if (result == Publisher.CLOSED || System.nanoTime() > deadline)
                {
                    throw new BusException("could not tell the producer of topic " + topic + " that subscriber " +
                        subscriberId + " is ready: " + (result == Publisher.CLOSED ? "closed" : "no producer waiting"));
                }
                idle.idle();
            }
        }
    }

    /**
     * Wait until {@code subscribers} subscribers of {@code topic} have announced themselves.
     */
    static void await(
        final Bus bus, final String topic, final int subscribers, final IdleStrategy idle, final long timeoutNs)
    {
        try (Topic ready = bus.topic(topicName(topic), OPTIONS);
            Subscriber subscriber = ready.subscriber(SubscriberOptions.tethered()))
        {
            final int[] count = {0};
            final long deadline = System.nanoTime() + timeoutNs;
            idle.reset();
            while (count[0] < subscribers)
            {
                idle.idle(subscriber.poll((buffer, offset, length, header) -> count[0]++, subscribers));
                if (System.nanoTime() > deadline)
                {
                    throw new BusException("only " + count[0] + " of " + subscribers + " subscribers of topic " +
                        topic + " announced themselves within " + timeoutNs / 1_000_000_000L + " s");
                }
            }
        }
    }
}
