package io.shmbus.bench.link;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.shmbus.bench.Variant;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Aeron over {@code aeron:ipc}: the process that creates hosts an embedded media driver (shared threading
 * mode with Aeron's default backoff idle strategy: on two cores a busy driver would take a core from the two
 * sides under test); every process connects a client to it. Publications are exclusive unless the variant is
 * the concurrent one. The IPC MTU is raised so that messages up to 4 KiB travel as one fragment; larger ones
 * are reassembled by a {@link FragmentAssembler}.
 */
public final class AeronLink extends Link
{
    /** The largest MTU Aeron accepts: 64 KiB minus the UDP and IP headers, 32-byte aligned. */
    public static final int IPC_MTU = 65504;
    private static final String CHANNEL = "aeron:ipc";

    private final MediaDriver driver;
    private final Aeron aeron;
    private final Subscription subscription;
    private final Publication publication;
    private final FragmentHandler handler;

    /**
     * @param variant     which Aeron configuration.
     * @param directory   the Aeron directory.
     * @param hostDriver  whether this process hosts the media driver.
     * @param termLength  the IPC term length.
     * @param inStream    stream to subscribe to, or 0.
     * @param outStream   stream to publish to, or 0.
     */
    public AeronLink(
        final Variant variant,
        final String directory,
        final boolean hostDriver,
        final int termLength,
        final int inStream,
        final int outStream)
    {
        driver = hostDriver ? MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(directory)
            .threadingMode(ThreadingMode.SHARED)
            .ipcTermBufferLength(termLength)
            .ipcMtuLength(IPC_MTU)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)) : null;
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(directory));
        subscription = inStream != 0 ? aeron.addSubscription(CHANNEL, inStream) : null;
        publication = outStream == 0 ? null :
            variant == Variant.AERON_CONCURRENT ? aeron.addPublication(CHANNEL, outStream) :
            aeron.addExclusivePublication(CHANNEL, outStream);
        handler = new FragmentAssembler((buffer, offset, length, header) -> sink.onMessage(buffer, offset, length));
        if (variant == Variant.AERON_BACKOFF)
        {
            idle(new BackoffIdleStrategy());
        }
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
