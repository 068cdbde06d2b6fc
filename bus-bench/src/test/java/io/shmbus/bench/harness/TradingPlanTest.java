package io.shmbus.bench.harness;

import io.shmbus.bench.Variant;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trading scenario's place in the plan, its settings, and how the results of its JVMs are put together
 * into a verdict on every message (no child JVM here).
 */
class TradingPlanTest
{
    private static final List<Run> BOTH = List.of(
        new Run(Run.TRADING, Variant.TRADING_SHMBUS, TradingSettings.QUOTE_LENGTH, -1),
        new Run(Run.TRADING, Variant.TRADING_AERON, TradingSettings.QUOTE_LENGTH, -1));

    @Test
    void everyFullOrQuickRunHasBothTransportsAndSmokeOnlyWhenAsked()
    {
        assertTrue(Plan.scenarios().contains(Run.TRADING), "selectable by name");
        assertEquals(60, TradingSettings.QUOTE_LENGTH, "an SBE header and a quote's block");
        for (final Mode mode : List.of(Mode.FULL, Mode.QUICK))
        {
            assertEquals(BOTH, Plan.runs(mode, Set.of(), Set.of()).stream()
                .filter(r -> r.scenario().equals(Run.TRADING)).toList(), mode.name());
        }
        assertTrue(Plan.runs(Mode.SMOKE, Set.of(), Set.of()).stream().noneMatch(r -> r.scenario().equals(Run.TRADING)),
            "a smoke run of everything leaves it out");
        assertEquals(BOTH, Plan.runs(Mode.SMOKE, Set.of(Run.TRADING), Set.of()), "unless it is asked for");
        assertEquals(List.of(BOTH.get(1)), Plan.runs(Mode.QUICK, Set.of(Run.TRADING), Set.of("trading-aeron")));
    }

    @Test
    void roundsAlternateWhichTransportGoesFirst()
    {
        final List<Round> schedule = Plan.schedule(Plan.runs(Mode.QUICK, Set.of(Run.TRADING), Set.of()), 3);
        assertEquals(3, schedule.size());
        assertEquals(BOTH, schedule.get(0).runs());
        assertEquals(List.of(BOTH.get(1), BOTH.get(0)), schedule.get(1).runs());
        assertEquals(BOTH, schedule.get(2).runs());
    }

    @Test
    void settingsFollowTheModeAndAreChecked()
    {
        final TradingSettings quick = TradingSettings.of(Mode.QUICK, 3, TradingSettings.BACKOFF);
        assertEquals(40_000, quick.quotes());
        assertEquals(4_000, quick.feedMs());
        assertEquals(List.of("strategies=3", "rate=10000", "warmupQuotes=10000", "quotes=40000", "orderEvery=20",
            "idle=backoff"), quick.childArgs());
        assertTrue(TradingSettings.of(Mode.SMOKE, 2, TradingSettings.SPIN).quotes() <
            TradingSettings.of(Mode.FULL, 2, TradingSettings.SPIN).quotes());
        assertThrows(IllegalArgumentException.class, () -> TradingSettings.of(Mode.QUICK, 0, TradingSettings.SPIN));
        assertThrows(IllegalArgumentException.class, () -> TradingSettings.of(Mode.QUICK, 9, TradingSettings.SPIN));
        assertThrows(IllegalArgumentException.class, () -> TradingSettings.of(Mode.QUICK, 2, "futex"));
    }

    private static final TradingSettings SMOKE = TradingSettings.of(Mode.SMOKE, 2, TradingSettings.BACKOFF);

    private static Map<String, String> feed()
    {
        return new HashMap<>(Map.of("messages", Long.toString(SMOKE.quotes()), "refused", "0"));
    }

    private static Map<String, String> strategy(final long orders)
    {
        final Map<String, String> r = new HashMap<>();
        for (final String key : List.of("quotesLost", "quotesDuplicated", "quotesMisread", "reportsLost",
            "reportsDuplicated", "reportsMisread", "foreign"))
        {
            r.put(key, "0");
        }
        r.put("quotes", Long.toString(SMOKE.quotes()));
        r.put("orders", Long.toString(orders));
        r.put("expectedOrders", Long.toString(orders));
        r.put("reports", Long.toString(orders));
        r.put("stalled", "false");
        return r;
    }

    private static Map<String, String> gateway(final long orders)
    {
        return new HashMap<>(Map.of("orders", Long.toString(orders), "expectedOrders", Long.toString(orders),
            "ordersLost", "0", "ordersDuplicated", "0", "ordersMisread", "0", "foreign", "0", "stalled", "false"));
    }

    @Test
    void aRunIsCleanOnlyWhenEveryMessageArrivedOnceAndAsSent()
    {
        final TradingCheck clean = TradingCheck.of(SMOKE, feed(), List.of(strategy(200), strategy(180)), gateway(380));
        assertTrue(clean.clean(), clean.describe());
        assertEquals(380, clean.orders());
        assertEquals(380, clean.reports());
        assertEquals(0, clean.errors());

        final Map<String, String> lost = strategy(180);
        lost.put("quotesLost", "3");
        final TradingCheck withLoss = TradingCheck.of(SMOKE, feed(), List.of(strategy(200), lost), gateway(380));
        assertFalse(withLoss.clean());
        assertEquals(3, withLoss.errors());
        assertTrue(withLoss.describe().contains("strategy-1 quotesLost=3"), withLoss.describe());

        final Map<String, String> duplicated = gateway(380);
        duplicated.put("ordersDuplicated", "2");
        assertEquals(2, TradingCheck.of(SMOKE, feed(), List.of(strategy(200), strategy(180)), duplicated).errors());

        final TradingCheck fewer = TradingCheck.of(SMOKE, feed(), List.of(strategy(200), strategy(180)), gateway(379));
        assertFalse(fewer.clean(), "the gateway received fewer orders than were sent");

        final Map<String, String> unanswered = strategy(180);
        unanswered.put("reports", "179");
        assertFalse(TradingCheck.of(SMOKE, feed(), List.of(strategy(200), unanswered), gateway(380)).clean());

        final Map<String, String> stalled = gateway(380);
        stalled.put("stalled", "true");
        assertFalse(TradingCheck.of(SMOKE, feed(), List.of(strategy(200), strategy(180)), stalled).clean());

        final Map<String, String> missing = strategy(180);
        missing.remove("reportsMisread");
        assertFalse(TradingCheck.of(SMOKE, feed(), List.of(strategy(200), missing), gateway(380)).clean(),
            "a result without a count is no proof");

        final Map<String, String> shortFeed = feed();
        shortFeed.put("messages", Long.toString(SMOKE.quotes() - 1));
        assertFalse(TradingCheck.of(SMOKE, shortFeed, List.of(strategy(200), strategy(180)), gateway(380)).clean());
    }
}
