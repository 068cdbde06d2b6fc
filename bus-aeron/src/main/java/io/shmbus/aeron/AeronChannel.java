package io.shmbus.aeron;

import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.logbuffer.LogBufferDescriptor;
import io.shmbus.BusException;
import io.shmbus.TopicOptions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;

/**
 * The Aeron channel of a topic: the configured URI, checked (media, endpoint, term length) and given the term
 * length the topic needs when it names none.
 */
final class AeronChannel
{
    /** Smallest Aeron term length. */
    static final int MIN_TERM_LENGTH = LogBufferDescriptor.TERM_MIN_LENGTH;

    private final String name;
    private final String channel;
    private final boolean udp;
    private final boolean multicast;
    private final String flowControl;
    private final InetSocketAddress endpoint;
    private final int termLength;

    /**
     * @param name              the topic's name (for messages).
     * @param options           the topic's settings.
     * @param configuredChannel the channel as configured.
     * @throws BusException when the channel cannot carry the topic (the message says why).
     */
    AeronChannel(final String name, final TopicOptions options, final String configuredChannel)
    {
        this.name = name;
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

    /**
     * @return the channel, with its term length.
     */
    String uri()
    {
        return channel;
    }

    /**
     * @return the channel with {@code tether=false}, for an untethered subscription.
     */
    String untetheredUri()
    {
        final ChannelUri uri = ChannelUri.parse(channel);
        uri.put(CommonContext.TETHER_PARAM_NAME, "false");
        return uri.toString();
    }

    /**
     * @return the term length of the channel's publications.
     */
    int termLength()
    {
        return termLength;
    }

    /**
     * @return true for a multicast group.
     */
    boolean isMulticast()
    {
        return multicast;
    }

    /**
     * @return true for a UDP channel to one host: a publisher checks that it can reach it.
     */
    boolean isUnicastUdp()
    {
        return udp && !multicast && null != endpoint;
    }

    /**
     * @return true when the flow control holds a multicast sender to its slowest receiver.
     */
    boolean tethersMulticast()
    {
        return null != flowControl && (flowControl.startsWith("min") || flowControl.startsWith("tagged"));
    }

    /**
     * Check that the endpoint has a route from this host.
     *
     * @throws BusException when it has none.
     */
    void checkReachable()
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
}
