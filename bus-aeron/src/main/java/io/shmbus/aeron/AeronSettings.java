package io.shmbus.aeron;

import io.shmbus.BusException;
import io.shmbus.BusOptions;

/**
 * The names and defaults of the Aeron transport's settings. Each is read from
 * {@link BusOptions#property(String, String)}: the bus options first, then the system property of that name.
 */
public final class AeronSettings
{
    /** The channel of every topic that has no channel of its own: {@value #DEFAULT_CHANNEL} by default. */
    public static final String CHANNEL = "shmbus.aeron.channel";
    /** Prefix of a topic's own channel: {@code shmbus.aeron.channel.<topic>}. */
    public static final String CHANNEL_PREFIX = "shmbus.aeron.channel.";
    /** Prefix of a topic's stream id: {@code shmbus.aeron.stream.<topic>}; by default derived from the name. */
    public static final String STREAM_PREFIX = "shmbus.aeron.stream.";
    /** {@code embedded} (default): launch a media driver under the bus directory; {@code external}: use one. */
    public static final String DRIVER = "shmbus.aeron.driver";
    /** The directory of an external media driver; also selects {@code external}. Else {@code aeron.dir}. */
    public static final String DIR = "shmbus.aeron.dir";
    /** How long the client waits for the media driver to answer, in milliseconds: 10000 by default. */
    public static final String DRIVER_TIMEOUT_MS = "shmbus.aeron.driverTimeoutMs";
    /** The channel used when none is configured. */
    public static final String DEFAULT_CHANNEL = "aeron:ipc";
    /** The embedded driver's directory, inside the bus directory. */
    public static final String EMBEDDED_DIR_NAME = "aeron-driver";

    private AeronSettings()
    {
    }

    /**
     * @param options the bus options.
     * @param topic   the topic's name.
     * @return the topic's channel.
     */
    public static String channel(final BusOptions options, final String topic)
    {
        return options.property(CHANNEL_PREFIX + topic, options.property(CHANNEL, DEFAULT_CHANNEL)).trim();
    }

    /**
     * @param options the bus options.
     * @param topic   the topic's name.
     * @return the topic's stream id: the configured one, or a positive hash of the name.
     */
    public static int streamId(final BusOptions options, final String topic)
    {
        final String configured = options.property(STREAM_PREFIX + topic, null);
        if (null != configured)
        {
            try
            {
                return Integer.parseInt(configured.trim());
            }
            catch (final NumberFormatException ex)
            {
                throw new BusException(
                    "stream id " + STREAM_PREFIX + topic + " must be an int: '" + configured + "'", ex);
            }
        }
        final int hash = topic.hashCode() & 0x7fff_ffff;
        return 0 == hash ? 1 : hash;
    }

    /**
     * @param options the bus options.
     * @return the external driver's directory, or null for an embedded driver.
     */
    public static String externalDir(final BusOptions options)
    {
        final String dir = options.property(DIR, null);
        final String mode = options.property(DRIVER, null == dir ? "embedded" : "external").trim();
        switch (mode)
        {
            case "embedded":
                return null;
            case "external":
                if (null != dir && !dir.isBlank())
                {
                    return dir;
                }
                final String aeronDir = System.getProperty("aeron.dir");
                return null != aeronDir ? aeronDir : io.aeron.CommonContext.getAeronDirectoryName();
            default:
                throw new BusException(DRIVER + " must be 'embedded' or 'external': '" + mode + "'");
        }
    }

    /**
     * @param options the bus options.
     * @return the driver timeout in milliseconds.
     */
    public static long driverTimeoutMs(final BusOptions options)
    {
        final String value = options.property(DRIVER_TIMEOUT_MS, "10000").trim();
        try
        {
            final long timeoutMs = Long.parseLong(value);
            if (timeoutMs <= 0)
            {
                throw new NumberFormatException("not positive");
            }
            return timeoutMs;
        }
        catch (final NumberFormatException ex)
        {
            throw new BusException(DRIVER_TIMEOUT_MS + " must be a positive number of milliseconds: '" + value + "'");
        }
    }
}
