package io.shmbus.bench.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The stall scenario's part of summary.md: per variant the timed publishers' aggregate rate (medians across
 * rounds, ranges in brackets), the ratio of the stopped variant to the unstopped one, the takeovers and the joins;
 * then the same round by round, since the ratio is taken within each round.
 */
final class StallMarkdown
{
    private static final String SCENARIO = "stall";
    private static final String NONE = "stall-none";
    private static final String STOPPED = "stall-stopped";

    private StallMarkdown()
    {
    }

    /**
     * @param row one result row of the stall scenario.
     * @return its progress line.
     */
    static String oneLine(final Map<String, Object> row)
    {
        return String.format(Locale.ROOT, "publishers 1-3 %s msgs/s (received %s), takeovers %s, joins %s " +
                "(%s failed, longest %s) (%s s)", SummaryMarkdown.millions(row.get("msgsPerSec")),
            SummaryMarkdown.millions(row.get("receivedMsgsPerSec")), row.get("takeovers"), row.get("joins"),
            row.get("failedJoins"), SummaryMarkdown.ns(row.get("maxJoinNs")), row.get("runSeconds"));
    }

    @SuppressWarnings("unchecked")
    static void render(final StringBuilder sb, final Map<String, Object> summary, final List<Map<String, Object>> all)
    {
        final List<Map<String, Object>> entries = all.stream().filter(e -> SCENARIO.equals(e.get("scenario"))).toList();
        if (entries.isEmpty())
        {
            return;
        }
        sb.append("## Stall: one of 4 shared publishers stopped inside a cleaning round\n\n");
        sb.append("4 shared publishers and 4 tethered subscribers, one JVM each, on one topic with a 64 KiB ring, ")
            .append("32 B messages, and a joiner JVM. Rates are the aggregate of publishers 1-3 over the measured ")
            .append("window, as published and as the slowest subscriber received them. In stall-stopped, publisher ")
            .append("4 halts at the fault point inStep of one of its rounds and is stopped with SIGSTOP for the ")
            .append("whole window; the joiner joins from the oldest message and closes, again and again (it does ")
            .append("the same in stall-none). At the end publisher 4 is continued and released, and every ")
            .append("subscriber is checked to have every message of every publisher once, in order and intact.\n\n");
        if (!"full".equals(summary.get("mode")) || Boolean.TRUE.equals(summary.get("notAVerdict")))
        {
            sb.append("> **Not a verdict:** ").append("full".equals(summary.get("mode")) ? "the load was over the " +
                "limit" : summary.get("mode") + " mode (short windows)").append("; these figures show that the ")
                .append("scenario works and what it measured on this machine today, nothing more.\n\n");
        }
        sb.append("| variant | publishers 1-3, msgs/s | received, msgs/s | / none | takeovers in window | joins | ")
            .append("failed joins | longest join | back-pressured offers | errors (most in a round) | rounds |\n");
        sb.append("|---|").append("---:|".repeat(10)).append('\n');
        for (final Map<String, Object> e : entries)
        {
            if (null != e.get("error"))
            {
                continue;
            }
            sb.append("| ").append(e.get("label")).append(" | ")
                .append(cell(e, "msgsPerSec", SummaryMarkdown.Kind.RATE)).append(" | ")
                .append(cell(e, "receivedMsgsPerSec", SummaryMarkdown.Kind.RATE)).append(" | ")
                .append(ratioCell(e)).append(" | ")
                .append(cell(e, "takeovers", SummaryMarkdown.Kind.PLAIN)).append(" | ")
                .append(cell(e, "joins", SummaryMarkdown.Kind.PLAIN)).append(" | ")
                .append(SummaryMarkdown.Kind.PLAIN.one(figure(e, "max", "failedJoins"))).append(" | ")
                .append(SummaryMarkdown.Kind.NS.one(figure(e, "max", "maxJoinNs"))).append(" | ")
                .append(cell(e, "backPressuredOffers", SummaryMarkdown.Kind.PLAIN)).append(" | ")
                .append(SummaryMarkdown.Kind.PLAIN.one(figure(e, "max", "sequenceErrors"))).append(" | ")
                .append(rounds(e)).append(" |\n");
        }
        sb.append('\n');
        perRound(sb, (List<Map<String, Object>>)summary.getOrDefault("rows", List.of()));
    }

    @SuppressWarnings("unchecked")
    private static void perRound(final StringBuilder sb, final List<Map<String, Object>> rows)
    {
        final List<Map<String, Object>> stopped = rows.stream()
            .filter(r -> SCENARIO.equals(r.get("scenario")) && STOPPED.equals(r.get("transport"))).toList();
        if (stopped.isEmpty())
        {
            return;
        }
        sb.append("| round | none, msgs/s | stopped, msgs/s | stopped / none | takeovers | joins (failed) | ")
            .append("longest join | publisher 4 halted after |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (final Map<String, Object> s : stopped)
        {
            final Map<String, Object> none = rows.stream().filter(r -> SCENARIO.equals(r.get("scenario")) &&
                NONE.equals(r.get("transport")) && Objects.equals(r.get("round"), s.get("round"))).findFirst()
                .orElse(Map.of());
            final Object ratio = ((Map<String, Object>)s.getOrDefault("ratios", Map.of())).get(Rounds.RATE_VS_NO_STOP);
            sb.append("| ").append(s.get("round")).append(" | ")
                .append(null != none.get("error") ? "failed" : SummaryMarkdown.Kind.RATE.one(none.get("msgsPerSec")))
                .append(" | ");
            if (null != s.get("error"))
            {
                sb.append("failed | | | | | |\n");
                continue;
            }
            sb.append(SummaryMarkdown.Kind.RATE.one(s.get("msgsPerSec"))).append(" | ")
                .append(SummaryMarkdown.Kind.RATIO.one(ratio)).append(" | ")
                .append(SummaryMarkdown.Kind.PLAIN.one(s.get("takeovers"))).append(" | ")
                .append(SummaryMarkdown.Kind.PLAIN.one(s.get("joins"))).append(" (")
                .append(SummaryMarkdown.Kind.PLAIN.one(s.get("failedJoins"))).append(") | ")
                .append(SummaryMarkdown.Kind.NS.one(s.get("maxJoinNs"))).append(" | ")
                .append(SummaryMarkdown.Kind.PLAIN.one(s.get("haltedAfterMs"))).append(" ms |\n");
        }
        sb.append('\n');
    }

    @SuppressWarnings("unchecked")
    private static String ratioCell(final Map<String, Object> entry)
    {
        final Map<String, Object> s = (Map<String, Object>)((Map<String, Object>)entry.getOrDefault("ratios", Map.of()))
            .get(Rounds.RATE_VS_NO_STOP);
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
