package io.shmbus.bench.link;

/**
 * The addresses and Aeron channels of the cross-host runs. Side A (ping, producer) and side B (pong, consumer)
 * are two network namespaces joined by a veth pair; each stream is sent to the address of the side that
 * subscribes to it, on a port of its own. The subnet exists only inside the two namespaces, so nothing is
 * sent to any other address. Every channel carries the term length of the shared-memory rings (4 MiB), the
 * same for the three transports.
 */
public final class UdpChannels
{
    /** Side A's address on the veth pair. */
    public static final String ADDRESS_A = "10.254.79.1";
    /** Side B's address on the veth pair. */
    public static final String ADDRESS_B = "10.254.79.2";
    /** The prefix length of the veth pair's subnet. */
    public static final int PREFIX_LENGTH = 30;
    /** The term length of every channel. */
    public static final int TERM_LENGTH = 4 << 20;
    private static final int BASE_PORT = 40700;

    private UdpChannels()
    {
    }

    /**
     * @param stream "ping" (A to B), "pong" (B to A) or "data" (A to B).
     * @return the Aeron channel of the stream: unicast to the subscribing side.
     */
    public static String channel(final String stream)
    {
        return "aeron:udp?endpoint=" + subscriberAddress(stream) + ":" + (BASE_PORT + index(stream)) +
            "|term-length=" + TERM_LENGTH;
    }

    /**
     * @param stream a stream, as for {@link #channel(String)}.
     * @return the channel of the bridge's acknowledgements of that stream: back to the publishing side.
     */
    public static String ackChannel(final String stream)
    {
        final String publisher = ADDRESS_A.equals(subscriberAddress(stream)) ? ADDRESS_B : ADDRESS_A;
        return "aeron:udp?endpoint=" + publisher + ":" + (BASE_PORT + 10 + index(stream)) +
            "|term-length=" + TERM_LENGTH;
    }

    /**
     * @param stream a stream.
     * @return the stream id of the plain Aeron runs.
     */
    public static int streamId(final String stream)
    {
        return 2001 + index(stream);
    }

    /**
     * @param stream a stream.
     * @return the address of the side that subscribes to it.
     */
    public static String subscriberAddress(final String stream)
    {
        return "pong".equals(stream) ? ADDRESS_A : ADDRESS_B;
    }

    private static int index(final String stream)
    {
        return switch (stream)
        {
            case "ping" -> 1;
            case "pong" -> 2;
            case "data" -> 3;
            default -> throw new IllegalArgumentException("no UDP channel for stream " + stream);
        };
    }
}
