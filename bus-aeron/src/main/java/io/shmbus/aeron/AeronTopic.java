package io.shmbus.aeron;

import io.aeron.ConcurrentPublication;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.exceptions.AeronException;
import io.shmbus.BusException;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.ShareOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.TopicShare;
import io.shmbus.TopicStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A topic carried by one Aeron channel and stream id. Its settings live in this process only: Aeron keeps no
 * topic header, so processes must be configured alike (the channel's term length follows the settings).
 */
public final class AeronTopic implements Topic
{
    private final AeronBus bus;
    private final String name;
    private final TopicOptions options;
    private final AeronChannel channel;
    private final int streamId;
    private final List<AeronPublisher> publishers = new CopyOnWriteArrayList<>();
    private final List<AeronSubscriber> subscribers = new CopyOnWriteArrayList<>();
    private int nextLocalSubscriberId;
    private volatile boolean closed;

    AeronTopic(
        final AeronBus bus,
        final String name,
        final TopicOptions options,
        final String configuredChannel,
        final int streamId)
    {
        this.bus = bus;
        this.name = name;
        this.options = options;
        this.streamId = streamId;
        this.channel = new AeronChannel(name, options, configuredChannel);
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public TopicOptions options()
    {
        return options;
    }

    /**
     * @return the channel the topic's publications and subscriptions use (with its term length).
     */
    public String channel()
    {
        return channel.uri();
    }

    /**
     * @return the topic's stream id.
     */
    public int streamId()
    {
        return streamId;
    }

    /**
     * @return the term length of the topic's publications.
     */
    public int termLength()
    {
        return channel.termLength();
    }

    @Override
    public Publisher publisher(final PublisherOptions publisherOptions)
    {
        ensureOpen();
        synchronized (this)
        {
            if (publishers.size() >= options.maxPublishers())
            {
                throw new BusException("topic " + name + " has all its " + options.maxPublishers() +
                    " publisher slots taken in this process");
            }
            if (channel.isUnicastUdp())
            {
                channel.checkReachable();
            }
            final Publication publication;
            try
            {
                publication = publisherOptions.isExclusive() ?
                    bus.aeron().addExclusivePublication(channel.uri(), streamId) :
                    bus.aeron().addPublication(channel.uri(), streamId);
            }
            catch (final AeronException | IllegalArgumentException | IllegalStateException ex)
            {
                throw new BusException("cannot publish topic " + name + " on Aeron channel '" + channel.uri() +
                    "' stream " + streamId + ": " + ex.getMessage(), ex);
            }
            final int publisherId = (int)(bus.aeron().nextCorrelationId() & 0x7fff_ffff);
            final AeronPublisher publisher = publisherOptions.isExclusive() ?
                new AeronPublisher(this, (ExclusivePublication)publication, publisherId) :
                new AeronPublisher(this, (ConcurrentPublication)publication, publisherId);
            publishers.add(publisher);
            return publisher;
        }
    }

    @Override
    public Subscriber subscriber(final SubscriberOptions subscriberOptions)
    {
        ensureOpen();
        final SubscriberOptions.Policy policy = subscriberOptions.policy();
        if (policy == SubscriberOptions.Policy.DURABLE)
        {
            throw new BusException("durable subscriber '" + subscriberOptions.name() + "' of topic " + name +
                ": an Aeron stream keeps nothing for a subscriber that is away, so no position outlives it; " +
                "subscribe durably to a shared-memory topic and carry it with the bridge");
        }
        if (subscriberOptions.startPosition() == SubscriberOptions.StartPosition.OLDEST)
        {
            throw new BusException("subscriber of topic " + name + " asks to start at OLDEST: an Aeron subscriber " +
                "joins a stream where it is when it connects and sees nothing older; start at TAIL");
        }
        if (policy == SubscriberOptions.Policy.UNTETHERED &&
            subscriberOptions.lossHandler() != SubscriberOptions.untethered().lossHandler())
        {
            throw new BusException("untethered subscriber of topic " + name + " has a loss handler: Aeron skips " +
                "bytes, not messages, so the number of lost messages cannot be told exactly (lostBytes() is " +
                "exact); drop the handler, or use a shared-memory topic");
        }
        if (policy == SubscriberOptions.Policy.TETHERED && channel.isMulticast() && !channel.tethersMulticast())
        {
            throw new BusException("tethered subscriber of topic " + name + " on multicast channel '" + channel.uri() +
                "': with the default (max) flow control a slow receiver is left behind and loses messages; " +
                "add fc=min (or fc=tagged) to the channel, or subscribe untethered");
        }
        synchronized (this)
        {
            if (subscribers.size() >= options.maxSubscribers())
            {
                throw new BusException("topic " + name + " has all its " + options.maxSubscribers() +
                    " subscriber slots taken in this process");
            }
            final String subscriptionChannel =
                policy == SubscriberOptions.Policy.UNTETHERED ? channel.untetheredUri() : channel.uri();
            final Subscription subscription;
            try
            {
                subscription = bus.aeron().addSubscription(subscriptionChannel, streamId);
            }
            catch (final AeronException | IllegalArgumentException | IllegalStateException ex)
            {
                throw new BusException("cannot subscribe to topic " + name + " on Aeron channel '" +
                    subscriptionChannel + "' stream " + streamId + ": " + ex.getMessage(), ex);
            }
            final AeronSubscriber subscriber =
                new AeronSubscriber(this, subscription, subscriberOptions, nextLocalSubscriberId++);
            subscribers.add(subscriber);
            return subscriber;
        }
    }

    void removed(final AeronPublisher publisher)
    {
        publishers.remove(publisher);
    }

    void removed(final AeronSubscriber subscriber)
    {
        subscribers.remove(subscriber);
    }

    boolean isClosed()
    {
        return closed;
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new BusException("topic " + name + " is closed");
        }
        bus.ensureOpen();
    }

    @Override
    public boolean isAnonymous()
    {
        return false;
    }

    @Override
    public TopicShare share(final ShareOptions shareOptions)
    {
        throw new BusException("topic " + name + " is an Aeron stream: only anonymous shared-memory topics are shared");
    }

    @Override
    public TopicStatus status()
    {
        final long pid = ProcessHandle.current().pid();
        long tail = 0;
        final List<TopicStatus.PublisherStatus> publisherStatuses = new ArrayList<>();
        for (final AeronPublisher publisher : publishers)
        {
            tail = Math.max(tail, publisher.position());
            publisherStatuses.add(new TopicStatus.PublisherStatus(publisher.id(), (int)pid, !publisher.isClosed(),
                publisher.isExclusive(), publisher.isExclusive() ? publisher.publishedMessages() : -1,
                publisher.backPressuredCount(), 0, 0));
        }
        final List<TopicStatus.SubscriberStatus> subscriberStatuses = new ArrayList<>();
        for (final AeronSubscriber subscriber : subscribers)
        {
            subscriberStatuses.add(new TopicStatus.SubscriberStatus(subscriber.id(), (int)pid,
                !subscriber.isClosed(), "active", subscriber.policy(), null, subscriber.position(),
                Math.max(0, tail - subscriber.position()), subscriber.deliveredMessages(),
                subscriber.lostMessages(), 0, 0));
        }
        return new TopicStatus(name, tail, 0, channel.termLength(), 0, 0, publisherStatuses, subscriberStatuses);
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final AeronPublisher publisher : publishers)
        {
            publisher.close();
        }
        for (final AeronSubscriber subscriber : subscribers)
        {
            subscriber.close();
        }
        bus.removed(this);
    }

    @Override
    public String toString()
    {
        return "AeronTopic{" + name + ", channel=" + channel.uri() + ", stream=" + streamId + '}';
    }
}
