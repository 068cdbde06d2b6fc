package io.shmbus.examples;

import io.shmbus.Bus;
import io.shmbus.BusException;
import io.shmbus.Claim;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.WaitSet;
import io.shmbus.examples.trading.sbe.ExecType;
import io.shmbus.examples.trading.sbe.ExecutionReportDecoder;
import io.shmbus.examples.trading.sbe.MessageHeaderEncoder;
import io.shmbus.examples.trading.sbe.NewOrderSingleEncoder;
import io.shmbus.examples.trading.sbe.QuoteDecoder;
import io.shmbus.examples.trading.sbe.TradeDecoder;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.IdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * A strategy of the trading example: reads every quote and trade of the market data topic, checks each one
 * against {@link TradingModel}, sends an order on some quotes through a shared publisher of the order topic
 * (one topic for every strategy: fan-in), and reads the gateway's execution reports on its own topic,
 * checking each against the order it answers. Everything is encoded and decoded in place.
 *
 * <p>It measures two latencies: tick to order (the feed handler's send time of a quote to this strategy's
 * send time of the order on it) and order to report (the order's send time to the report's arrival). Both
 * are differences of {@code System.nanoTime()} taken in different processes of one host, which on Linux read
 * the same monotonic clock.
 *
 * <p>Exit code 0 when every market data message and every report arrived once, in order and as the model
 * says; 1 otherwise; 2 on an error.
 */
@Command(name = "strategy", sortOptions = false, usageHelpAutoWidth = true,
    description = "Trading example: read every quote, order on some, check every execution report.")
public final class StrategyMain implements Callable<Integer>
{
    static final int ORDER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + NewOrderSingleEncoder.BLOCK_LENGTH;
    private static final int MAX_IN_FLIGHT = 1 << 16;
    private static final long MAX_LATENCY_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long MAX_SLEEP_NS = TimeUnit.MILLISECONDS.toNanos(100);

    @Mixin
    private final BusArgs bus = new BusArgs();

    @Mixin
    private final TradingArgs trading = new TradingArgs();

    @Option(names = "--id", paramLabel = "ID", required = true,
        description = "This strategy's number, 0 to --strategies - 1.")
    private int id;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    private final PrintStream out = System.out;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final NewOrderSingleEncoder orderEncoder = new NewOrderSingleEncoder();
    private final Claim claim = new Claim();
    private final MarketDataReader marketData = new MarketDataReader();
    private final ReportReader reports = new ReportReader();
    private final long[] pendingQuoteSequence = new long[MAX_IN_FLIGHT];
    private final long[] pendingSendTimeNs = new long[MAX_IN_FLIGHT];
    private final Histogram tickToOrder = new Histogram(1, MAX_LATENCY_NS, 3);
    private final Histogram orderToReport = new Histogram(1, MAX_LATENCY_NS, 3);

    private String name;
    private TradingModel model;
    private long loopAllocatedBytes;
    private Publisher orders;
    private IdleStrategy publisherIdle;

    private long nextSequence;
    private long marketDataLost;
    private long marketDataDuplicated;
    private long marketDataMisread;
    private long ordersSent;
    private long reportsReceived;
    private long reportsLost;
    private long reportsDuplicated;
    private long reportsMisread;

    /**
     * @param args see {@code --help}.
     */
    public static void main(final String[] args)
    {
        Cli.run(new StrategyMain(), args);
    }

    @Override
    public Integer call()
    {
        trading.validate();
        if (id < 0 || id >= trading.strategies)
        {
            throw new IllegalArgumentException("--id must be 0 to " + (trading.strategies - 1) + ": " + id);
        }
        name = "strategy-" + id;
        Cli.logAs(name);
        model = trading.model();
        publisherIdle = trading.idle.publisherStrategy();
        final long expectedOrders = model.ordersOver(id, trading.messages);
        boolean timedOut = false;
        long elapsedNs;
        final long startCpuNs;

        try (Bus bus = this.bus.open())
        {
            final Subscriber reportSubscriber = bus.topic(TradingArgs.reportTopic(id), TradingArgs.reportOptions())
                .subscriber(SubscriberOptions.tethered().waitStrategy(trading.idle.waitStrategy()));
            final Subscriber marketDataSubscriber =
                bus.topic(TradingArgs.MARKET_DATA_TOPIC, TradingArgs.marketDataOptions())
                    .subscriber(SubscriberOptions.tethered().waitStrategy(trading.idle.waitStrategy()));
            orders = bus.topic(TradingArgs.ORDER_TOPIC, TradingArgs.orderOptions()).publisher(
                PublisherOptions.shared());
            Cli.print(out, "%s: reading %s, ordering on about one quote in %d on %s, reports on %s%n", name,
                TradingArgs.MARKET_DATA_TOPIC, model.orderEvery(), TradingArgs.ORDER_TOPIC,
                TradingArgs.reportTopic(id));
            Cli.signalReady(trading.readyFile);

            final boolean futex = trading.idle == Idle.FUTEX;
            final IdleStrategy idle = trading.idle.publisherStrategy();
            startCpuNs = TradingArgs.processCpuNs();
            final long startAllocatedBytes = TradingArgs.threadAllocatedBytes();
            final long startNs = System.nanoTime();
            long lastProgressNs = startNs;
            try (WaitSet waitSet = futex ? bus.waitSet(marketDataSubscriber, reportSubscriber) : null)
            {
                while (nextSequence < trading.messages || reportsReceived + reportsLost < expectedOrders)
                {
                    final int work = marketDataSubscriber.poll(marketData, 64) + reportSubscriber.poll(reports, 64);
                    if (work > 0)
                    {
                        lastProgressNs = System.nanoTime();
                        idle.reset();
                        continue;
                    }
                    if (futex)
                    {
                        waitSet.await(MAX_SLEEP_NS);
                    }
                    else
                    {
                        idle.idle(0);
                    }
                    if (System.nanoTime() - lastProgressNs > trading.idleLimitNs(nextSequence > 0))
                    {
                        timedOut = true;
                        break;
                    }
                }
            }
            elapsedNs = System.nanoTime() - startNs;
            loopAllocatedBytes = TradingArgs.threadAllocatedBytes() - startAllocatedBytes;
        }

        final boolean clean = !timedOut && ordersSent == expectedOrders && isClean();
        printSummary(expectedOrders, timedOut, clean);
        writeHistograms();
        Cli.print(out, "%s: the loop allocated %s bytes in all%n", name, Rates.count(loopAllocatedBytes));
        trading.writeReport(name + ".alloc", loopAllocatedBytes + System.lineSeparator());
        out.print(trading.recordCpu(name, startCpuNs, elapsedNs));
        return clean ? 0 : Cli.EXIT_NOT_VERIFIED;
    }

    private boolean isClean()
    {
        return 0 == marketDataLost + marketDataDuplicated + marketDataMisread + reportsLost + reportsDuplicated +
            reportsMisread + marketData.skipped() + reports.skipped();
    }

    private void printSummary(final long expectedOrders, final boolean timedOut, final boolean clean)
    {
        // One write for the whole table, so that the strategies' tables do not interleave on a shared terminal.
        final StringBuilder summary = new StringBuilder();
        summary.append(String.format(Locale.ROOT,
            "%s: %s market data messages, %s orders sent, %s execution reports%s%n",
            name, Rates.count(nextSequence), Rates.count(ordersSent), Rates.count(reportsReceived),
            clean ? ": every one checked, none lost, duplicated or misread" : ""));
        if (!clean)
        {
            summary.append(String.format(Locale.ROOT, "%s: NOT VERIFIED: market data %s lost, %s duplicated, " +
                    "%s misread, %s skipped; orders %s of %s expected; reports %s lost, %s duplicated, %s misread, " +
                    "%s skipped%s%n", name,
                Rates.count(marketDataLost), Rates.count(marketDataDuplicated), Rates.count(marketDataMisread),
                Rates.count(marketData.skipped()), Rates.count(ordersSent), Rates.count(expectedOrders),
                Rates.count(reportsLost), Rates.count(reportsDuplicated), Rates.count(reportsMisread),
                Rates.count(reports.skipped()),
                timedOut ? " (gave up after " + trading.timeoutS + " s without a message)" : ""));
        }
        summary.append(String.format(Locale.ROOT, "%s: %-16s %9s %9s %9s %9s %9s%n", name, "latency (us)", "p50", "p99",
            "p99.9", "max", "count"));
        appendLatency(summary, "tick-to-order", tickToOrder);
        appendLatency(summary, "order-to-report", orderToReport);
        Cli.print(out, "%s", summary);
    }

    private void appendLatency(final StringBuilder summary, final String label, final Histogram histogram)
    {
        summary.append(String.format(Locale.ROOT, "%s: %-16s %9.1f %9.1f %9.1f %9.1f %9d%n", name, label,
            histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(99) / 1e3,
            histogram.getValueAtPercentile(99.9) / 1e3, histogram.getMaxValue() / 1e3, histogram.getTotalCount()));
    }

    private void writeHistograms()
    {
        trading.writeReport(name + ".tick-to-order.hist", encode(tickToOrder));
        trading.writeReport(name + ".order-to-report.hist", encode(orderToReport));
    }

    static String encode(final Histogram histogram)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        final int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        final byte[] bytes = new byte[length];
        buffer.flip();
        buffer.get(bytes);
        return Base64.getEncoder().encodeToString(bytes) + System.lineSeparator();
    }

    private void sendOrder(final QuoteDecoder quote)
    {
        if (ordersSent - reportsReceived - reportsLost >= MAX_IN_FLIGHT)
        {
            throw new BusException(MAX_IN_FLIGHT + " orders without a report: the gateway does not answer");
        }
        final long quoteSequence = quote.sequence();
        TradingArgs.claim(orders, ORDER_LENGTH, claim, publisherIdle, trading.timeoutNs());
        final long sendTimeNs = System.nanoTime();
        orderEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset(), headerEncoder)
            .clOrdId(ordersSent)
            .strategyId(id)
            .instrumentId(quote.instrumentId())
            .side(TradingModel.orderSide(quoteSequence))
            .price(TradingModel.orderPrice(quoteSequence))
            .quantity(TradingModel.orderQuantity(id))
            .quoteSequence(quoteSequence)
            .quoteTimeNs(quote.sendTimeNs())
            .sendTimeNs(sendTimeNs);
        claim.type(NewOrderSingleEncoder.TEMPLATE_ID).commit();
        final int slot = (int)(ordersSent & (MAX_IN_FLIGHT - 1));
        pendingQuoteSequence[slot] = quoteSequence;
        pendingSendTimeNs[slot] = sendTimeNs;
        ordersSent++;
        tickToOrder.recordValue(Math.max(1, sendTimeNs - quote.sendTimeNs()));
    }

    /**
     * Check the sequence of a market data message; return whether its content is to be checked.
     */
    private boolean sequenced(final long sequence)
    {
        if (sequence == nextSequence)
        {
            nextSequence++;
            return true;
        }
        if (sequence < nextSequence)
        {
            marketDataDuplicated++;
            return false;
        }
        marketDataLost += sequence - nextSequence;
        nextSequence = sequence + 1;
        return true;
    }

    private final class MarketDataReader extends SbeReader
    {
        @Override
        void onQuote(final QuoteDecoder quote)
        {
            final long sequence = quote.sequence();
            if (!sequenced(sequence))
            {
                return;
            }
            if (TradingModel.isTrade(sequence) ||
                quote.instrumentId() != TradingModel.instrumentId(sequence) ||
                quote.bidPrice() != TradingModel.bidPrice(sequence) ||
                quote.bidSize() != TradingModel.bidSize(sequence) ||
                quote.askPrice() != TradingModel.askPrice(sequence) ||
                quote.askSize() != TradingModel.askSize(sequence))
            {
                marketDataMisread++;
                return;
            }
            if (model.ordersOn(id, sequence))
            {
                sendOrder(quote);
            }
        }

        @Override
        void onTrade(final TradeDecoder trade)
        {
            final long sequence = trade.sequence();
            if (!sequenced(sequence))
            {
                return;
            }
            if (!TradingModel.isTrade(sequence) ||
                trade.instrumentId() != TradingModel.instrumentId(sequence) ||
                trade.price() != TradingModel.midPrice(sequence) ||
                trade.size() != TradingModel.tradeSize(sequence) ||
                trade.aggressorSide() != TradingModel.aggressorSide(sequence))
            {
                marketDataMisread++;
            }
        }
    }

    private final class ReportReader extends SbeReader
    {
        @Override
        void onReport(final ExecutionReportDecoder report)
        {
            final long nowNs = System.nanoTime();
            final long clOrdId = report.clOrdId();
            final long expected = reportsReceived + reportsLost;
            if (clOrdId < expected)
            {
                reportsDuplicated++;
                return;
            }
            if (clOrdId >= ordersSent)
            {
                reportsMisread++;
                return;
            }
            reportsLost += clOrdId - expected;
            reportsReceived++;
            final int slot = (int)(clOrdId & (MAX_IN_FLIGHT - 1));
            final long quoteSequence = pendingQuoteSequence[slot];
            if (report.orderId() != clOrdId ||
                report.strategyId() != id ||
                report.instrumentId() != TradingModel.instrumentId(quoteSequence) ||
                report.execType() != ExecType.FILL ||
                report.side() != TradingModel.orderSide(quoteSequence) ||
                report.lastPrice() != TradingModel.orderPrice(quoteSequence) ||
                report.lastQuantity() != TradingModel.orderQuantity(id) ||
                report.leavesQuantity() != 0 ||
                report.orderSendTimeNs() != pendingSendTimeNs[slot])
            {
                reportsMisread++;
                return;
            }
            orderToReport.recordValue(Math.max(1, nowNs - report.orderSendTimeNs()));
        }
    }
}
