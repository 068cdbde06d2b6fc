package io.shmbus.bench.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The trading scenario's part of summary.md: per transport, the tick-to-order and order-to-report
 * percentiles (medians across rounds, ranges in brackets), their ratios to Aeron IPC taken within each round,
 * and what the checks found; then the shmbus / Aeron IPC ratios of p50 and p99 in one line.
 */
final class TradingMarkdown
{
    private static final String SCENARIO = "trading";
    private static final String SHMBUS = "trading-shmbus";

    private TradingMarkdown()
    {
    }

    /**
     * @param row one result row of the trading scenario.
     * @return its progress line.
     */
    static String oneLine(final Map<String, Object> row)
    {
        return String.format(Locale.ROOT, "tick-to-order p50 %s p99 %s, order-to-report p50 %s p99 %s, %s orders " +
                "(%s s)", SummaryMarkdown.ns(row.get("tickToOrderP50Ns")),
            SummaryMarkdown.ns(row.get("tickToOrderP99Ns")),
            SummaryMarkdown.ns(row.get("orderToReportP50Ns")), SummaryMarkdown.ns(row.get("orderToReportP99Ns")),
            row.get("orders"), row.get("runSeconds"));
    }

    @SuppressWarnings("unchecked")
    static void render(final StringBuilder sb, final Map<String, Object> summary, final List<Map<String, Object>> all)
    {
        final List<Map<String, Object>> entries = all.stream().filter(e -> SCENARIO.equals(e.get("scenario"))).toList();
        if (entries.isEmpty())
        {
            return;
        }
        final Map<String, Object> settings = (Map<String, Object>)summary.getOrDefault("settings", Map.of());
        sb.append("## Trading pipeline: feed -> strategies -> gateway, one JVM each, SBE messages\n\n");
        sb.append("A feed publishes quotes at a set rate; every strategy reads each one and orders on its own ")
            .append("deterministic share of them through one shared order topic (fan-in); the gateway answers each ")
            .append("order with an execution report on the strategy's topic. Tick to order: the quote's send time ")
            .append("to the order's arrival at the gateway; order to report: the order's send time to the report's ")
            .append("arrival at the strategy (System.nanoTime of different JVMs, one monotonic clock). Every ")
            .append("message is checked. Settings: ").append(settings.get("trading")).append(".\n\n");
        if (!"full".equals(summary.get("mode")) || Boolean.TRUE.equals(summary.get("notAVerdict")))
        {
            sb.append("> **Not a verdict:** ").append("full".equals(summary.get("mode")) ? "the load was over the " +
                "limit" : summary.get("mode") + " mode (short runs)").append("; these figures show that the pipeline ")
                .append("works and how the transports compare on this machine today, nothing more.\n\n");
        }
        sb.append("| transport | tick-to-order p50 | p90 | p99 | p99.9 | max | order-to-report p50 | p99 | p99.9 | ")
            .append("max | tick-to-order p50 / Aeron | p99 / Aeron | order-to-report p50 / Aeron | p99 / Aeron | ")
            .append("orders | CPU cores | lost, duplicated or misread (most in a round) | rounds |\n");
        sb.append("|---|").append("---:|".repeat(17)).append('\n');
        for (final Map<String, Object> e : entries)
        {
            if (null != e.get("error"))
            {
                continue;
            }
            sb.append("| ").append(e.get("label")).append(" | ");
            for (final String key : List.of("tickToOrderP50Ns", "tickToOrderP90Ns", "tickToOrderP99Ns",
                "tickToOrderP999Ns", "tickToOrderMaxNs", "orderToReportP50Ns", "orderToReportP99Ns",
                "orderToReportP999Ns", "orderToReportMaxNs"))
            {
                sb.append(cell(e, key, SummaryMarkdown.Kind.NS)).append(" | ");
            }
            for (final String ratio : List.of(Rounds.TICK_TO_ORDER_P50_VS_AERON, Rounds.TICK_TO_ORDER_P99_VS_AERON,
                Rounds.ORDER_TO_REPORT_P50_VS_AERON, Rounds.ORDER_TO_REPORT_P99_VS_AERON))
            {
                sb.append(ratioCell(e, ratio)).append(" | ");
            }
            sb.append(cell(e, "orders", SummaryMarkdown.Kind.PLAIN)).append(" | ")
                .append(cell(e, "cpuCores", SummaryMarkdown.Kind.PLAIN)).append(" | ")
                .append(SummaryMarkdown.Kind.PLAIN.one(figure(e, "max", "sequenceErrors"))).append(" | ")
                .append(rounds(e)).append(" |\n");
        }
        sb.append('\n');
        entries.stream().filter(e -> SHMBUS.equals(e.get("transport")) && null == e.get("error")).findFirst()
            .ifPresent(e -> sb.append("shmbus / Aeron IPC within each round, tick to order: p50 ")
                .append(ratioCell(e, Rounds.TICK_TO_ORDER_P50_VS_AERON)).append(", p99 ")
                .append(ratioCell(e, Rounds.TICK_TO_ORDER_P99_VS_AERON)).append("; order to report: p50 ")
                .append(ratioCell(e, Rounds.ORDER_TO_REPORT_P50_VS_AERON)).append(", p99 ")
                .append(ratioCell(e, Rounds.ORDER_TO_REPORT_P99_VS_AERON)).append(" (below 1: shmbus is faster).\n\n"));
    }

    @SuppressWarnings("unchecked")
    private static String ratioCell(final Map<String, Object> entry, final String name)
    {
        final Map<String, Object> s = (Map<String, Object>)((Map<String, Object>)entry.getOrDefault("ratios", Map.of()))
            .get(name);
        return null == s ? "-" : SummaryMarkdown.Kind.RATIO.spread(s.get("median"), s.get("min"), s.get("max"));
    }

    private static String cell(final Map<String, Object> entry, final String key, final SummaryMarkdown.Kind kind)
    {
        return kind.spread(figure(entry, "median", key), figure(entry, "min", key), figure(entry, "max", key));
    }

    @SuppressWarnings("unchecked")
    private static Object figure(final Map<String, Object> entry, final String statistic, final String key)
    {
        final Object m = entry.get(statistic);
        return m instanceof Map ? ((Map<String, Object>)m).get(key) : null;
    }

    private static String rounds(final Map<String, Object> entry)
    {
        final long rounds = SummaryMarkdown.num(entry.get("rounds")).longValue();
        final long failed = SummaryMarkdown.num(entry.get("failedRounds")).longValue();
        return failed == 0 ? Long.toString(rounds) : (rounds - failed) + " of " + rounds;
    }
}
