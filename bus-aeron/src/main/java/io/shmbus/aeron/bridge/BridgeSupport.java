package io.shmbus.aeron.bridge;

import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.exceptions.AeronException;
import io.shmbus.Bus;
import io.shmbus.BusException;
import io.shmbus.BusOptions;
import io.shmbus.Topic;
import io.shmbus.TopicNotFoundException;
import io.shmbus.aeron.AeronBus;
import io.shmbus.aeron.AeronSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * What both bridge sides share: their Aeron bus, their channels, their ready file, the wait for the local topic.
 */
final class BridgeSupport
{
    private BridgeSupport()
    {
    }

    static AeronBus aeronBus(final BridgeSettings settings, final Path stateDirectory)
    {
        final BusOptions.Builder builder = BusOptions.builder().directory(stateDirectory).transport("aeron");
        if (null != settings.aeronDirectory)
        {
            builder.property(AeronSettings.DIR, settings.aeronDirectory);
        }
        return new AeronBus(builder.build());
    }

    /**
     * Open the local topic, waiting for it to be created for as long as the settings say.
     */
    static Topic openTopic(final Bus bus, final BridgeSettings settings)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.topicWaitMs);
        while (true)
        {
            try
            {
                return bus.openTopic(settings.topic);
            }
            catch (final TopicNotFoundException ex)
            {
                if (System.nanoTime() - deadlineNs >= 0)
                {
                    throw new BusException("topic " + settings.topic + " did not appear in " + settings.busDirectory +
                        " within " + settings.topicWaitMs + " ms", ex);
                }
                sleepMs(50);
            }
        }
    }

    private static void sleepMs(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    static ExclusivePublication publication(final AeronBus bus, final String channel, final int streamId,
        final String what)
    {
        checkChannel(channel, what);
        try
        {
            return bus.aeron().addExclusivePublication(channel, streamId);
        }
        catch (final AeronException | IllegalArgumentException | IllegalStateException ex)
        {
            throw new BusException("cannot publish the bridge's " + what + " on Aeron channel '" + channel +
                "' stream " + streamId + ": " + ex.getMessage(), ex);
        }
    }

    static Subscription subscription(final AeronBus bus, final String channel, final int streamId, final String what)
    {
        checkChannel(channel, what);
        try
        {
            return bus.aeron().addSubscription(channel, streamId);
        }
        catch (final AeronException | IllegalArgumentException | IllegalStateException ex)
        {
            throw new BusException("cannot subscribe to the bridge's " + what + " on Aeron channel '" + channel +
                "' stream " + streamId + ": " + ex.getMessage(), ex);
        }
    }

    private static void checkChannel(final String channel, final String what)
    {
        if (null == channel || channel.isBlank())
        {
            throw new BusException("the bridge's " + what + " channel is not set");
        }
        try
        {
            io.aeron.ChannelUri.parse(channel);
        }
        catch (final RuntimeException ex)
        {
            throw new BusException("malformed Aeron channel URI '" + channel + "' for the bridge's " + what + ": " +
                ex.getMessage(), ex);
        }
    }

    /**
     * @return the source address of the newest image of a subscription (the other side, as Aeron sees it), or
     * an empty string when none is connected.
     */
    static String peer(final Subscription subscription)
    {
        final java.util.List<io.aeron.Image> images = subscription.images();
        return images.isEmpty() ? "" : images.get(images.size() - 1).sourceIdentity();
    }

    static long newEpoch()
    {
        long epoch;
        do
        {
            epoch = ThreadLocalRandom.current().nextLong();
        }
        while (0 == epoch);
        return epoch;
    }

    static void ready(final Path readyFile)
    {
        if (null == readyFile)
        {
            return;
        }
        try
        {
            Files.writeString(readyFile, Long.toString(ProcessHandle.current().pid()));
        }
        catch (final IOException ex)
        {
            throw new BusException("cannot write ready file " + readyFile + ": " + ex.getMessage(), ex);
        }
    }
}
