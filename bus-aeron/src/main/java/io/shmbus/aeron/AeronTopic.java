package io.shmbus.aeron;

import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.ConcurrentPublication;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.exceptions.AeronException;
import io.aeron.logbuffer.LogBufferDescriptor;
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

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A topic carried by one Aeron channel and stream id. Its settings live in this process only: Aeron keeps no
 * topic header, so processes must be configured alike (the channel's term length follows the settings).
 */
public final class AeronTopic implements Topic
{
    /** Smallest Aeron term length. */
    static final int MIN_TERM_LENGTH = LogBufferDescriptor.TERM_MIN_LENGTH;

    private final AeronBus bus;
    private final String name;
    private final TopicOptions options;
    private final String channel;
    private final int streamId;
    private final boolean udp;
    private final boolean multicast;
    private final String flowControl;
    private final InetSocketAddress endpoint;
    private final int termLength;
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
        final ChannelUri uri = parse(name, configuredChannel);
        final String media = uri.media();
        this.udp = CommonContext.UDP_MEDIA.equals(media);
        if (!udp && !CommonContext.IPC_MEDIA.equals(media))
        {
            throw new BusException("Aeron channel '" + configuredChannel + "' of topic " + name +
                " has media '" + media + "': shmbus carries topics on aeron:udp or aeron:ipc");
        }
        final String endpointValue = uri.get(CommonContext.ENDPOINT_PARAM_NAME);
        if (udp && null == endpointValue && null == uri.get(CommonContext.MDC_CONTROL_PARAM_NAME))
        {
            throw new BusException("Aeron channel '" + configuredChannel + "' of topic " + name +
                " has no endpoint: aeron:udp needs endpoint=host:port (unicast or a multicast group)");
        }
        this.endpoint = udp && null != endpointValue ? parseEndpoint(name, configuredChannel, endpointValue) : null;
        this.multicast = null != endpoint && endpoint.getAddress().isMulticastAddress();
        this.flowControl = uri.get(CommonContext.FLOW_CONTROL_PARAM_NAME);

        final String termLengthValue = uri.get(CommonContext.TERM_LENGTH_PARAM_NAME);
        final int neededTermLength = termLengthFor(options);
        if (null != termLengthValue)
        {
            final int given;
            try
            {
                given = (int)org.agrona.SystemUtil.parseSize(CommonContext.TERM_LENGTH_PARAM_NAME, termLengthValue);
                LogBufferDescriptor.checkTermLength(given);
            }
            catch (final RuntimeException ex)
            {
                throw new BusException("Aeron channel '" + configuredChannel + "' of topic " + name +
                    ": bad term-length '" + termLengthValue + "': " + ex.getMessage(), ex);
            }
            if (given / 8 < options.maxMessageLength() + MessageFraming.HEADER_LENGTH)
            {
                throw new BusException("Aeron channel '" + configuredChannel + "' of topic " + name +
                    ": term-length " + given + " carries messages up to " + (given / 8 - MessageFraming.HEADER_LENGTH) +
                    " bytes, the topic's maxMessageLength is " + options.maxMessageLength() +
                    "; use term-length " + neededTermLength + " or more");
            }
            this.termLength = given;
        }
        else
        {
            this.termLength = neededTermLength;
            uri.put(CommonContext.TERM_LENGTH_PARAM_NAME, Integer.toString(neededTermLength));
        }
        this.channel = uri.toString();
    }

    private static ChannelUri parse(final String name, final String channel)
    {
        try
        {
            return ChannelUri.parse(channel);
        }
        catch (final RuntimeException ex)
        {
            throw new BusException("malformed Aeron channel URI '" + channel + "' for topic " + name + ": " +
                ex.getMessage(), ex);
        }
    }

    private static InetSocketAddress parseEndpoint(final String name, final String channel, final String value)
    {
        final int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1)
        {
            throw new BusException("Aeron channel '" + channel + "' of topic " + name + ": endpoint '" + value +
                "' is not host:port");
        }
        final String host = value.substring(0, colon).replace("[", "").replace("]", "");
        final int port;
        try
        {
            port = Integer.parseInt(value.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new BusException("Aeron channel '" + channel + "' of topic " + name + ": endpoint '" + value +
                "' has no numeric port", ex);
        }
        if (port < 0 || port > 65535)
        {
            throw new BusException("Aeron channel '" + channel + "' of topic " + name + ": port " + port +
                " of endpoint '" + value + "' is not 0 to 65535");
        }
        try
        {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        }
        catch (final UnknownHostException ex)
        {
            throw new BusException("Aeron channel '" + channel + "' of topic " + name + ": host '" + host +
                "' of endpoint '" + value + "' cannot be resolved", ex);
        }
    }

    /**
     * The smallest term length that carries a topic's largest message: a power of two of at least 64 KiB and
     * of at least the topic's capacity, whose eighth (Aeron's largest message) holds the message and its header.
     *
     * @param options the topic's settings.
     * @return the term length in bytes.
     */
    static int termLengthFor(final TopicOptions options)
    {
        int termLength = Math.max(MIN_TERM_LENGTH, options.capacityBytes());
        while (termLength / 8 < options.maxMessageLength() + MessageFraming.HEADER_LENGTH)
        {
            termLength <<= 1;
        }
        return termLength;
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
        return channel;
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
        return termLength;
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
            if (udp && !multicast && null != endpoint)
            {
                checkReachable();
            }
            final Publication publication;
            try
            {
                publication = publisherOptions.isExclusive() ?
                    bus.aeron().addExclusivePublication(channel, streamId) :
                    bus.aeron().addPublication(channel, streamId);
            }
            catch (final AeronException | IllegalArgumentException | IllegalStateException ex)
            {
                throw new BusException("cannot publish topic " + name + " on Aeron channel '" + channel +
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

    private void checkReachable()
    {
        // Connecting a datagram socket asks the kernel for a route without sending anything.
        try (DatagramChannel probe = DatagramChannel.open())
        {
            probe.connect(endpoint);
        }
        catch (final IOException ex)
        {
            throw new BusException("endpoint " + endpoint + " of Aeron channel '" + channel + "' (topic " + name +
                ") is unreachable from this host: " + ex.getMessage(), ex);
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
        if (policy == SubscriberOptions.Policy.TETHERED && multicast && !tethersMulticast())
        {
            throw new BusException("tethered subscriber of topic " + name + " on multicast channel '" + channel +
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
            String subscriptionChannel = channel;
            if (policy == SubscriberOptions.Policy.UNTETHERED)
            {
                final ChannelUri uri = ChannelUri.parse(channel);
                uri.put(CommonContext.TETHER_PARAM_NAME, "false");
                subscriptionChannel = uri.toString();
            }
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

    private boolean tethersMulticast()
    {
        return null != flowControl && (flowControl.startsWith("min") || flowControl.startsWith("tagged"));
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
        return new TopicStatus(name, tail, 0, termLength, 0, 0, publisherStatuses, subscriberStatuses);
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
        return "AeronTopic{" + name + ", channel=" + channel + ", stream=" + streamId + '}';
    }
}
