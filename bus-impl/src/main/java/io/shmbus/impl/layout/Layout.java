package io.shmbus.impl.layout;

/**
 * Sizes every layout shares.
 */
public final class Layout
{
    /** The smallest page size, to which the control region's length is rounded. */
    public static final int PAGE_SIZE = 4096;
    /**
     * Where a region that is mapped on its own (the data ring, mapped read-only for subscribers) starts: a multiple
     * of 64 KiB, the largest base page size of the kernels shmbus runs on (arm64 servers often use 64 KiB pages),
     * because {@code mmap} takes only offsets that are multiples of the system's page size.
     */
    public static final int REGION_ALIGNMENT = 64 * 1024;
    /** One cache line. */
    public static final int CACHE_LINE = 64;
    /** Two cache lines: hot fields written by different sides are this far apart, so the adjacent-line
     * prefetcher does not make them share. */
    public static final int PADDED_BLOCK = 2 * CACHE_LINE;

    private Layout()
    {
    }

    /**
     * @param value     to align.
     * @param alignment a power of two.
     * @return value rounded up to a multiple of alignment.
     */
    public static long align(final long value, final long alignment)
    {
        return (value + alignment - 1) & -alignment;
    }

    /**
     * @param value     to align.
     * @param alignment a power of two.
     * @return value rounded up to a multiple of alignment.
     */
    public static int align(final int value, final int alignment)
    {
        return (value + alignment - 1) & -alignment;
    }
}
