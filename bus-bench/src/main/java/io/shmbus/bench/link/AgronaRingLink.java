package io.shmbus.bench.link;

import io.shmbus.bench.Variant;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.MessageHandler;

import java.io.File;
import java.nio.MappedByteBuffer;

/**
 * Agrona's {@link OneToOneRingBuffer} (or {@link ManyToOneRingBuffer} for fan-in) over a file mapped from
 * /dev/shm: one ring per direction, created by the process that creates.
 */
public final class AgronaRingLink extends Link
{
    private static final int MSG_TYPE_ID = 1;

    private final MappedByteBuffer inMap;
    private final MappedByteBuffer outMap;
    private final RingBuffer in;
    private final RingBuffer out;
    private final MessageHandler handler = (msgTypeId, buffer, index, length) -> sink.onMessage(buffer, index, length);

    /**
     * @param variant   which ring.
     * @param directory where the ring files live.
     * @param create    whether to create the files (else map existing ones).
     * @param capacity  the ring capacity (a power of two).
     * @param inName    ring to read, or null.
     * @param outName   ring to write, or null.
     */
    public AgronaRingLink(
        final Variant variant,
        final String directory,
        final boolean create,
        final int capacity,
        final String inName,
        final String outName)
    {
        inMap = null != inName ? map(directory, inName, create, capacity) : null;
        outMap = null != outName ? map(directory, outName, create, capacity) : null;
        in = null != inMap ? ring(variant, inMap) : null;
        out = null != outMap ? ring(variant, outMap) : null;
        if (variant == Variant.AGRONA_RING_BACKOFF)
        {
            idle(new BackoffIdleStrategy());
        }
    }

    private static MappedByteBuffer map(final String directory, final String name, final boolean create, final int capacity)
    {
        final File file = new File(directory, "agrona-" + name + ".ring");
        final long length = capacity + RingBufferDescriptor.TRAILER_LENGTH;
        return create ? IoUtil.mapNewFile(file, length, true) : IoUtil.mapExistingFile(file, "agrona ring " + name);
    }

    private static RingBuffer ring(final Variant variant, final MappedByteBuffer map)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(map);
        return variant == Variant.AGRONA_MANY_TO_ONE ? new ManyToOneRingBuffer(buffer) : new OneToOneRingBuffer(buffer);
    }

    @Override
    public boolean offer(final UnsafeBuffer buffer, final int length)
    {
        return out.write(MSG_TYPE_ID, buffer, 0, length);
    }

    @Override
    public int poll(final int limit)
    {
        return in.read(handler, limit);
    }

    @Override
    public void close()
    {
        if (null != inMap)
        {
            IoUtil.unmap(inMap);
        }
        if (null != outMap)
        {
            IoUtil.unmap(outMap);
        }
    }
}
