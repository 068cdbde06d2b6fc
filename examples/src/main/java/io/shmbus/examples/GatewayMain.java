package io.shmbus.examples;

import io.shmbus.Bus;
import io.shmbus.Claim;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.examples.trading.sbe.ExecType;
import io.shmbus.examples.trading.sbe.ExecutionReportEncoder;
import io.shmbus.examples.trading.sbe.MessageHeaderEncoder;
import io.shmbus.examples.trading.sbe.NewOrderSingleDecoder;
import org.agrona.concurrent.IdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.concurrent.Callable;

/**
 * The order gateway of the trading example: reads the orders of every strategy from the shared order topic,
 * checks each one (its strategy's order numbers count up from 0 without a gap, and it answers the quote the
 * {@link TradingModel} says, with the price, side and quantity the model says) and answers it with an
 * execution report (a fill) on that strategy's own topic, decoded and encoded in place.
 *
 * <p>Exit code 0 when every strategy's every expected order arrived once and as the model says; 1 otherwise.
 */
@Command(name = "gateway", sortOptions = false, usageHelpAutoWidth = true,
    description = "Trading example: answer every strategy's orders with execution reports, checking each order.")
public final class GatewayMain implements Callable<Integer>
{
    static final int REPORT_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + ExecutionReportEncoder.BLOCK_LENGTH;

    @Mixin
    private final BusArgs bus = new BusArgs();

    @Mixin
    private final TradingArgs trading = new TradingArgs();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    private final PrintStream out = System.out;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ExecutionReportEncoder reportEncoder = new ExecutionReportEncoder();
    private final Claim claim = new Claim();
    private final OrderReader orderReader = new OrderReader();

    private TradingModel model;
    private long loopAllocatedBytes;
    private IdleStrategy publisherIdle;
    private Publisher[] reports;
    private long[] expectedOrders;
    private long[] received;
    private long[] lastQuoteSequence;
    private long totalExpected;
    private long totalReceived;
    private long lost;
    private long duplicated;
    private long misread;

    /**
     * @param args see {@code --help}.
     */
    public static void main(final String[] args)
    {
        Cli.run(new GatewayMain(), args);
    }

    @Override
    public Integer call()
    {
        trading.validate();
        Cli.logAs("gateway");
        model = trading.model();
        final int strategies = trading.strategies;
        publisherIdle = trading.idle.publisherStrategy();
        reports = new Publisher[strategies];
        expectedOrders = new long[strategies];
        received = new long[strategies];
        lastQuoteSequence = new long[strategies];
        for (int s = 0; s < strategies; s++)
        {
            expectedOrders[s] = model.ordersOver(s, trading.messages);
            totalExpected += expectedOrders[s];
            lastQuoteSequence[s] = -1;
        }
        boolean timedOut = false;
        final long startCpuNs;
        final long elapsedNs;

        try (Bus bus = this.bus.open())
        {
            final Subscriber orders = bus.topic(TradingArgs.ORDER_TOPIC, TradingArgs.orderOptions())
                .subscriber(SubscriberOptions.tethered().waitStrategy(trading.idle.waitStrategy()));
            for (int s = 0; s < strategies; s++)
            {
                reports[s] = bus.topic(TradingArgs.reportTopic(s), TradingArgs.reportOptions())
                    .publisher(PublisherOptions.exclusive());
            }
            Cli.print(out, "gateway: answering the orders of %d strategies on %s, expecting %s orders%n", strategies,
                TradingArgs.ORDER_TOPIC, Rates.count(totalExpected));
            Cli.signalReady(trading.readyFile);

            final IdleStrategy idle = trading.idle.subscriberStrategy(orders);
            startCpuNs = TradingArgs.processCpuNs();
            final long startAllocatedBytes = TradingArgs.threadAllocatedBytes();
            final long startNs = System.nanoTime();
            long lastProgressNs = startNs;
            while (totalReceived + lost < totalExpected)
            {
                final int count = orders.poll(orderReader, 64);
                idle.idle(count);
                if (count > 0)
                {
                    lastProgressNs = System.nanoTime();
                }
                else if (System.nanoTime() - lastProgressNs > trading.idleLimitNs(totalReceived > 0))
                {
                    timedOut = true;
                    break;
                }
            }
            elapsedNs = System.nanoTime() - startNs;
            loopAllocatedBytes = TradingArgs.threadAllocatedBytes() - startAllocatedBytes;
        }

        final boolean clean = !timedOut && totalReceived == totalExpected &&
            0 == lost + duplicated + misread + orderReader.skipped();
        if (clean)
        {
            Cli.print(out, "gateway: %s orders answered: every one checked, none lost, duplicated or misread%n",
                Rates.count(totalReceived));
        }
        else
        {
            Cli.print(out, "gateway: NOT VERIFIED: %s of %s orders, %s lost, %s duplicated, %s misread, %s skipped%s%n",
                Rates.count(totalReceived), Rates.count(totalExpected), Rates.count(lost), Rates.count(duplicated),
                Rates.count(misread), Rates.count(orderReader.skipped()),
                timedOut ? " (gave up after " + trading.timeoutS + " s without an order)" : "");
        }
        Cli.print(out, "gateway: the loop allocated %s bytes in all%n", Rates.count(loopAllocatedBytes));
        trading.writeReport("gateway.alloc", loopAllocatedBytes + System.lineSeparator());
        out.print(trading.recordCpu("gateway", startCpuNs, elapsedNs));
        return clean ? 0 : Cli.EXIT_NOT_VERIFIED;
    }

    private final class OrderReader extends SbeReader
    {
        @Override
        void onOrder(final NewOrderSingleDecoder order)
        {
            final int strategy = order.strategyId();
            if (strategy < 0 || strategy >= reports.length)
            {
                misread++;
                return;
            }
            final long clOrdId = order.clOrdId();
            if (clOrdId < received[strategy])
            {
                duplicated++;
                return;
            }
            if (clOrdId > received[strategy])
            {
                lost += clOrdId - received[strategy];
            }
            received[strategy] = clOrdId + 1;
            totalReceived++;

            final long quoteSequence = order.quoteSequence();
            final long expectedQuote = model.nextOrderSequence(strategy, lastQuoteSequence[strategy], trading.messages);
            lastQuoteSequence[strategy] = quoteSequence;
            if (quoteSequence != expectedQuote ||
                order.instrumentId() != TradingModel.instrumentId(quoteSequence) ||
                order.side() != TradingModel.orderSide(quoteSequence) ||
                order.price() != TradingModel.orderPrice(quoteSequence) ||
                order.quantity() != TradingModel.orderQuantity(strategy) ||
                order.quoteTimeNs() > order.sendTimeNs())
            {
                misread++;
            }

            final Publisher publisher = reports[strategy];
            TradingArgs.claim(publisher, REPORT_LENGTH, claim, publisherIdle, trading.timeoutNs());
            reportEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset(), headerEncoder)
                .orderId(clOrdId)
                .clOrdId(clOrdId)
                .strategyId(strategy)
                .instrumentId(order.instrumentId())
                .execType(ExecType.FILL)
                .side(order.side())
                .lastPrice(order.price())
                .lastQuantity(order.quantity())
                .leavesQuantity(0)
                .orderSendTimeNs(order.sendTimeNs())
                .transactTimeNs(System.nanoTime());
            claim.type(ExecutionReportEncoder.TEMPLATE_ID).commit();
        }
    }
}
