package io.shmbus.examples;

import io.shmbus.examples.trading.sbe.Side;

/**
 * The content of every message of the trading example, as a function of its sequence number: the feed
 * handler publishes it, the strategies and the gateway recompute it, so each of them can check every field
 * of every message it reads (a wrong, stale or torn field is a misread, not a matter of opinion).
 *
 * <p>Market data messages are numbered from 0 by one sequence; every tenth is a trade, the others are
 * quotes. A strategy orders on some of the quotes, picked by a hash of the quote's sequence and the
 * strategy's id: about one quote in {@code orderEvery} for each strategy.
 */
final class TradingModel
{
    /** Instruments quoted, numbered from 1. */
    static final int INSTRUMENTS = 8;
    /** Price units per currency unit: prices are fixed-point integers. */
    static final long PRICE_SCALE = 10_000;

    private static final long MULTIPLIER = 0x9E3779B97F4A7C15L;

    private final int orderEvery;

    /**
     * @param orderEvery a strategy orders on about one quote in this many; at least 1.
     */
    TradingModel(final int orderEvery)
    {
        if (orderEvery < 1)
        {
            throw new IllegalArgumentException("--order-every must be at least 1: " + orderEvery);
        }
        this.orderEvery = orderEvery;
    }

    int orderEvery()
    {
        return orderEvery;
    }

    static boolean isTrade(final long sequence)
    {
        return sequence % 10 == 9;
    }

    static int instrumentId(final long sequence)
    {
        return 1 + (int)(sequence % INSTRUMENTS);
    }

    static long midPrice(final long sequence)
    {
        return 100 * PRICE_SCALE + 10 * PRICE_SCALE * instrumentId(sequence) +
            Long.remainderUnsigned(mix(sequence), 2001) - 1000;
    }

    static long bidPrice(final long sequence)
    {
        return midPrice(sequence) - 1 - sequence % 3;
    }

    static long askPrice(final long sequence)
    {
        return midPrice(sequence) + 1 + sequence % 2;
    }

    static long bidSize(final long sequence)
    {
        return 100 * (1 + Long.remainderUnsigned(mix(sequence ^ 0xB1D), 50));
    }

    static long askSize(final long sequence)
    {
        return 100 * (1 + Long.remainderUnsigned(mix(sequence ^ 0xA5C), 50));
    }

    static long tradeSize(final long sequence)
    {
        return 100 * (1 + Long.remainderUnsigned(mix(sequence ^ 0x7EAD), 20));
    }

    static Side aggressorSide(final long sequence)
    {
        return (sequence & 1) == 0 ? Side.BUY : Side.SELL;
    }

    /**
     * @return whether strategy {@code strategyId} sends an order on market data message {@code sequence}.
     */
    boolean ordersOn(final int strategyId, final long sequence)
    {
        return !isTrade(sequence) &&
            Long.remainderUnsigned(mix(sequence * 31 + strategyId + 1), orderEvery) == 0;
    }

    /**
     * @return how many orders strategy {@code strategyId} sends over market data messages 0 to
     * {@code messages - 1}.
     */
    long ordersOver(final int strategyId, final long messages)
    {
        long orders = 0;
        for (long sequence = 0; sequence < messages; sequence++)
        {
            if (ordersOn(strategyId, sequence))
            {
                orders++;
            }
        }
        return orders;
    }

    /**
     * @return the first sequence after {@code sequence} on which the strategy orders (none: {@code limit}).
     */
    long nextOrderSequence(final int strategyId, final long sequence, final long limit)
    {
        long next = sequence + 1;
        while (next < limit && !ordersOn(strategyId, next))
        {
            next++;
        }
        return next;
    }

    /**
     * The side of an order on a quote: lift the offer when more is bid than offered, else hit the bid.
     */
    static Side orderSide(final long quoteSequence)
    {
        return bidSize(quoteSequence) > askSize(quoteSequence) ? Side.BUY : Side.SELL;
    }

    static long orderPrice(final long quoteSequence)
    {
        return orderSide(quoteSequence) == Side.BUY ? askPrice(quoteSequence) : bidPrice(quoteSequence);
    }

    static long orderQuantity(final int strategyId)
    {
        return 100L * (1 + strategyId);
    }

    private static long mix(final long value)
    {
        long hash = value * MULTIPLIER;
        hash ^= hash >>> 29;
        hash *= MULTIPLIER;
        return hash ^ (hash >>> 32);
    }
}
