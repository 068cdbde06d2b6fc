package io.shmbus.impl.layout;

/**
 * Sizes every layout shares.
 */
public final class Layout
{
    /** Page size the regions are aligned to (the largest base page of the supported platforms is 4 KiB;
     * a 64 KiB-page kernel still maps 4 KiB-aligned offsets of a file it created). */
    public static final int PAGE_SIZE = 4096;
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
