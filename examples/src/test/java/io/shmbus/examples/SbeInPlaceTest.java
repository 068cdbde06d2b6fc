package io.shmbus.examples;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.examples.trading.sbe.MessageHeaderEncoder;
import io.shmbus.examples.trading.sbe.QuoteDecoder;
import io.shmbus.examples.trading.sbe.QuoteEncoder;
import io.shmbus.examples.trading.sbe.TradeDecoder;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trading example's SBE messages go through the ring in place: encoded into the claimed bytes, decoded
 * from the subscriber's view, with no allocation per message (measured with the thread's allocation
 * counter); messages of an unknown schema, version or template, or cut short, are skipped and counted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SbeInPlaceTest
{
    // Long enough for the slow path too (a cleaning round once per quarter ring) to be compiled before the measured
    // window: with 100,000 warm-up messages its compilation came inside the window and cost about 1.5 KB once (the
    // same with 500,000 or 2,000,000 measured messages), which is not an allocation per message.
    private static final int WARMUP_MESSAGES = 1_000_000;
    private static final int MEASURED_MESSAGES = 500_000;

    @TempDir
    Path directory;

    private Bus bus;
    private Publisher publisher;
    private Subscriber subscriber;

    @BeforeEach
    void open()
    {
        bus = Bus.open(BusOptions.builder().directory(directory.resolve("bus")).build());
        final Topic topic = bus.topic(TradingArgs.MARKET_DATA_TOPIC, TradingArgs.marketDataOptions());
        subscriber = topic.subscriber(SubscriberOptions.tethered());
        publisher = topic.publisher(PublisherOptions.exclusive());
    }

    @AfterEach
    void close()
    {
        bus.close();
    }

    @Test
    void encodesAndDecodesInPlaceWithoutAllocating()
    {
        final FeedMain feed = new FeedMain();
        new CommandLine(feed).parseArgs("--timeout-s", "10");
        final CheckingReader reader = new CheckingReader();
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

        long sequence = 0;
        sequence = publishAndRead(feed, reader, sequence, WARMUP_MESSAGES);
        final long before = threads.getCurrentThreadAllocatedBytes();
        sequence = publishAndRead(feed, reader, sequence, MEASURED_MESSAGES);
        final long allocatedBytes = threads.getCurrentThreadAllocatedBytes() - before;

        System.out.printf("encoded and decoded %d messages in place: %d bytes allocated%n", MEASURED_MESSAGES,
            allocatedBytes);
        assertEquals(WARMUP_MESSAGES + MEASURED_MESSAGES, sequence);
        assertEquals(sequence, reader.next, "every message decoded, in order");
        assertEquals(0, reader.misread, "every field as the model says");
        assertEquals(0, reader.skipped());
        assertTrue(reader.quotes > 0 && reader.trades > 0, "quotes and trades");
        // Zero per message: a handful of bytes at most over half a million messages (the counter's own call).
        assertTrue(allocatedBytes < 1024,
            "allocated " + allocatedBytes + " bytes over " + MEASURED_MESSAGES + " messages encoded and decoded");
    }

    @Test
    void skipsAndCountsWhatItCannotDecode()
    {
        final CheckingReader reader = new CheckingReader();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final QuoteEncoder quote = new QuoteEncoder();
        final int quoteLength = FeedMain.QUOTE_LENGTH;

        encodeQuote(buffer, header, quote, 0);
        header.schemaId(MessageHeaderEncoder.SCHEMA_ID + 1);
        offer(buffer, quoteLength);

        encodeQuote(buffer, header, quote, 0);
        header.version(MessageHeaderEncoder.SCHEMA_VERSION + 1);
        offer(buffer, quoteLength);

        encodeQuote(buffer, header, quote, 0);
        header.version(0);
        offer(buffer, quoteLength);

        encodeQuote(buffer, header, quote, 0);
        header.templateId(99);
        offer(buffer, quoteLength);

        encodeQuote(buffer, header, quote, 0);
        offer(buffer, quoteLength - 1); // cut short: the block does not fit

        encodeQuote(buffer, header, quote, 0);
        header.blockLength(QuoteEncoder.BLOCK_LENGTH - 8); // an older, shorter block this reader cannot read
        offer(buffer, quoteLength);

        offer(buffer, 5); // shorter than a header

        encodeQuote(buffer, header, quote, 0);
        offer(buffer, quoteLength); // the one valid message

        assertEquals(8, subscriber.poll(reader, 100));
        assertEquals(1, reader.unknownSchema());
        assertEquals(2, reader.unknownVersion());
        assertEquals(1, reader.unknownTemplate());
        assertEquals(3, reader.malformed());
        assertEquals(7, reader.skipped());
        assertEquals(1, reader.quotes, "the valid quote is read");
        assertEquals(1, reader.next);
        assertEquals(0, reader.misread);
    }

    private static void encodeQuote(
        final UnsafeBuffer buffer, final MessageHeaderEncoder header, final QuoteEncoder quote, final long sequence)
    {
        quote.wrapAndApplyHeader(buffer, 0, header)
            .sequence(sequence)
            .instrumentId(TradingModel.instrumentId(sequence))
            .bidPrice(TradingModel.bidPrice(sequence))
            .bidSize(TradingModel.bidSize(sequence))
            .askPrice(TradingModel.askPrice(sequence))
            .askSize(TradingModel.askSize(sequence))
            .sendTimeNs(System.nanoTime());
        header.wrap(buffer, 0);
    }

    private void offer(final UnsafeBuffer buffer, final int length)
    {
        assertTrue(publisher.offer(buffer, 0, length) > 0);
    }

    private long publishAndRead(final FeedMain feed, final CheckingReader reader, final long from, final int count)
    {
        final BusySpinIdleStrategy idle = BusySpinIdleStrategy.INSTANCE;
        long sequence = from;
        final long end = from + count;
        while (sequence < end)
        {
            for (int i = 0; i < 64 && sequence < end; i++)
            {
                feed.publish(publisher, sequence++, idle);
            }
            while (reader.next < sequence)
            {
                subscriber.poll(reader, 64);
            }
        }
        return sequence;
    }

    private static final class CheckingReader extends SbeReader
    {
        long next;
        long quotes;
        long trades;
        long misread;

        @Override
        void onQuote(final QuoteDecoder quote)
        {
            final long sequence = quote.sequence();
            if (sequence != next++ || TradingModel.isTrade(sequence) ||
                quote.instrumentId() != TradingModel.instrumentId(sequence) ||
                quote.bidPrice() != TradingModel.bidPrice(sequence) ||
                quote.bidSize() != TradingModel.bidSize(sequence) ||
                quote.askPrice() != TradingModel.askPrice(sequence) ||
                quote.askSize() != TradingModel.askSize(sequence))
            {
                misread++;
            }
            quotes++;
        }

        @Override
        void onTrade(final TradeDecoder trade)
        {
            final long sequence = trade.sequence();
            if (sequence != next++ || !TradingModel.isTrade(sequence) ||
                trade.price() != TradingModel.midPrice(sequence) ||
                trade.size() != TradingModel.tradeSize(sequence) ||
                trade.aggressorSide() != TradingModel.aggressorSide(sequence))
            {
                misread++;
            }
            trades++;
        }
    }
}
