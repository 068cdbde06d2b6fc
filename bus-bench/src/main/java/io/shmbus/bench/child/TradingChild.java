package io.shmbus.bench.child;

import io.shmbus.bench.Variant;
import io.shmbus.examples.trading.sbe.ExecType;
import io.shmbus.examples.trading.sbe.ExecutionReportDecoder;
import io.shmbus.examples.trading.sbe.ExecutionReportEncoder;
import io.shmbus.examples.trading.sbe.MessageHeaderDecoder;
import io.shmbus.examples.trading.sbe.MessageHeaderEncoder;
import io.shmbus.examples.trading.sbe.NewOrderSingleDecoder;
import io.shmbus.examples.trading.sbe.NewOrderSingleEncoder;
import io.shmbus.examples.trading.sbe.QuoteDecoder;
import io.shmbus.examples.trading.sbe.QuoteEncoder;
import io.shmbus.impl.process.ChildArgs;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.locks.LockSupport;

/**
 * One JVM of the trading pipeline, over shmbus or Aeron IPC, every message SBE-encoded in place:
 *
 * <ul>
 *   <li>{@code trading-gateway} (started first; hosts the Aeron media driver) reads every order of the shared
 *       order topic, checks it, records the tick-to-order latency (the quote's send time, carried by the order,
 *       to the order's arrival here) and answers it with an execution report on the strategy's report topic;</li>
 *   <li>{@code trading-strategy} reads every quote, checks it, orders on its share of them
 *       ({@link TradingModel#ordersOn(int, long)}), checks each report against its order and records the
 *       order-to-report latency (the order's send time to the report's arrival);</li>
 *   <li>{@code trading-feed} publishes the quotes at the set rate once told {@code GO}.</li>
 * </ul>
 *
 * <p>Only quotes from {@code warmupQuotes} on, and the orders on them, are measured; every message is checked.
 * Each prints a {@code RESULT} line with what it counted (lost, duplicated, misread) and a {@code HIST} line.
 */
final class TradingChild
{
    static final int QUOTE_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + QuoteEncoder.BLOCK_LENGTH;
    static final int ORDER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + NewOrderSingleEncoder.BLOCK_LENGTH;
    static final int REPORT_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + ExecutionReportEncoder.BLOCK_LENGTH;
    private static final long HIGHEST_NS = 60_000_000_000L;
    private static final long CLAIM_TIMEOUT_NS = 30_000_000_000L;
    private static final long FIRST_MESSAGE_TIMEOUT_NS = 120_000_000_000L;
    private static final long STALL_NS = 20_000_000_000L;
    private static final int POLL_LIMIT = 32;
    private static final int MAX_IN_FLIGHT = 1 << 16;
    /**
     * A quote the feed leaves out, to prove that the checks see a loss (a test sets it with the system property
     * {@code shmbus.bench.trading.skipQuote} on the child JVMs; -1, the default, for none).
     */
    private static final long SKIPPED_QUOTE = Long.getLong("shmbus.bench.trading.skipQuote", -1);
    /** A quote the feed sends twice, to prove that the checks see a duplicate ({@code ...repeatQuote}). */
    private static final long REPEATED_QUOTE = Long.getLong("shmbus.bench.trading.repeatQuote", -1);

    private TradingChild()
    {
    }

    static void run(final Variant variant, final String role, final ChildArgs params)
    {
        final int strategies = params.getInt("strategies");
        final TradingModel model = new TradingModel(params.getInt("orderEvery"));
        final long quotes = params.getLong("quotes", 0);
        final long warmup = params.getLong("warmupQuotes", 0);
        final boolean spin = "spin".equals(params.get("idle"));
        final IdleStrategy idle = spin ? new BusySpinIdleStrategy() : new BackoffIdleStrategy();
        final int capacity = params.getInt("capacity");
        try (TradingTransport transport = TradingTransport.open(variant, params.get("dir"), params.flag("create"),
            capacity, params.getInt("maxLength"), params.getInt("aeronTermLength", capacity)))
        {
            final String result = switch (role)
            {
                case "trading-gateway" -> new Gateway(transport, model, strategies, quotes, warmup, idle).run();
                case "trading-strategy" ->
                    new Strategy(transport, model, params.getInt("id"), quotes, warmup, idle).run();
                case "trading-feed" -> feed(transport, quotes, params.getInt("rate"), spin, idle);
                default -> throw new IllegalArgumentException("unknown role " + role);
            };
            ChildMain.say("RESULT role=" + role + " " + result);
        }
    }

    private static void claim(final TradingTransport.Out out, final int length, final IdleStrategy idle,
        final long[] refused)
    {
        if (out.claim(length))
        {
            return;
        }
        final long deadline = System.nanoTime() + CLAIM_TIMEOUT_NS;
        idle.reset();
        do
        {
            refused[0]++;
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("no room to publish for " + CLAIM_TIMEOUT_NS / 1_000_000_000L + " s");
            }
            idle.idle();
        }
        while (!out.claim(length));
    }

    private static void awaitConnected(final String what, final java.util.function.BooleanSupplier connected)
    {
        final long deadline = System.nanoTime() + CLAIM_TIMEOUT_NS;
        while (!connected.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException(what + " not connected within " + CLAIM_TIMEOUT_NS / 1_000_000 + " ms");
            }
            LockSupport.parkNanos(100_000);
        }
    }

    static String encode(final Histogram histogram)
    {
        final ByteBuffer bytes = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        final int length = histogram.encodeIntoCompressedByteBuffer(bytes);
        return Base64.getEncoder().encodeToString(Arrays.copyOf(bytes.array(), length));
    }

    /**
     * @return whether an SBE header at {@code offset} announces this schema, a known version and the template,
     *         and the message is long enough for the template's block.
     */
    static boolean isMessage(
        final MessageHeaderDecoder header, final DirectBuffer buffer, final int offset, final int length,
        final int templateId, final int blockLength)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return false;
        }
        header.wrap(buffer, offset);
        return header.schemaId() == MessageHeaderDecoder.SCHEMA_ID && header.version() >= 1 &&
            header.version() <= MessageHeaderDecoder.SCHEMA_VERSION && header.templateId() == templateId &&
            header.blockLength() >= blockLength && header.blockLength() <= length - MessageHeaderDecoder.ENCODED_LENGTH;
    }

    // ------------------------------------------------------------------------------------------------ feed

    private static String feed(
        final TradingTransport transport,
        final long quotes,
        final int rate,
        final boolean spin,
        final IdleStrategy idle)
    {
        final TradingTransport.Out out = transport.publish(TradingTransport.MARKET_DATA, false);
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final QuoteEncoder quote = new QuoteEncoder();
        final Meter meter = new Meter();
        final long[] refused = new long[1];
        awaitConnected("market data publication", out::connected);
        ChildMain.say("READY pid=" + ProcessHandle.current().pid());
        Control.awaitGo();
        final double periodNs = 1e9 / rate;
        meter.start();
        final long startNs = System.nanoTime();
        long late = 0;
        for (long q = 0; q < quotes; q++)
        {
            final long dueNs = startNs + (long)(q * periodNs);
            long waitNs = dueNs - System.nanoTime();
            if (waitNs < -1_000_000)
            {
                late++;
            }
            while (waitNs > 0)
            {
                if (spin)
                {
                    Thread.onSpinWait();
                }
                else
                {
                    LockSupport.parkNanos(waitNs);
                }
                waitNs = dueNs - System.nanoTime();
            }
            if (q == SKIPPED_QUOTE)
            {
                continue;
            }
            for (int i = q == REPEATED_QUOTE ? 2 : 1; i > 0; i--)
            {
                claim(out, QUOTE_LENGTH, idle, refused);
                quote.wrapAndApplyHeader(out.buffer(), out.offset(), header)
                    .sequence(q)
                    .instrumentId(TradingModel.instrument(q))
                    .bidPrice(TradingModel.bid(q))
                    .bidSize(TradingModel.bidSize(q))
                    .askPrice(TradingModel.ask(q))
                    .askSize(TradingModel.askSize(q))
                    .sendTimeNs(System.nanoTime());
                out.commit(QuoteEncoder.TEMPLATE_ID);
            }
        }
        meter.stop();
        return "messages=" + quotes + " refused=" + refused[0] + " lateBy1ms=" + late + " " + meter.fields();
    }

    // ------------------------------------------------------------------------------------------------ strategy

    private static final class Strategy
    {
        private final TradingModel model;
        private final int id;
        private final long quotes;
        private final long warmup;
        private final IdleStrategy idle;
        private final TradingTransport.In marketData;
        private final TradingTransport.In reports;
        private final TradingTransport.Out orders;
        private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
        private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        private final QuoteDecoder quote = new QuoteDecoder();
        private final NewOrderSingleEncoder order = new NewOrderSingleEncoder();
        private final ExecutionReportDecoder report = new ExecutionReportDecoder();
        private final SequenceCheck quoteCheck = new SequenceCheck();
        private final SequenceCheck reportCheck = new SequenceCheck();
        private final long[] pendingQuote = new long[MAX_IN_FLIGHT];
        private final long[] pendingSendNs = new long[MAX_IN_FLIGHT];
        private final Histogram orderToReport = new Histogram(HIGHEST_NS, 3);
        private final Meter meter = new Meter();
        private final long[] refused = new long[1];
        private long ordersSent;
        private long foreign;

        Strategy(
            final TradingTransport transport,
            final TradingModel model,
            final int id,
            final long quotes,
            final long warmup,
            final IdleStrategy idle)
        {
            this.model = model;
            this.id = id;
            this.quotes = quotes;
            this.warmup = warmup;
            this.idle = idle;
            marketData = transport.subscribe(TradingTransport.MARKET_DATA, this::onQuote);
            reports = transport.subscribe(TradingTransport.reports(id), this::onReport);
            orders = transport.publish(TradingTransport.ORDERS, true);
        }

        String run()
        {
            awaitConnected("order publication", orders::connected);
            awaitConnected("report subscription", reports::connected);
            ChildMain.say("READY pid=" + ProcessHandle.current().pid());
            final long expectedOrders = model.ordersOver(id, quotes);
            long lastProgressNs = System.nanoTime();
            boolean stalled = false;
            while (quoteCheck.next() < quotes || reportCheck.next() < expectedOrders)
            {
                final int work = marketData.poll(POLL_LIMIT) + reports.poll(POLL_LIMIT);
                idle.idle(work);
                if (work > 0)
                {
                    lastProgressNs = System.nanoTime();
                }
                else if (System.nanoTime() - lastProgressNs >
                    (quoteCheck.next() == 0 ? FIRST_MESSAGE_TIMEOUT_NS : STALL_NS))
                {
                    stalled = true;
                    break;
                }
            }
            meter.stop();
            ChildMain.say("HIST " + encode(orderToReport));
            return "strategy=" + id + " quotes=" + quoteCheck.received() + " quotesLost=" +
                (quoteCheck.lost() + Math.max(0, quotes - quoteCheck.next())) +
                " quotesDuplicated=" + quoteCheck.duplicated() + " quotesMisread=" + quoteCheck.misreadCount() +
                " orders=" + ordersSent + " expectedOrders=" + expectedOrders + " reports=" + reportCheck.received() +
                " reportsLost=" + (reportCheck.lost() + Math.max(0, expectedOrders - reportCheck.next())) +
                " reportsDuplicated=" + reportCheck.duplicated() + " reportsMisread=" + reportCheck.misreadCount() +
                " foreign=" + foreign + " stalled=" + stalled + " refused=" + refused[0] + " " + meter.fields();
        }

        private void onQuote(final DirectBuffer buffer, final int offset, final int length)
        {
            if (!isMessage(headerDecoder, buffer, offset, length, QuoteDecoder.TEMPLATE_ID, QuoteDecoder.BLOCK_LENGTH))
            {
                foreign++;
                return;
            }
            quote.wrap(buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH, headerDecoder.blockLength(),
                headerDecoder.version());
            final long q = quote.sequence();
            if (q == warmup)
            {
                meter.start();
            }
            if (!quoteCheck.accept(q))
            {
                return;
            }
            if (q < 0 || q >= quotes || quote.instrumentId() != TradingModel.instrument(q) ||
                quote.bidPrice() != TradingModel.bid(q) || quote.askPrice() != TradingModel.ask(q) ||
                quote.bidSize() != TradingModel.bidSize(q) || quote.askSize() != TradingModel.askSize(q))
            {
                quoteCheck.misread();
                return;
            }
            if (model.ordersOn(id, q))
            {
                sendOrder(q, quote.sendTimeNs());
            }
        }

        private void sendOrder(final long q, final long quoteTimeNs)
        {
            if (ordersSent - reportCheck.next() >= MAX_IN_FLIGHT)
            {
                throw new IllegalStateException(MAX_IN_FLIGHT + " orders without a report");
            }
            claim(orders, ORDER_LENGTH, idle, refused);
            final long sendNs = System.nanoTime();
            order.wrapAndApplyHeader(orders.buffer(), orders.offset(), headerEncoder)
                .clOrdId(ordersSent)
                .strategyId(id)
                .instrumentId(TradingModel.instrument(q))
                .side(TradingModel.side(q))
                .price(TradingModel.price(q))
                .quantity(TradingModel.quantity(id))
                .quoteSequence(q)
                .quoteTimeNs(quoteTimeNs)
                .sendTimeNs(sendNs);
            orders.commit(NewOrderSingleEncoder.TEMPLATE_ID);
            final int slot = (int)(ordersSent & (MAX_IN_FLIGHT - 1));
            pendingQuote[slot] = q;
            pendingSendNs[slot] = sendNs;
            ordersSent++;
        }

        private void onReport(final DirectBuffer buffer, final int offset, final int length)
        {
            final long nowNs = System.nanoTime();
            if (!isMessage(headerDecoder, buffer, offset, length, ExecutionReportDecoder.TEMPLATE_ID,
                ExecutionReportDecoder.BLOCK_LENGTH))
            {
                foreign++;
                return;
            }
            report.wrap(buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH, headerDecoder.blockLength(),
                headerDecoder.version());
            final long clOrdId = report.clOrdId();
            if (clOrdId >= ordersSent)
            {
                reportCheck.misread(); // a report of an order not sent
                return;
            }
            if (!reportCheck.accept(clOrdId))
            {
                return;
            }
            final int slot = (int)(clOrdId & (MAX_IN_FLIGHT - 1));
            final long q = pendingQuote[slot];
            if (report.orderId() != clOrdId || report.strategyId() != id ||
                report.instrumentId() != TradingModel.instrument(q) || report.execType() != ExecType.FILL ||
                report.side() != TradingModel.side(q) || report.lastPrice() != TradingModel.price(q) ||
                report.lastQuantity() != TradingModel.quantity(id) || report.leavesQuantity() != 0 ||
                report.orderSendTimeNs() != pendingSendNs[slot])
            {
                reportCheck.misread();
                return;
            }
            if (q >= warmup)
            {
                orderToReport.recordValue(Math.min(HIGHEST_NS, Math.max(0, nowNs - pendingSendNs[slot])));
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ gateway

    private static final class Gateway
    {
        private final TradingModel model;
        private final int strategies;
        private final long quotes;
        private final long warmup;
        private final IdleStrategy idle;
        private final TradingTransport.In orders;
        private final TradingTransport.Out[] reports;
        private final SequenceCheck[] checks;
        private final long[] lastQuote;
        private final long[] expected;
        private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
        private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        private final NewOrderSingleDecoder order = new NewOrderSingleDecoder();
        private final ExecutionReportEncoder report = new ExecutionReportEncoder();
        private final Histogram tickToOrder = new Histogram(HIGHEST_NS, 3);
        private final Meter meter = new Meter();
        private final long[] refused = new long[1];
        private long received;
        private long foreign;

        Gateway(
            final TradingTransport transport,
            final TradingModel model,
            final int strategies,
            final long quotes,
            final long warmup,
            final IdleStrategy idle)
        {
            this.model = model;
            this.strategies = strategies;
            this.quotes = quotes;
            this.warmup = warmup;
            this.idle = idle;
            orders = transport.subscribe(TradingTransport.ORDERS, this::onOrder);
            reports = new TradingTransport.Out[strategies];
            checks = new SequenceCheck[strategies];
            lastQuote = new long[strategies];
            expected = new long[strategies];
            for (int s = 0; s < strategies; s++)
            {
                reports[s] = transport.publish(TradingTransport.reports(s), false);
                checks[s] = new SequenceCheck();
                lastQuote[s] = -1;
                expected[s] = model.ordersOver(s, quotes);
            }
        }

        String run()
        {
            ChildMain.say("READY pid=" + ProcessHandle.current().pid());
            final long total = Arrays.stream(expected).sum();
            long lastProgressNs = System.nanoTime();
            boolean stalled = false;
            while (!done())
            {
                final int work = orders.poll(POLL_LIMIT);
                idle.idle(work);
                if (work > 0)
                {
                    lastProgressNs = System.nanoTime();
                }
                else if (System.nanoTime() - lastProgressNs > (received == 0 ? FIRST_MESSAGE_TIMEOUT_NS : STALL_NS))
                {
                    stalled = true;
                    break;
                }
            }
            meter.stop();
            long lost = 0;
            long duplicated = 0;
            long misread = 0;
            for (int s = 0; s < strategies; s++)
            {
                lost += checks[s].lost() + Math.max(0, expected[s] - checks[s].next());
                duplicated += checks[s].duplicated();
                misread += checks[s].misreadCount();
            }
            ChildMain.say("HIST " + encode(tickToOrder));
            return "orders=" + received + " expectedOrders=" + total + " ordersLost=" + lost + " ordersDuplicated=" +
                duplicated + " ordersMisread=" + misread + " foreign=" + foreign + " stalled=" + stalled +
                " refused=" + refused[0] + " " + meter.fields();
        }

        private boolean done()
        {
            for (int s = 0; s < strategies; s++)
            {
                if (checks[s].next() < expected[s])
                {
                    return false;
                }
            }
            return true;
        }

        private void onOrder(final DirectBuffer buffer, final int offset, final int length)
        {
            final long nowNs = System.nanoTime();
            if (!isMessage(headerDecoder, buffer, offset, length, NewOrderSingleDecoder.TEMPLATE_ID,
                NewOrderSingleDecoder.BLOCK_LENGTH))
            {
                foreign++;
                return;
            }
            order.wrap(buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH, headerDecoder.blockLength(),
                headerDecoder.version());
            final int s = order.strategyId();
            if (s < 0 || s >= strategies)
            {
                foreign++;
                return;
            }
            final long clOrdId = order.clOrdId();
            if (!checks[s].accept(clOrdId))
            {
                return;
            }
            received++;
            final long q = order.quoteSequence();
            final long expectedQuote = model.nextOrdered(s, lastQuote[s], quotes);
            lastQuote[s] = q;
            if (q != expectedQuote || order.instrumentId() != TradingModel.instrument(q) ||
                order.side() != TradingModel.side(q) || order.price() != TradingModel.price(q) ||
                order.quantity() != TradingModel.quantity(s) || order.quoteTimeNs() - order.sendTimeNs() > 0)
            {
                checks[s].misread();
            }
            else if (q >= warmup)
            {
                meter.start();
                tickToOrder.recordValue(Math.min(HIGHEST_NS, Math.max(0, nowNs - order.quoteTimeNs())));
            }
            final TradingTransport.Out out = reports[s];
            claim(out, REPORT_LENGTH, idle, refused);
            report.wrapAndApplyHeader(out.buffer(), out.offset(), headerEncoder)
                .orderId(clOrdId)
                .clOrdId(clOrdId)
                .strategyId(s)
                .instrumentId(order.instrumentId())
                .execType(ExecType.FILL)
                .side(order.side())
                .lastPrice(order.price())
                .lastQuantity(order.quantity())
                .leavesQuantity(0)
                .orderSendTimeNs(order.sendTimeNs())
                .transactTimeNs(System.nanoTime());
            out.commit(ExecutionReportEncoder.TEMPLATE_ID);
        }
    }
}
