package io.shmbus.bench.link;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.MappedByteBuffer;

/**
 * The physical floor: two longs in a mapped /dev/shm file, 256 bytes apart (no shared or adjacent cache
 * line). A message is one long: the sender stores it with release semantics into its word, the receiver
 * spins on the other word with acquire loads until it changes. Nothing is framed, checked or copied.
 */
public final class FloorLink extends Link
{
    private static final int FILE_LENGTH = 4096;
    private static final int LINE_GAP = 256;

    private final MappedByteBuffer map;
    private final UnsafeBuffer words;
    private final int inOffset;
    private final int outOffset;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[8]);
    private long lastSeen;

    /**
     * @param directory where the file lives.
     * @param create    whether to create it.
     * @param inName    the word to read ("ping" or "pong"), or null.
     * @param outName   the word to write, or null.
     */
    public FloorLink(final String directory, final boolean create, final String inName, final String outName)
    {
        final File file = new File(directory, "floor.map");
        map = create ? IoUtil.mapNewFile(file, FILE_LENGTH, true) : IoUtil.mapExistingFile(file, "floor");
        words = new UnsafeBuffer(map);
        inOffset = offsetOf(inName);
        outOffset = offsetOf(outName);
        lastSeen = null != inName ? words.getLongVolatile(inOffset) : 0;
    }

    private static int offsetOf(final String name)
    {
        return null == name ? -1 : "ping".equals(name) ? 0 : LINE_GAP;
    }

    @Override
    public boolean offer(final UnsafeBuffer buffer, final int length)
    {
        words.putLongRelease(outOffset, buffer.getLong(0));
        return true;
    }

    @Override
    public int poll(final int limit)
    {
        final long value = words.getLongVolatile(inOffset);
        if (value == lastSeen)
        {
            return 0;
        }
        lastSeen = value;
        scratch.putLong(0, value);
        sink.onMessage(scratch, 0, 8);
        return 1;
    }

    @Override
    public void close()
    {
        IoUtil.unmap(map);
    }
}
