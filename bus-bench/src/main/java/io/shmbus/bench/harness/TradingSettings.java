package io.shmbus.bench.harness;

import io.shmbus.examples.trading.sbe.MessageHeaderEncoder;
import io.shmbus.examples.trading.sbe.QuoteEncoder;

import java.util.List;

/**
 * The trading scenario's settings: how many strategy JVMs, the feed's quote rate, how many quotes are sent as
 * warm-up (checked, not measured) and how many are measured, on about one quote in how many each strategy
 * orders, and how every JVM of the pipeline waits when there is nothing to read.
 *
 * @param strategies     strategy JVMs, 1 to {@link #MAX_STRATEGIES}.
 * @param rate           quotes per second the feed publishes.
 * @param warmupQuotes   quotes first sent without being measured.
 * @param measuredQuotes quotes measured after them.
 * @param orderEvery     each strategy orders on about one quote in this many.
 * @param idle           {@link #BACKOFF} or {@link #SPIN}: the same idle strategy for both transports.
 */
public record TradingSettings(
    int strategies, int rate, long warmupQuotes, long measuredQuotes, int orderEvery, String idle)
{
    /** The length of a quote on the wire: SBE header and block (the size of the scenario's rows). */
    public static final int QUOTE_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + QuoteEncoder.BLOCK_LENGTH;
    /** The most strategy JVMs. */
    public static final int MAX_STRATEGIES = 8;
    /** Strategy JVMs by default: with the feed and the gateway, four JVMs on a two-core machine. */
    public static final int DEFAULT_STRATEGIES = 2;
    /** Agrona's {@code BackoffIdleStrategy} (spin, yield, then park up to 1 ms) in every JVM of the pipeline. */
    public static final String BACKOFF = "backoff";
    /** Agrona's {@code BusySpinIdleStrategy} in every JVM: one core each, for machines that have them. */
    public static final String SPIN = "spin";

    /**
     * @param strategies     strategy JVMs.
     * @param rate           quotes per second.
     * @param warmupQuotes   unmeasured quotes first.
     * @param measuredQuotes measured quotes.
     * @param orderEvery     one order in about this many quotes per strategy.
     * @param idle           the idle strategy's name.
     */
    public TradingSettings
    {
        if (strategies < 1 || strategies > MAX_STRATEGIES)
        {
            throw new IllegalArgumentException("strategies must be 1 to " + MAX_STRATEGIES + ", got " + strategies);
        }
        if (rate < 1 || warmupQuotes < 0 || measuredQuotes < 1 || orderEvery < 1)
        {
            throw new IllegalArgumentException("rate, measured quotes and order-every must be at least 1: " + rate +
                ", " + measuredQuotes + ", " + orderEvery);
        }
        if (!BACKOFF.equals(idle) && !SPIN.equals(idle))
        {
            throw new IllegalArgumentException("idle must be " + BACKOFF + " or " + SPIN + ", got " + idle);
        }
    }

    /**
     * @param mode       the mode: its length sets the counts.
     * @param strategies strategy JVMs.
     * @param idle       {@link #BACKOFF} or {@link #SPIN}.
     * @return the settings: smoke 1,000 + 3,000 quotes at 2,000/s; quick 10,000 + 30,000 at 10,000/s (1 s of
     *         warm-up, 3 s measured); full 20,000 + 200,000 at 10,000/s (20 s measured).
     */
    public static TradingSettings of(final Mode mode, final int strategies, final String idle)
    {
        if (mode.smoke())
        {
            return new TradingSettings(strategies, 2_000, 1_000, 3_000, 10, idle);
        }
        return Mode.QUICK.equals(mode) ? new TradingSettings(strategies, 10_000, 10_000, 30_000, 20, idle) :
            new TradingSettings(strategies, 10_000, 20_000, 200_000, 20, idle);
    }

    /**
     * @return every quote the feed sends.
     */
    public long quotes()
    {
        return warmupQuotes + measuredQuotes;
    }

    /**
     * @return how long the feed publishes, in milliseconds.
     */
    public long feedMs()
    {
        return quotes() * 1000 / rate;
    }

    /**
     * @return the settings in words, for the summary.
     */
    public String describe()
    {
        return strategies + " strategies, " + rate + " quotes/s, " + warmupQuotes + " warm-up then " + measuredQuotes +
            " measured quotes, an order on about one quote in " + orderEvery + " per strategy, idle " + idle;
    }

    /**
     * @return the child arguments every JVM of the pipeline gets.
     */
    List<String> childArgs()
    {
        return List.of("strategies=" + strategies, "rate=" + rate, "warmupQuotes=" + warmupQuotes,
            "quotes=" + quotes(), "orderEvery=" + orderEvery, "idle=" + idle);
    }
}
