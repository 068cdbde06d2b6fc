package io.shmbus;

/**
 * How a publisher writes: alone (exclusive) or beside others (shared).
 */
public final class PublisherOptions
{
    private static final PublisherOptions EXCLUSIVE = new PublisherOptions(true);
    private static final PublisherOptions SHARED = new PublisherOptions(false);

    private final boolean exclusive;

    private PublisherOptions(final boolean exclusive)
    {
        this.exclusive = exclusive;
    }

    /**
     * @return options for the topic's only publisher: the cheapest path (no compare-and-swap), used by one
     * thread at a time. No other publisher may attach while it is attached.
     */
    public static PublisherOptions exclusive()
    {
        return EXCLUSIVE;
    }

    /**
     * @return options for a publisher that may be used from many threads, beside other shared publishers
     * in this and other processes.
     */
    public static PublisherOptions shared()
    {
        return SHARED;
    }

    /**
     * @return true for the single-writer path.
     */
    public boolean isExclusive()
    {
        return exclusive;
    }

    @Override
    public String toString()
    {
        return exclusive ? "exclusive" : "shared";
    }
}
