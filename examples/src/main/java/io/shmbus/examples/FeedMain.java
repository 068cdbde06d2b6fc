package io.shmbus.examples;

import io.shmbus.Bus;
import io.shmbus.Claim;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Topic;
import io.shmbus.examples.trading.sbe.MessageHeaderEncoder;
import io.shmbus.examples.trading.sbe.QuoteEncoder;
import io.shmbus.examples.trading.sbe.TradeEncoder;
import org.agrona.concurrent.IdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * The feed handler of the trading example: publishes quotes and trades ({@link TradingModel}) at a set rate
 * on the market data topic, each one SBE-encoded in place in the ring ({@code tryClaim}, encode, commit).
 */
@Command(name = "feed", sortOptions = false, usageHelpAutoWidth = true,
    description = "Trading example: publish SBE quotes and trades at a set rate on the market data topic.")
public final class FeedMain implements Callable<Integer>
{
    /** Length of a quote in the ring: SBE header and block. */
    static final int QUOTE_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + QuoteEncoder.BLOCK_LENGTH;
    /** Length of a trade in the ring: SBE header and block. */
    static final int TRADE_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + TradeEncoder.BLOCK_LENGTH;

    @Mixin
    private final BusArgs bus = new BusArgs();

    @Mixin
    private final TradingArgs trading = new TradingArgs();

    @Option(names = "--rate", paramLabel = "MSGS_PER_S", defaultValue = "10000",
        description = "Market data messages per second, 0 for as fast as the strategies take them " +
            "(default: ${DEFAULT-VALUE}).")
    private long rate;

    @Option(names = "--start-file", paramLabel = "PATH",
        description = "Once attached, wait for this file to exist before publishing.")
    private Path startFile;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    private final PrintStream out = System.out;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final QuoteEncoder quoteEncoder = new QuoteEncoder();
    private final TradeEncoder tradeEncoder = new TradeEncoder();
    private final Claim claim = new Claim();

    /**
     * @param args see {@code --help}.
     */
    public static void main(final String[] args)
    {
        Cli.run(new FeedMain(), args);
    }

    @Override
    public Integer call()
    {
        trading.validate();
        if (rate < 0)
        {
            throw new IllegalArgumentException("--rate must not be negative: " + rate);
        }
        Cli.logAs("feed");
        final IdleStrategy idle = trading.idle.publisherStrategy();
        try (Bus bus = this.bus.open())
        {
            final Topic topic = bus.topic(TradingArgs.MARKET_DATA_TOPIC, TradingArgs.marketDataOptions());
            final Publisher publisher = topic.publisher(PublisherOptions.exclusive());
            Cli.signalReady(trading.readyFile);
            Cli.awaitFile(startFile, trading.timeoutNs());
            Cli.print(out, "feed: publishing %s market data messages (quotes, every tenth a trade) on topic %s%s%n",
                Rates.count(trading.messages), TradingArgs.MARKET_DATA_TOPIC,
                rate > 0 ? " at " + Rates.count(rate) + " msgs/s" : "");

            final long startCpuNs = TradingArgs.processCpuNs();
            final long startNs = System.nanoTime();
            final double periodNs = rate > 0 ? 1e9 / rate : 0;
            final boolean spin = trading.idle == Idle.SPIN;
            for (long sequence = 0; sequence < trading.messages; sequence++)
            {
                if (rate > 0)
                {
                    pace(startNs + (long)(sequence * periodNs), spin);
                }
                publish(publisher, sequence, idle);
            }
            final long elapsedNs = System.nanoTime() - startNs;
            Cli.print(out, "feed: sent %s messages in %s: %s msgs/s%n", Rates.count(trading.messages),
                Rates.seconds(elapsedNs), Rates.count(
                    elapsedNs > 0 ? trading.messages * 1_000_000_000L / elapsedNs : 0));
            out.print(trading.recordCpu("feed", startCpuNs, elapsedNs));
            return 0;
        }
    }

    /**
     * Publish market data message {@code sequence}, encoded in place in the ring.
     */
    void publish(final Publisher publisher, final long sequence, final IdleStrategy idle)
    {
        if (TradingModel.isTrade(sequence))
        {
            TradingArgs.claim(publisher, TRADE_LENGTH, claim, idle, trading.timeoutNs());
            tradeEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset(), headerEncoder)
                .sequence(sequence)
                .instrumentId(TradingModel.instrumentId(sequence))
                .price(TradingModel.midPrice(sequence))
                .size(TradingModel.tradeSize(sequence))
                .aggressorSide(TradingModel.aggressorSide(sequence))
                .sendTimeNs(System.nanoTime());
            claim.type(TradeEncoder.TEMPLATE_ID).commit();
        }
        else
        {
            TradingArgs.claim(publisher, QUOTE_LENGTH, claim, idle, trading.timeoutNs());
            quoteEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset(), headerEncoder)
                .sequence(sequence)
                .instrumentId(TradingModel.instrumentId(sequence))
                .bidPrice(TradingModel.bidPrice(sequence))
                .bidSize(TradingModel.bidSize(sequence))
                .askPrice(TradingModel.askPrice(sequence))
                .askSize(TradingModel.askSize(sequence))
                .sendTimeNs(System.nanoTime());
            claim.type(QuoteEncoder.TEMPLATE_ID).commit();
        }
    }

    private static void pace(final long dueNs, final boolean spin)
    {
        long waitNs;
        while ((waitNs = dueNs - System.nanoTime()) > 0)
        {
            if (spin)
            {
                Thread.onSpinWait();
            }
            else
            {
                LockSupport.parkNanos(waitNs);
            }
        }
    }
}
