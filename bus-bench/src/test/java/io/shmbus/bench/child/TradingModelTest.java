package io.shmbus.bench.child;

import io.shmbus.examples.trading.sbe.MessageHeaderDecoder;
import io.shmbus.examples.trading.sbe.MessageHeaderEncoder;
import io.shmbus.examples.trading.sbe.NewOrderSingleDecoder;
import io.shmbus.examples.trading.sbe.QuoteDecoder;
import io.shmbus.examples.trading.sbe.QuoteEncoder;
import io.shmbus.examples.trading.sbe.Side;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trading scenario's content model, its sequence checks and its SBE header check.
 */
class TradingModelTest
{
    @Test
    void eachStrategyOrdersOnItsOwnShareOfTheQuotes()
    {
        final TradingModel model = new TradingModel(20);
        final long quotes = 100_000;
        final long first = model.ordersOver(0, quotes);
        final long second = model.ordersOver(1, quotes);
        assertTrue(first > 4_500 && first < 5_500, "about one in 20: " + first);
        assertTrue(second > 4_500 && second < 5_500, "about one in 20: " + second);
        long both = 0;
        for (long q = 0; q < quotes; q++)
        {
            both += model.ordersOn(0, q) && model.ordersOn(1, q) ? 1 : 0;
        }
        assertTrue(both < first / 5, "the strategies' shares are not the same quotes: " + both);
        assertEquals(first, new TradingModel(20).ordersOver(0, quotes), "deterministic");

        long count = 0;
        for (long q = model.nextOrdered(0, -1, quotes); q < quotes; q = model.nextOrdered(0, q, quotes))
        {
            assertTrue(model.ordersOn(0, q));
            count++;
        }
        assertEquals(first, count, "walking the ordered quotes finds them all");
        assertEquals(quotes, model.nextOrdered(0, quotes - 1, quotes), "none after the last: the limit");
    }

    @Test
    void pricesAreConsistent()
    {
        for (long q = 0; q < 10_000; q++)
        {
            assertTrue(TradingModel.ask(q) > TradingModel.bid(q));
            final int instrument = TradingModel.instrument(q);
            assertTrue(instrument >= 1 && instrument <= TradingModel.INSTRUMENTS);
            assertEquals(TradingModel.side(q) == Side.BUY ? TradingModel.ask(q) : TradingModel.bid(q),
                TradingModel.price(q));
        }
        assertNotEquals(TradingModel.quantity(0), TradingModel.quantity(1));
    }

    @Test
    void sequenceCheckCountsLossDuplicationAndMisreads()
    {
        final SequenceCheck check = new SequenceCheck();
        assertTrue(check.accept(0));
        assertTrue(check.accept(1));
        assertTrue(check.accept(4)); // 2 and 3 lost
        assertFalse(check.accept(3)); // late: counted as duplicated, not checked
        assertFalse(check.accept(4));
        assertTrue(check.accept(5));
        check.misread();
        assertEquals(2, check.lost());
        assertEquals(2, check.duplicated());
        assertEquals(1, check.misreadCount());
        assertEquals(4, check.received());
        assertEquals(6, check.next());
        assertEquals(5, check.errors());
        assertEquals(9, check.errors(10), "the four missing at the end are lost too");
        final SequenceCheck clean = new SequenceCheck();
        for (long i = 0; i < 100; i++)
        {
            assertTrue(clean.accept(i));
        }
        assertEquals(0, clean.errors(100));
    }

    @Test
    void onlyAWholeMessageOfTheSchemaAndTemplateIsRead()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);
        final int length = TradingChild.QUOTE_LENGTH;
        new QuoteEncoder().wrapAndApplyHeader(buffer, 8, new MessageHeaderEncoder()).sequence(7);
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        assertTrue(TradingChild.isMessage(header, buffer, 8, length, QuoteDecoder.TEMPLATE_ID,
            QuoteDecoder.BLOCK_LENGTH));
        assertFalse(TradingChild.isMessage(header, buffer, 8, length - 1, QuoteDecoder.TEMPLATE_ID,
            QuoteDecoder.BLOCK_LENGTH), "shorter than its block");
        assertFalse(TradingChild.isMessage(header, buffer, 8, 4, QuoteDecoder.TEMPLATE_ID, QuoteDecoder.BLOCK_LENGTH),
            "shorter than a header");
        assertFalse(TradingChild.isMessage(header, buffer, 8, length, NewOrderSingleDecoder.TEMPLATE_ID,
            NewOrderSingleDecoder.BLOCK_LENGTH), "another template");
        new MessageHeaderEncoder().wrap(buffer, 8).schemaId(702);
        assertFalse(TradingChild.isMessage(header, buffer, 8, length, QuoteDecoder.TEMPLATE_ID,
            QuoteDecoder.BLOCK_LENGTH), "another schema");
    }
}
