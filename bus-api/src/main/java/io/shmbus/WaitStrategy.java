package io.shmbus;

/**
 * How a subscriber waits for messages in {@link Subscriber#poll(MessageHandler, int, long)},
 * {@link Subscriber#awaitMessage(long)} and its {@link Subscriber#idleStrategy(long)}, and how a publisher waits
 * for space in {@link Publisher#offerBlocking(org.agrona.DirectBuffer, int, int, long)}.
 *
 * <table>
 *     <caption>Strategies</caption>
 *     <tr><th>strategy</th><th>latency</th><th>CPU while idle</th></tr>
 *     <tr><td>{@link #busySpin()}</td><td>lowest</td><td>a whole core</td></tr>
 *     <tr><td>{@link #yielding()}</td><td>low, jittery under load</td><td>a whole core (yielding)</td></tr>
 *     <tr><td>{@link #backoff()}</td><td>up to the park time late</td><td>low</td></tr>
 *     <tr><td>{@link #spinYieldFutex()} (default)</td><td>spin latency while busy; a futex wake-up after
 *     that</td><td>none: sleeps in the kernel</td></tr>
 *     <tr><td>{@link #futex()}</td><td>a futex wake-up each time</td><td>none</td></tr>
 * </table>
 *
 * <p>The futex strategies sleep in the kernel on a word in the topic's shared memory and are woken by the
 * publisher that commits the next message — in another process too. A publisher pays a system call only
 * when a subscriber actually sleeps.
 */
public final class WaitStrategy
{
    /** The kinds of waiting. */
    public enum Kind
    {
        /** Spin on the CPU. */
        BUSY_SPIN,
        /** Yield the CPU between checks. */
        YIELD,
        /** Spin, yield, then park for growing times. */
        BACKOFF,
        /** Spin, yield, then sleep on the topic's futex. */
        SPIN_YIELD_FUTEX
    }

    /** Spins before yielding, by default. */
    public static final int DEFAULT_SPINS = 2_000;
    /** Yields before sleeping, by default. */
    public static final int DEFAULT_YIELDS = 20;
    /** Longest park of the backoff strategy, in nanoseconds. */
    public static final long DEFAULT_MAX_PARK_NS = 1_000_000;

    private static final WaitStrategy BUSY_SPIN = new WaitStrategy(Kind.BUSY_SPIN, 0, 0, 0);
    private static final WaitStrategy YIELDING = new WaitStrategy(Kind.YIELD, 0, 0, 0);
    private static final WaitStrategy BACKOFF = new WaitStrategy(Kind.BACKOFF, 100, 10, DEFAULT_MAX_PARK_NS);
    private static final WaitStrategy SPIN_YIELD_FUTEX =
        new WaitStrategy(Kind.SPIN_YIELD_FUTEX, DEFAULT_SPINS, DEFAULT_YIELDS, 0);
    private static final WaitStrategy FUTEX = new WaitStrategy(Kind.SPIN_YIELD_FUTEX, 0, 0, 0);

    private final Kind kind;
    private final int spins;
    private final int yields;
    private final long maxParkNs;

    private WaitStrategy(final Kind kind, final int spins, final int yields, final long maxParkNs)
    {
        this.kind = kind;
        this.spins = spins;
        this.yields = yields;
        this.maxParkNs = maxParkNs;
    }

    /**
     * @return spin on the CPU until the condition holds.
     */
    public static WaitStrategy busySpin()
    {
        return BUSY_SPIN;
    }

    /**
     * @return yield the CPU between checks.
     */
    public static WaitStrategy yielding()
    {
        return YIELDING;
    }

    /**
     * @return spin, yield, then park with doubling times up to {@value #DEFAULT_MAX_PARK_NS} ns.
     */
    public static WaitStrategy backoff()
    {
        return BACKOFF;
    }

    /**
     * @return spin {@value #DEFAULT_SPINS} times, yield {@value #DEFAULT_YIELDS} times, then sleep on the futex:
     * the default.
     */
    public static WaitStrategy spinYieldFutex()
    {
        return SPIN_YIELD_FUTEX;
    }

    /**
     * @param spins  checks with a spin hint before yielding.
     * @param yields checks with a yield before sleeping.
     * @return spin, yield, then sleep on the futex.
     */
    public static WaitStrategy spinYieldFutex(final int spins, final int yields)
    {
        if (spins < 0 || yields < 0)
        {
            throw new IllegalArgumentException("spins and yields must not be negative: " + spins + ", " + yields);
        }
        return new WaitStrategy(Kind.SPIN_YIELD_FUTEX, spins, yields, 0);
    }

    /**
     * @return sleep on the futex at once, every time (no spinning at all).
     */
    public static WaitStrategy futex()
    {
        return FUTEX;
    }

    /**
     * @return the kind.
     */
    public Kind kind()
    {
        return kind;
    }

    /**
     * @return spins before the next phase.
     */
    public int spins()
    {
        return spins;
    }

    /**
     * @return yields before the next phase.
     */
    public int yields()
    {
        return yields;
    }

    /**
     * @return the longest park, for {@link Kind#BACKOFF}.
     */
    public long maxParkNs()
    {
        return maxParkNs;
    }

    @Override
    public String toString()
    {
        return kind + (kind == Kind.SPIN_YIELD_FUTEX || kind == Kind.BACKOFF ?
            "(spins=" + spins + ", yields=" + yields + (kind == Kind.BACKOFF ? ", maxParkNs=" + maxParkNs : "") + ")" :
            "");
    }
}
