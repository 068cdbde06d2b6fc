package io.shmbus.bench.report;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders summary.json as Markdown: the load check, the goals, and one table per scenario with the median
 * and range across rounds of every figure and of every ratio to the reference rows taken within a round (the
 * floor, Aeron IPC and shmbus busy spin for round trips, Aeron IPC exclusive or concurrent for throughput).
 */
public final class SummaryMarkdown
{
    private SummaryMarkdown()
    {
    }

    /**
     * @param row one result row.
     * @return a one-line progress summary.
     */
    public static String oneLine(final Map<String, Object> row)
    {
        if (null != row.get("error"))
        {
            return "FAILED: " + row.get("error");
        }
        if (null != row.get("tickToOrderP50Ns"))
        {
            return TradingMarkdown.oneLine(row);
        }
        if (null != row.get("joins"))
        {
            return StallMarkdown.oneLine(row);
        }
        if (null != row.get("p50Ns"))
        {
            return String.format(Locale.ROOT, "p50 %s p99 %s p99.9 %s (%s s)", ns(row.get("p50Ns")),
                ns(row.get("p99Ns")), ns(row.get("p999Ns")), row.get("runSeconds"));
        }
        if (null != row.get("idleCpuPercentProcess"))
        {
            return String.format(Locale.ROOT, "idle CPU process %s%% thread %s%% (%s s)",
                row.get("idleCpuPercentProcess"), row.get("idleCpuPercentThreadPrecise"), row.get("runSeconds"));
        }
        return String.format(Locale.ROOT, "%s msgs/s, %s MB/s, alloc %s/%s B/msg (%s s)",
            millions(row.get("msgsPerSec")), row.get("mbPerSec"), row.get("senderAllocBytesPerMsg"),
            row.get("receiverAllocBytesPerMsg"), row.get("runSeconds"));
    }

    /**
     * @param summary the summary tree: rows of every round, their aggregates, the goals and the load check.
     * @return Markdown.
     */
    @SuppressWarnings("unchecked")
    public static String render(final Map<String, Object> summary)
    {
        final StringBuilder sb = new StringBuilder();
        final Map<String, Object> machine = (Map<String, Object>)summary.get("machine");
        final Map<String, Object> load = (Map<String, Object>)summary.getOrDefault("loadCheck", Map.of());
        final Map<String, Object> settings = (Map<String, Object>)summary.getOrDefault("settings", Map.of());
        final boolean notVerdict = Boolean.TRUE.equals(summary.get("notAVerdict"));
        sb.append("# bus-bench results (").append(summary.get("mode")).append(" mode)\n\n");
        if (notVerdict)
        {
            sb.append("> **Not a verdict:** ").append(load.get("reason")).append(". Under that load the figures ")
                .append("measure the scheduler as much as the transports; run again on a quiet machine.\n\n");
        }
        sb.append("- started: ").append(summary.get("started")).append('\n');
        sb.append("- CPU: ").append(machine.get("cpuModel")).append(", ").append(machine.get("cpuCores"))
            .append(" cores; kernel ").append(machine.get("kernel")).append("; clocksource ")
            .append(machine.get("clocksource")).append('\n');
        sb.append("- JDK: ").append(machine.get("jdk")).append('\n');
        sb.append("- load average (1, 5, 15 min) at start: ").append(machine.get("loadAverageAtStart"))
            .append(", at end: ").append(summary.get("loadAverageAtEnd")).append("; highest 1-minute load of other ")
            .append("work at a round (the load average less the harness's own share): ")
            .append(load.get("highestOthers1m")).append(" (limit for a verdict: ").append(load.get("limit1m"))
            .append(", ").append(load.get("limitPerCpu")).append(" per CPU)\n");
        sb.append("- rounds: ").append(settings.get("rounds")).append(" per scenario. Each round runs every transport ")
            .append("of a scenario once at each size, back to back, the next round in a rotated order. Ratios are ")
            .append("taken within a round; every figure and ratio below is the median across rounds, with the ")
            .append("range (min-max) in brackets.\n");
        sb.append("- settings: ").append(settings).append("\n\n");

        goals(sb, (List<Map<String, Object>>)summary.getOrDefault("goals", List.of()), notVerdict);
        final List<Map<String, Object>> entries = (List<Map<String, Object>>)summary.getOrDefault("aggregates", List.of());
        roundTrips(sb, entries, "round-trip", "Round trip, two JVMs (spinning sides pinned to one CPU each, blocking sides placed by the scheduler)");
        roundTrips(sb, entries, "round-trip-one-cpu", "Round trip, two JVMs pinned to one CPU (blocking transports)");
        throughput(sb, entries, "throughput-1to1", "One-way throughput, 1 producer JVM -> 1 consumer JVM");
        throughput(sb, entries, "fan-out-1to3",
            "Fan-out, 1 producer JVM -> 3 consumer JVMs (4 JVMs share 2 cores; rate of the slowest consumer)");
        throughput(sb, entries, "fan-in-3to1",
            "Fan-in, 3 producer JVMs -> 1 consumer JVM (4 JVMs share 2 cores; total rate)");
        idle(sb, entries);
        allocation(sb, entries);
        journal(sb, entries);
        NetworkMarkdown.append(sb, entries, summary.get("mode"));
        roundTrips(sb, entries, "udp-round-trip", "Round trip across two network namespaces over Aeron UDP");
        throughput(sb, entries, "udp-throughput-1to1",
            "One-way throughput across two network namespaces over Aeron UDP, 1 producer JVM -> 1 consumer JVM");
        TradingMarkdown.render(sb, summary, entries);
        StallMarkdown.render(sb, summary, entries);
        rounds(sb, (List<Map<String, Object>>)summary.getOrDefault("rounds", List.of()));
        failures(sb, (List<Map<String, Object>>)summary.getOrDefault("rows", List.of()));
        jmh(sb, (List<Map<String, Object>>)summary.get("jmh"));
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------------ goals

    @SuppressWarnings("unchecked")
    private static void goals(final StringBuilder sb, final List<Map<String, Object>> goals, final boolean notVerdict)
    {
        if (goals.stream().allMatch(g -> null == g.get("median")))
        {
            return;
        }
        sb.append("## Goals (median of the per-round values)\n\n");
        if (notVerdict)
        {
            sb.append("**Not a verdict:** the load was over the limit during this run; the statuses below say what ")
                .append("the figures would mean on a quiet machine.\n\n");
        }
        sb.append("| goal | per round | median (min-max) | status |\n|---|---|---|---|\n");
        for (final Map<String, Object> g : goals)
        {
            if (null == g.get("median"))
            {
                continue;
            }
            final String measure = String.valueOf(g.get("measure"));
            final Kind kind = Boolean.TRUE.equals(g.get("ratio")) ? Kind.RATIO : measure.endsWith("Ns") ? Kind.NS :
                measure.startsWith("idleCpu") ? Kind.PERCENT : Kind.PLAIN;
            final List<String> perRound = new ArrayList<>();
            ((Map<String, Object>)g.get("perRound")).forEach((round, v) -> perRound.add("r" + round + " " + kind.one(v)));
            sb.append("| ").append(g.get("goal")).append(" | ").append(String.join(", ", perRound)).append(" | ")
                .append(kind.spread(g.get("median"), g.get("min"), g.get("max"))).append(" | ")
                .append(Boolean.FALSE.equals(g.get("met")) ? "**" + g.get("status") + "**" : g.get("status"))
                .append(" |\n");
        }
        sb.append('\n');
    }

    // ------------------------------------------------------------------------------------------------ tables

    private static void roundTrips(
        final StringBuilder sb, final List<Map<String, Object>> all, final String scenario, final String title)
    {
        final List<Map<String, Object>> entries = of(all, scenario);
        if (entries.isEmpty())
        {
            return;
        }
        final List<String> ratios = ratioColumns(entries);
        sb.append("## ").append(title).append("\n\n");
        sb.append("| transport | size | p50 | p90 | p99 | p99.9 | max | ");
        ratios.forEach(r -> sb.append(RATIO_HEADERS.get(r)).append(" | "));
        sb.append("CPU cores | alloc B/msg ping, pong | rounds |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|").append("---:|".repeat(ratios.size())).append("---:|---:|---:|\n");
        for (final Map<String, Object> e : entries)
        {
            if (null != e.get("error"))
            {
                continue;
            }
            sb.append("| ").append(e.get("label")).append(" | ").append(e.get("sizeBytes")).append(" B | ")
                .append(cell(e, "p50Ns", Kind.NS)).append(" | ").append(cell(e, "p90Ns", Kind.NS)).append(" | ")
                .append(cell(e, "p99Ns", Kind.NS)).append(" | ").append(cell(e, "p999Ns", Kind.NS)).append(" | ")
                .append(cell(e, "maxNs", Kind.NS)).append(" | ");
            ratios.forEach(r -> sb.append(ratioCell(e, r)).append(" | "));
            sb.append(cell(e, "cpuCores", Kind.PLAIN)).append(" | ")
                .append(cell(e, "senderAllocBytesPerMsg", Kind.PLAIN)).append(", ")
                .append(cell(e, "receiverAllocBytesPerMsg", Kind.PLAIN)).append(" | ")
                .append(roundsCell(e)).append(" |\n");
        }
        sb.append('\n');
    }

    private static void throughput(
        final StringBuilder sb, final List<Map<String, Object>> all, final String scenario, final String title)
    {
        final List<Map<String, Object>> entries = of(all, scenario);
        if (entries.isEmpty())
        {
            return;
        }
        final List<String> ratios = ratioColumns(entries);
        sb.append("## ").append(title).append("\n\n");
        sb.append("| transport | size | msgs/s | MB/s | ");
        ratios.forEach(r -> sb.append(RATIO_HEADERS.get(r)).append(" | "));
        sb.append("CPU cores | back-pressured offers | alloc B/msg pub, sub | sequence errors (most in a round) | rounds |\n");
        sb.append("|---|---:|---:|---:|").append("---:|".repeat(ratios.size())).append("---:|---:|---:|---:|---:|\n");
        for (final Map<String, Object> e : entries)
        {
            if (null != e.get("error"))
            {
                continue;
            }
            sb.append("| ").append(e.get("label")).append(" | ").append(size(e.get("sizeBytes"))).append(" | ")
                .append(cell(e, "msgsPerSec", Kind.RATE)).append(" | ").append(cell(e, "mbPerSec", Kind.PLAIN)).append(" | ");
            ratios.forEach(r -> sb.append(ratioCell(e, r)).append(" | "));
            sb.append(cell(e, "cpuCores", Kind.PLAIN)).append(" | ")
                .append(cell(e, "backPressuredOffers", Kind.PLAIN)).append(" | ")
                .append(cell(e, "senderAllocBytesPerMsg", Kind.PLAIN)).append(", ")
                .append(cell(e, "receiverAllocBytesPerMsg", Kind.PLAIN)).append(" | ")
                .append(Kind.PLAIN.one(figure(e, "max", "sequenceErrors"))).append(" | ")
                .append(roundsCell(e)).append(" |\n");
        }
        sb.append('\n');
    }

    private static void idle(final StringBuilder sb, final List<Map<String, Object>> all)
    {
        final List<Map<String, Object>> entries = of(all, "idle-cpu");
        if (entries.isEmpty())
        {
            return;
        }
        sb.append("## CPU of a subscriber blocked waiting for a message\n\n");
        sb.append("| transport | window | subscriber JVM (/proc) | polling thread (/proc) | polling thread (JVM, ns clock) | rounds |\n");
        sb.append("|---|---:|---:|---:|---:|---:|\n");
        for (final Map<String, Object> e : entries)
        {
            if (null != e.get("error"))
            {
                continue;
            }
            sb.append("| ").append(e.get("label")).append(" | ").append(Kind.PLAIN.one(figure(e, "median", "idleWindowMs")))
                .append(" ms | ").append(cell(e, "idleCpuPercentProcess", Kind.PERCENT)).append(" | ")
                .append(cell(e, "idleCpuPercentThread", Kind.PERCENT)).append(" | ")
                .append(cell(e, "idleCpuPercentThreadPrecise", Kind.PERCENT)).append(" | ")
                .append(roundsCell(e)).append(" |\n");
        }
        sb.append('\n');
    }

    private static void allocation(final StringBuilder sb, final List<Map<String, Object>> all)
    {
        final List<Map<String, Object>> entries = of(all, "allocation");
        if (entries.isEmpty())
        {
            return;
        }
        sb.append("## Allocation in steady state (publishing and polling threads)\n\n");
        sb.append("| transport | size | measured messages | publisher B/msg | subscriber B/msg | msgs/s | rounds |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (final Map<String, Object> e : entries)
        {
            if (null != e.get("error"))
            {
                continue;
            }
            sb.append("| ").append(e.get("label")).append(" | ").append(e.get("sizeBytes")).append(" B | ")
                .append(Kind.PLAIN.one(figure(e, "median", "messages"))).append(" | ")
                .append(cell(e, "senderAllocBytesPerMsg", Kind.PLAIN)).append(" | ")
                .append(cell(e, "receiverAllocBytesPerMsg", Kind.PLAIN)).append(" | ")
                .append(cell(e, "msgsPerSec", Kind.RATE)).append(" | ")
                .append(roundsCell(e)).append(" |\n");
        }
        sb.append('\n');
    }

    @SuppressWarnings("unchecked")
    private static void rounds(final StringBuilder sb, final List<Map<String, Object>> rounds)
    {
        if (rounds.isEmpty())
        {
            return;
        }
        sb.append("## Rounds and load\n\nThe 1, 5 and 15 minute load averages before and after each round, and the ")
            .append("1-minute load left to other work once the harness's own share (its JVMs' CPU time, averaged ")
            .append("like the load) is taken off.\n\n");
        sb.append("| scenario | round | order | load before | load after | |\n|---|---:|---|---|---|---|\n");
        for (final Map<String, Object> r : rounds)
        {
            final List<String> order = new ArrayList<>();
            for (final Object o : (List<Object>)r.get("order"))
            {
                final String id = String.valueOf(o).replaceAll("@.*", "");
                if (!order.contains(id))
                {
                    order.add(id);
                }
            }
            sb.append("| ").append(r.get("scenario")).append(" | ").append(r.get("round")).append(" | ")
                .append(String.join(", ", order)).append(" | ").append(r.get("loadBefore")).append(" | ")
                .append(r.get("loadAfter")).append(" | ")
                .append(Boolean.TRUE.equals(r.get("overLimit")) ? "**over the limit**" : "").append(" |\n");
        }
        sb.append('\n');
    }

    private static void failures(final StringBuilder sb, final List<Map<String, Object>> rows)
    {
        final List<String> failed = new ArrayList<>();
        for (final Map<String, Object> r : rows)
        {
            if (null != r.get("error"))
            {
                failed.add("- " + r.get("scenario") + " / " + r.get("transport") + " / " + r.get("sizeBytes") +
                    " B, round " + r.get("round") + ": " + r.get("error"));
            }
        }
        if (!failed.isEmpty())
        {
            sb.append("## Failed runs\n\n").append(String.join("\n", failed)).append("\n\n");
        }
    }

    private static void jmh(final StringBuilder sb, final List<Map<String, Object>> rows)
    {
        if (null == rows || rows.isEmpty())
        {
            return;
        }
        sb.append("## JMH, single thread in one process\n\n| benchmark | score | error | unit |\n|---|---:|---:|---|\n");
        for (final Map<String, Object> r : rows)
        {
            sb.append("| ").append(r.get("benchmark")).append(" | ")
                .append(String.format(Locale.ROOT, "%.2f", num(r.get("score")).doubleValue())).append(" | ")
                .append(String.format(Locale.ROOT, "%.2f", num(r.get("error")).doubleValue())).append(" | ")
                .append(r.get("unit")).append(" |\n");
        }
        sb.append('\n');
    }

    // ------------------------------------------------------------------------------------------------ cells

    private static void journal(final StringBuilder sb, final List<Map<String, Object>> all)
    {
        final List<Map<String, Object>> entries = of(all, "journal");
        if (entries.isEmpty())
        {
            return;
        }
        final List<Map<String, Object>> appends = entries.stream()
            .filter(e -> "journal".equals(e.get("transport")) || "chronicle-queue".equals(e.get("transport"))).toList();
        if (!appends.isEmpty())
        {
            final List<String> ratios = ratioColumns(appends);
            sb.append("## Journal on disk: append, then replay everything (one JVM per run)\n\n");
            sb.append("| writer and reader | size | messages | append msgs/s | append MB/s | replay msgs/s | replay MB/s | ");
            ratios.forEach(r -> sb.append(RATIO_HEADERS.get(r)).append(" | "));
            sb.append("files MiB (apparent size) | alloc B/msg append, replay | rounds |\n");
            sb.append("|---|---:|---:|---:|---:|---:|---:|").append("---:|".repeat(ratios.size())).append("---:|---:|---:|\n");
            for (final Map<String, Object> e : appends)
            {
                if (null != e.get("error"))
                {
                    continue;
                }
                sb.append("| ").append(e.get("label")).append(" | ").append(size(e.get("sizeBytes"))).append(" | ")
                    .append(Kind.PLAIN.one(figure(e, "median", "messages"))).append(" | ")
                    .append(cell(e, "appendMsgsPerSec", Kind.RATE)).append(" | ")
                    .append(cell(e, "appendMbPerSec", Kind.PLAIN)).append(" | ")
                    .append(cell(e, "replayMsgsPerSec", Kind.RATE)).append(" | ")
                    .append(cell(e, "replayMbPerSec", Kind.PLAIN)).append(" | ");
                ratios.forEach(r -> sb.append(ratioCell(e, r)).append(" | "));
                sb.append(mib(figure(e, "median", "fileBytes"))).append(" | ")
                    .append(cell(e, "senderAllocBytesPerMsg", Kind.PLAIN)).append(", ")
                    .append(cell(e, "receiverAllocBytesPerMsg", Kind.PLAIN)).append(" | ")
                    .append(roundsCell(e)).append(" |\n");
            }
            sb.append('\n');
        }
        for (final Map<String, Object> e : entries)
        {
            if (null != e.get("error"))
            {
                continue;
            }
            if ("journal-recorder".equals(e.get("transport")))
            {
                sb.append("## Journal Recorder behind a full-rate 1 -> 1 publisher (").append(size(e.get("sizeBytes")))
                    .append(", producer JVM -> recorder JVM, one CPU each)\n\n");
                sb.append("| offered msgs/s | MB/s | back-pressured offers | largest lag (bytes) | catch-up once the ")
                    .append("producer had finished (ms) | CPU cores | rounds |\n|---:|---:|---:|---:|---:|---:|---:|\n");
                sb.append("| ").append(cell(e, "msgsPerSec", Kind.RATE)).append(" | ")
                    .append(cell(e, "mbPerSec", Kind.PLAIN)).append(" | ")
                    .append(cell(e, "backPressuredOffers", Kind.PLAIN)).append(" | ")
                    .append(cell(e, "recorderMaxLagBytes", Kind.PLAIN)).append(" | ")
                    .append(cell(e, "recorderCatchUpMs", Kind.PLAIN)).append(" | ")
                    .append(cell(e, "cpuCores", Kind.PLAIN)).append(" | ")
                    .append(roundsCell(e)).append(" |\n\n");
            }
            else if ("journal-replay-rss".equals(e.get("transport")))
            {
                sb.append("## Journal replay: resident memory of the reader (").append(size(e.get("sizeBytes")))
                    .append(" messages; a small window and small segments, so that the files stay a few hundred MiB ")
                    .append("at most)\n\n");
                sb.append("| journal MiB | window MiB | segment MiB | journal / window | passes | VmRSS before MiB | ")
                    .append("peak VmRSS MiB | (peak - before) / window | replay msgs/s | rounds |\n")
                    .append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
                sb.append("| ").append(mib(figure(e, "median", "journalBytes")))
                    .append(" | ").append(mib(figure(e, "median", "journalWindowBytes")))
                    .append(" | ").append(mib(figure(e, "median", "journalSegmentBytes")))
                    .append(" | ").append(cell(e, "journalOverWindow", Kind.PLAIN))
                    .append(" | ").append(Kind.PLAIN.one(figure(e, "median", "replayPasses")))
                    .append(" | ").append(cell(e, "baselineRssMiB", Kind.PLAIN))
                    .append(" | ").append(cell(e, "peakRssMiB", Kind.PLAIN))
                    .append(" | ").append(cell(e, "rssGrowthOverWindow", Kind.PLAIN))
                    .append(" | ").append(cell(e, "replayMsgsPerSec", Kind.RATE))
                    .append(" | ").append(roundsCell(e)).append(" |\n\n");
            }
        }
    }

    private static String mib(final Object bytes)
    {
        return bytes instanceof Number n ? Kind.PLAIN.one(Math.round(n.doubleValue() / 104857.6) / 10.0) : "";
    }

    private static final Map<String, String> RATIO_HEADERS = ratioHeaders();

    private static Map<String, String> ratioHeaders()
    {
        final Map<String, String> h = new LinkedHashMap<>();
        h.put(Rounds.P50_VS_FLOOR, "p50 / floor");
        h.put(Rounds.P50_VS_AERON, "p50 / Aeron");
        h.put(Rounds.P99_VS_AERON, "p99 / Aeron");
        h.put(Rounds.P999_VS_AERON, "p99.9 / Aeron");
        h.put(Rounds.P50_VS_BUSY_SPIN, "p50 / shmbus busy spin");
        h.put(Rounds.RATE_VS_AERON_EXCLUSIVE, "/ Aeron exclusive");
        h.put(Rounds.RATE_VS_AERON_CONCURRENT, "/ Aeron concurrent");
        h.put(Rounds.APPEND_VS_CHRONICLE, "append / Chronicle");
        h.put(Rounds.REPLAY_VS_CHRONICLE, "replay / Chronicle");
        h.put(Rounds.P50_VS_AERON_UDP, "p50 / raw Aeron UDP");
        h.put(Rounds.P99_VS_AERON_UDP, "p99 / raw Aeron UDP");
        h.put(Rounds.RATE_VS_AERON_UDP, "/ raw Aeron UDP");
        return h;
    }

    @SuppressWarnings("unchecked")
    private static List<String> ratioColumns(final List<Map<String, Object>> entries)
    {
        final List<String> columns = new ArrayList<>();
        for (final String name : RATIO_HEADERS.keySet())
        {
            if (entries.stream().anyMatch(e -> ((Map<String, Object>)e.getOrDefault("ratios", Map.of())).containsKey(name)))
            {
                columns.add(name);
            }
        }
        return columns;
    }

    @SuppressWarnings("unchecked")
    private static String ratioCell(final Map<String, Object> entry, final String name)
    {
        final Map<String, Object> s = (Map<String, Object>)((Map<String, Object>)entry.getOrDefault("ratios", Map.of())).get(name);
        return null == s ? "" : Kind.RATIO.spread(s.get("median"), s.get("min"), s.get("max"));
    }

    private static String cell(final Map<String, Object> entry, final String key, final Kind kind)
    {
        return kind.spread(figure(entry, "median", key), figure(entry, "min", key), figure(entry, "max", key));
    }

    @SuppressWarnings("unchecked")
    private static Object figure(final Map<String, Object> entry, final String statistic, final String key)
    {
        final Object m = entry.get(statistic);
        return m instanceof Map ? ((Map<String, Object>)m).get(key) : null;
    }

    private static String roundsCell(final Map<String, Object> entry)
    {
        final long rounds = num(entry.get("rounds")).longValue();
        final long failed = num(entry.get("failedRounds")).longValue();
        return failed == 0 ? Long.toString(rounds) : (rounds - failed) + " of " + rounds;
    }

    /**
     * How a figure prints: alone, or as a median with its range in the median's unit.
     */
    enum Kind
    {
        NS, RATE, RATIO, PERCENT, PLAIN;

        String one(final Object value)
        {
            if (!(value instanceof Number n))
            {
                return "-";
            }
            final double v = n.doubleValue();
            return switch (this)
            {
                case NS -> ns(v);
                case RATE -> millions(v);
                case RATIO -> String.format(Locale.ROOT, "%.2fx", v);
                case PERCENT -> plain(v) + " %";
                case PLAIN -> plain(v);
            };
        }

        String spread(final Object median, final Object min, final Object max)
        {
            if (!(median instanceof Number m))
            {
                return "-";
            }
            if (!(min instanceof Number lo) || !(max instanceof Number hi) || lo.doubleValue() == hi.doubleValue())
            {
                return one(median);
            }
            final double v = m.doubleValue();
            return one(median) + " (" + bare(v, lo.doubleValue()) + "-" + bare(v, hi.doubleValue()) + ")";
        }

        /** The value without unit, scaled and rounded as the median prints. */
        private String bare(final double median, final double value)
        {
            return switch (this)
            {
                case NS -> Math.abs(median) < 10_000 ? String.format(Locale.ROOT, "%.0f", value) :
                    Math.abs(median) < 10_000_000 ?
                    String.format(Locale.ROOT, "%.1f", value / 1e3) : String.format(Locale.ROOT, "%.1f", value / 1e6);
                case RATE -> median >= 1e6 ? String.format(Locale.ROOT, "%.2f", value / 1e6) :
                    String.format(Locale.ROOT, "%.1f", value / 1e3);
                case RATIO -> String.format(Locale.ROOT, "%.2f", value);
                case PERCENT, PLAIN -> plain(value);
            };
        }
    }

    private static String plain(final double v)
    {
        return new BigDecimal(Math.round(v * 1000) / 1000.0).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros()
            .toPlainString();
    }

    private static List<Map<String, Object>> of(final List<Map<String, Object>> rows, final String scenario)
    {
        return rows.stream().filter(r -> scenario.equals(r.get("scenario"))).toList();
    }

    static Number num(final Object o)
    {
        return o instanceof Number n ? n : 0;
    }

    private static String size(final Object bytes)
    {
        final int b = num(bytes).intValue();
        return b >= 1024 ? b / 1024 + " KiB" : b + " B";
    }

    /**
     * @param value nanoseconds.
     * @return ns or µs with units.
     */
    public static String ns(final Object value)
    {
        if (null == value)
        {
            return "-";
        }
        final double v = num(value).doubleValue();
        if (v < 0)
        {
            return "-" + ns(-v); // a difference (the cross-host round trips' p50 less raw Aeron's)
        }
        return v < 10_000 ? String.format(Locale.ROOT, "%.0f ns", v) :
            v < 10_000_000 ? String.format(Locale.ROOT, "%.1f µs", v / 1000) :
            String.format(Locale.ROOT, "%.1f ms", v / 1e6);
    }

    /**
     * @param value a rate.
     * @return in millions or thousands.
     */
    public static String millions(final Object value)
    {
        if (null == value)
        {
            return "-";
        }
        final double v = num(value).doubleValue();
        return v >= 1e6 ? String.format(Locale.ROOT, "%.2f M", v / 1e6) : String.format(Locale.ROOT, "%.1f k", v / 1e3);
    }
}
