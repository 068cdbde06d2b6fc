package io.shmbus.bench.child;

import io.shmbus.examples.trading.sbe.Side;

/**
 * What every message of the trading scenario holds, as a function of numbers its reader knows: a quote's
 * fields of its sequence, an order's of the quote it answers and of the strategy, a report's of the order.
 * The feed writes them, the strategies and the gateway compute them again, so every field of every message
 * read is checked.
 *
 * <p>Strategy {@code s} orders on quote {@code q} when a hash of both falls on one value in
 * {@code orderEvery}: each strategy orders on its own, deterministic subset of the quotes.
 */
public final class TradingModel
{
    /** Instruments quoted, numbered from 1. */
    public static final int INSTRUMENTS = 16;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final int orderEvery;

    /**
     * @param orderEvery about one quote in this many is ordered on, by each strategy; at least 1.
     */
    public TradingModel(final int orderEvery)
    {
        if (orderEvery < 1)
        {
            throw new IllegalArgumentException("orderEvery must be at least 1, got " + orderEvery);
        }
        this.orderEvery = orderEvery;
    }

    /**
     * @param sequence a quote's sequence.
     * @return its instrument.
     */
    public static int instrument(final long sequence)
    {
        return 1 + (int)Long.remainderUnsigned(hash(sequence ^ 0x51), INSTRUMENTS);
    }

    /**
     * @param sequence a quote's sequence.
     * @return its bid price (fixed point, 1/10000).
     */
    public static long bid(final long sequence)
    {
        return 500_000L + 25_000L * instrument(sequence) + Long.remainderUnsigned(hash(sequence), 4_000);
    }

    /**
     * @param sequence a quote's sequence.
     * @return its ask price: above the bid by 1 to 8 ticks.
     */
    public static long ask(final long sequence)
    {
        return bid(sequence) + 1 + Long.remainderUnsigned(hash(sequence ^ 0xA5), 8);
    }

    /**
     * @param sequence a quote's sequence.
     * @return its bid size.
     */
    public static long bidSize(final long sequence)
    {
        return 100 * (1 + Long.remainderUnsigned(hash(sequence ^ 0xB1), 40));
    }

    /**
     * @param sequence a quote's sequence.
     * @return its ask size.
     */
    public static long askSize(final long sequence)
    {
        return 100 * (1 + Long.remainderUnsigned(hash(sequence ^ 0xC3), 40));
    }

    /**
     * @param strategy a strategy's number.
     * @param sequence a quote's sequence.
     * @return whether the strategy orders on that quote.
     */
    public boolean ordersOn(final int strategy, final long sequence)
    {
        return Long.remainderUnsigned(hash(sequence * 257 + strategy + 7), orderEvery) == 0;
    }

    /**
     * @param strategy a strategy's number.
     * @param quotes   how many quotes, from sequence 0.
     * @return how many orders the strategy sends on them.
     */
    public long ordersOver(final int strategy, final long quotes)
    {
        long orders = 0;
        for (long q = 0; q < quotes; q++)
        {
            if (ordersOn(strategy, q))
            {
                orders++;
            }
        }
        return orders;
    }

    /**
     * @param strategy a strategy's number.
     * @param after    a quote's sequence (-1: before the first).
     * @param limit    how many quotes there are.
     * @return the next quote after {@code after} that the strategy orders on, or {@code limit} when none.
     */
    public long nextOrdered(final int strategy, final long after, final long limit)
    {
        long q = after + 1;
        while (q < limit && !ordersOn(strategy, q))
        {
            q++;
        }
        return q;
    }

    /**
     * @param sequence the quote ordered on.
     * @return buy when more is bid than offered, else sell.
     */
    public static Side side(final long sequence)
    {
        return bidSize(sequence) > askSize(sequence) ? Side.BUY : Side.SELL;
    }

    /**
     * @param sequence the quote ordered on.
     * @return the price: the ask when buying, the bid when selling.
     */
    public static long price(final long sequence)
    {
        return side(sequence) == Side.BUY ? ask(sequence) : bid(sequence);
    }

    /**
     * @param strategy a strategy's number.
     * @return the quantity of each of its orders.
     */
    public static long quantity(final int strategy)
    {
        return 100L * (strategy + 1);
    }

    private static long hash(final long value)
    {
        long h = (value + 1) * GOLDEN;
        h ^= h >>> 31;
        h *= GOLDEN;
        return h ^ h >>> 29;
    }
}
