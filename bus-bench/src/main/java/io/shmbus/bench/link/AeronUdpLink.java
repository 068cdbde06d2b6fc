package io.shmbus.bench.link;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Plain Aeron over UDP, the reference of the cross-host runs: each side (each JVM, in its own network
 * namespace) hosts an embedded media driver configured as shmbus's Aeron transport configures its own
 * ({@link #driverContext(String)}), so that the only difference to the shmbus-over-Aeron runs is
 * the code above the publication and the subscription. Exclusive publication, {@link FragmentAssembler}.
 */
public final class AeronUdpLink extends Link
{
    private final MediaDriver driver;
    private final Aeron aeron;
    private final Subscription subscription;
    private final Publication publication;
    private final FragmentHandler handler;

    /**
     * @param directory the Aeron directory of this side's driver.
     * @param in        stream to subscribe to ({@link UdpChannels}), or null.
     * @param out       stream to publish to, or null.
     */
    public AeronUdpLink(final String directory, final String in, final String out)
    {
        driver = MediaDriver.launch(driverContext(directory));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(directory));
        subscription = null != in ? aeron.addSubscription(UdpChannels.channel(in), UdpChannels.streamId(in)) : null;
        publication = null != out ?
            aeron.addExclusivePublication(UdpChannels.channel(out), UdpChannels.streamId(out)) : null;
        handler = new FragmentAssembler((buffer, offset, length, header) -> sink.onMessage(buffer, offset, length));
    }

    /**
     * The embedded media driver of a cross-host side, configured as shmbus's Aeron transport configures its own:
     * shared threading mode and a backoff idle strategy of 10 spins, 20 yields, then parks of 1 µs up to 1 ms,
     * unless the system properties {@code aeron.threading.mode} or {@code aeron.shared.idle.strategy} say
     * otherwise (then every side of every transport follows them, e.g. through the harness's --child-flags).
     *
     * @param directory the driver's Aeron directory.
     * @return the context to launch.
     */
    public static MediaDriver.Context driverContext(final String directory)
    {
        final MediaDriver.Context context = new MediaDriver.Context()
            .aeronDirectoryName(directory)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true);
        if (null == System.getProperty("aeron.threading.mode"))
        {
            context.threadingMode(ThreadingMode.SHARED);
        }
        if (null == System.getProperty("aeron.shared.idle.strategy"))
        {
            context.sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1_000, 1_000_000));
        }
        return context;
    }

    @Override
    public boolean offer(final UnsafeBuffer buffer, final int length)
    {
        final long result = publication.offer(buffer, 0, length);
        if (result > 0)
        {
            return true;
        }
        if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
        {
            throw new IllegalStateException("publication failed: " + Publication.errorString(result));
        }
        return false;
    }

    @Override
    public int poll(final int limit)
    {
        return subscription.poll(handler, limit);
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(publication, subscription, aeron, driver);
    }
}
