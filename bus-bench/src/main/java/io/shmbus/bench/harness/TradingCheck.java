package io.shmbus.bench.harness;

import java.util.List;
import java.util.Map;

/**
 * What the JVMs of one trading run counted, put together: the run is clean when the feed sent every quote,
 * every strategy received each of them once and as sent, sent exactly its orders and received one correct
 * report for each, and the gateway received every order once and as sent, none of them stalling.
 *
 * @param orders   orders the gateway received.
 * @param reports  reports the strategies received.
 * @param errors   messages lost, duplicated or misread (and foreign ones), over every JVM.
 * @param stalled  JVMs that gave up waiting.
 * @param problems what was wrong, or empty.
 */
record TradingCheck(long orders, long reports, long errors, int stalled, String problems)
{
    private static final List<String> STRATEGY_ERRORS = List.of("quotesLost", "quotesDuplicated", "quotesMisread",
        "reportsLost", "reportsDuplicated", "reportsMisread", "foreign");
    private static final List<String> GATEWAY_ERRORS = List.of("ordersLost", "ordersDuplicated", "ordersMisread",
        "foreign");

    /**
     * @param settings   the run's settings.
     * @param feed       the feed's result fields.
     * @param strategies each strategy's, in order of their number.
     * @param gateway    the gateway's.
     * @return the check.
     */
    static TradingCheck of(
        final TradingSettings settings,
        final Map<String, String> feed,
        final List<Map<String, String>> strategies,
        final Map<String, String> gateway)
    {
        final StringBuilder problems = new StringBuilder();
        long errors = 0;
        int stalled = 0;
        long reports = 0;
        long ordersSent = 0;
        final long sent = number(feed, "messages");
        if (sent != settings.quotes())
        {
            problems.append("feed sent ").append(sent).append(" of ").append(settings.quotes()).append(" quotes; ");
            errors += Math.abs(settings.quotes() - sent);
        }
        for (int i = 0; i < strategies.size(); i++)
        {
            final Map<String, String> r = strategies.get(i);
            for (final String key : STRATEGY_ERRORS)
            {
                final long n = number(r, key);
                if (n != 0)
                {
                    problems.append("strategy-").append(i).append(' ').append(key).append('=')
                        .append(n < 0 ? "missing" : n).append("; ");
                    errors += Math.abs(n);
                }
            }
            if (number(r, "quotes") != settings.quotes() || number(r, "orders") != number(r, "expectedOrders") ||
                number(r, "reports") != number(r, "orders"))
            {
                problems.append("strategy-").append(i).append(" quotes=").append(r.get("quotes")).append(" orders=")
                    .append(r.get("orders")).append(" of ").append(r.get("expectedOrders")).append(" reports=")
                    .append(r.get("reports")).append("; ");
                errors += Math.max(1, Math.abs(number(r, "orders") - number(r, "reports")));
            }
            if ("true".equals(r.get("stalled")))
            {
                stalled++;
                problems.append("strategy-").append(i).append(" stalled; ");
            }
            reports += number(r, "reports");
            ordersSent += number(r, "orders");
        }
        for (final String key : GATEWAY_ERRORS)
        {
            final long n = number(gateway, key);
            if (n != 0)
            {
                problems.append("gateway ").append(key).append('=').append(n < 0 ? "missing" : n).append("; ");
                errors += Math.abs(n);
            }
        }
        final long received = number(gateway, "orders");
        if (received != number(gateway, "expectedOrders") || received != ordersSent)
        {
            problems.append("gateway received ").append(received).append(" orders of ").append(gateway.get(
                "expectedOrders")).append(" expected, ").append(ordersSent).append(" sent; ");
            errors += Math.max(1, Math.abs(ordersSent - received));
        }
        if ("true".equals(gateway.get("stalled")))
        {
            stalled++;
            problems.append("gateway stalled; ");
        }
        return new TradingCheck(received, reports, errors, stalled,
            problems.isEmpty() ? "" : problems.substring(0, problems.length() - 2));
    }

    private static long number(final Map<String, String> result, final String key)
    {
        final String value = result.get(key);
        return null == value ? -1 : Long.parseLong(value);
    }

    /**
     * @return whether nothing was lost, duplicated, misread or stalled.
     */
    boolean clean()
    {
        return errors == 0 && stalled == 0 && problems.isEmpty();
    }

    /**
     * @return one line for the row and the log.
     */
    String describe()
    {
        return clean() ? "every quote, order and report checked: none lost, duplicated or misread" : problems;
    }
}
