package io.shmbus.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Renders summary.json as Markdown tables, one per scenario, with ratios to the reference rows (the floor and
 * Aeron IPC for round trips, Aeron IPC exclusive for throughput).
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
     * @param summary the summary tree.
     * @return Markdown.
     */
    @SuppressWarnings("unchecked")
    public static String render(final Map<String, Object> summary)
    {
        final StringBuilder sb = new StringBuilder();
        final Map<String, Object> machine = (Map<String, Object>)summary.get("machine");
        sb.append("# bus-bench results (").append(summary.get("mode")).append(" mode)\n\n");
        sb.append("- started: ").append(summary.get("started")).append('\n');
        sb.append("- CPU: ").append(machine.get("cpuModel")).append(", ").append(machine.get("cpuCores"))
            .append(" cores; kernel ").append(machine.get("kernel")).append("; clocksource ")
            .append(machine.get("clocksource")).append('\n');
        sb.append("- JDK: ").append(machine.get("jdk")).append('\n');
        sb.append("- load average (1, 5, 15 min) at start: ").append(machine.get("loadAverageAtStart"))
            .append(", at end: ").append(summary.get("loadAverageAtEnd")).append('\n');
        sb.append("- settings: ").append(summary.get("settings")).append("\n\n");

        final List<Map<String, Object>> rows = (List<Map<String, Object>>)summary.get("rows");
        roundTrips(sb, rows, "round-trip", "Round trip, two JVMs (spinning sides pinned to one CPU each, blocking sides placed by the scheduler)");
        roundTrips(sb, rows, "round-trip-one-cpu", "Round trip, two JVMs pinned to one CPU (blocking transports)");
        throughput(sb, rows, "throughput-1to1", "One-way throughput, 1 producer JVM -> 1 consumer JVM");
        throughput(sb, rows, "fan-out-1to3",
            "Fan-out, 1 producer JVM -> 3 consumer JVMs (4 JVMs share 2 cores; rate of the slowest consumer)");
        throughput(sb, rows, "fan-in-3to1",
            "Fan-in, 3 producer JVMs -> 1 consumer JVM (4 JVMs share 2 cores; total rate)");
        idle(sb, rows);
        allocation(sb, rows);
        failures(sb, rows);
        jmh(sb, (List<Map<String, Object>>)summary.get("jmh"));
        return sb.toString();
    }

    private static void roundTrips(
        final StringBuilder sb, final List<Map<String, Object>> all, final String scenario, final String title)
    {
        final List<Map<String, Object>> rows = of(all, scenario);
        if (rows.isEmpty())
        {
            return;
        }
        sb.append("## ").append(title).append("\n\n");
        sb.append("| transport | size | p50 | p90 | p99 | p99.9 | max | p50 / floor | p50 / Aeron | p99 / Aeron | " +
            "p99.9 / Aeron | CPU cores | alloc B/msg ping, pong |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        final Map<String, Object> floor = find(all, "round-trip", "floor", 32);
        for (final Map<String, Object> r : rows)
        {
            if (null != r.get("error"))
            {
                continue;
            }
            final Map<String, Object> aeron = find(all, "round-trip", "aeron", num(r.get("sizeBytes")).intValue());
            sb.append("| ").append(r.get("label")).append(" | ").append(r.get("sizeBytes")).append(" B | ")
                .append(ns(r.get("p50Ns"))).append(" | ").append(ns(r.get("p90Ns"))).append(" | ")
                .append(ns(r.get("p99Ns"))).append(" | ").append(ns(r.get("p999Ns"))).append(" | ")
                .append(ns(r.get("maxNs"))).append(" | ")
                .append(ratio(r, floor, "p50Ns")).append(" | ")
                .append(ratio(r, aeron, "p50Ns")).append(" | ")
                .append(ratio(r, aeron, "p99Ns")).append(" | ")
                .append(ratio(r, aeron, "p999Ns")).append(" | ")
                .append(r.get("cpuCores")).append(" | ")
                .append(dash(r.get("senderAllocBytesPerMsg"))).append(", ").append(dash(r.get("receiverAllocBytesPerMsg")))
                .append(" |\n");
        }
        sb.append('\n');
    }

    private static void throughput(
        final StringBuilder sb, final List<Map<String, Object>> all, final String scenario, final String title)
    {
        final List<Map<String, Object>> rows = of(all, scenario);
        if (rows.isEmpty())
        {
            return;
        }
        sb.append("## ").append(title).append("\n\n");
        sb.append("| transport | size | msgs/s | MB/s | / Aeron exclusive | CPU cores | back-pressured offers | " +
            "alloc B/msg pub, sub | sequence errors |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (final Map<String, Object> r : rows)
        {
            if (null != r.get("error"))
            {
                continue;
            }
            final Map<String, Object> aeron = find(all, scenario, "aeron-exclusive", num(r.get("sizeBytes")).intValue());
            sb.append("| ").append(r.get("label")).append(" | ").append(size(r.get("sizeBytes"))).append(" | ")
                .append(millions(r.get("msgsPerSec"))).append(" | ").append(r.get("mbPerSec")).append(" | ")
                .append(ratio(r, aeron, "msgsPerSec")).append(" | ")
                .append(r.get("cpuCores")).append(" | ").append(r.get("backPressuredOffers")).append(" | ")
                .append(dash(r.get("senderAllocBytesPerMsg"))).append(", ").append(dash(r.get("receiverAllocBytesPerMsg")))
                .append(" | ").append(r.get("sequenceErrors")).append(" |\n");
        }
        sb.append('\n');
    }

    private static void idle(final StringBuilder sb, final List<Map<String, Object>> all)
    {
        final List<Map<String, Object>> rows = of(all, "idle-cpu");
        if (rows.isEmpty())
        {
            return;
        }
        sb.append("## CPU of a subscriber blocked waiting for a message\n\n");
        sb.append("| transport | window | subscriber JVM (/proc) | polling thread (/proc) | polling thread (JVM, ns clock) |\n");
        sb.append("|---|---:|---:|---:|---:|\n");
        for (final Map<String, Object> r : rows)
        {
            if (null != r.get("error"))
            {
                continue;
            }
            sb.append("| ").append(r.get("label")).append(" | ").append(r.get("idleWindowMs")).append(" ms | ")
                .append(r.get("idleCpuPercentProcess")).append(" % | ").append(r.get("idleCpuPercentThread"))
                .append(" % | ").append(r.get("idleCpuPercentThreadPrecise")).append(" % |\n");
        }
        sb.append('\n');
    }

    private static void allocation(final StringBuilder sb, final List<Map<String, Object>> all)
    {
        final List<Map<String, Object>> rows = of(all, "allocation");
        if (rows.isEmpty())
        {
            return;
        }
        sb.append("## Allocation in steady state (publishing and polling threads)\n\n");
        sb.append("| transport | size | measured messages | publisher B/msg | subscriber B/msg | msgs/s |\n");
        sb.append("|---|---:|---:|---:|---:|---:|\n");
        for (final Map<String, Object> r : rows)
        {
            if (null != r.get("error"))
            {
                continue;
            }
            sb.append("| ").append(r.get("label")).append(" | ").append(r.get("sizeBytes")).append(" B | ")
                .append(r.get("messages")).append(" | ").append(r.get("senderAllocBytesPerMsg")).append(" | ")
                .append(r.get("receiverAllocBytesPerMsg")).append(" | ").append(millions(r.get("msgsPerSec")))
                .append(" |\n");
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
                failed.add("- " + r.get("scenario") + " / " + r.get("transport") + " / " + r.get("sizeBytes") + " B: " +
                    r.get("error"));
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

    private static List<Map<String, Object>> of(final List<Map<String, Object>> rows, final String scenario)
    {
        return rows.stream().filter(r -> scenario.equals(r.get("scenario"))).toList();
    }

    /**
     * @return the row of that scenario, transport and size, or null.
     */
    static Map<String, Object> find(
        final List<Map<String, Object>> rows, final String scenario, final String transport, final int size)
    {
        for (final Map<String, Object> r : rows)
        {
            if (scenario.equals(r.get("scenario")) && transport.equals(r.get("transport")) &&
                num(r.get("sizeBytes")).intValue() == size && null == r.get("error"))
            {
                return r;
            }
        }
        return null;
    }

    private static String ratio(final Map<String, Object> row, final Map<String, Object> reference, final String key)
    {
        if (null == reference || null == row.get(key) || null == reference.get(key) ||
            num(reference.get(key)).doubleValue() == 0)
        {
            return "";
        }
        return String.format(Locale.ROOT, "%.2fx", num(row.get(key)).doubleValue() / num(reference.get(key)).doubleValue());
    }

    static Number num(final Object o)
    {
        return o instanceof Number n ? n : 0;
    }

    private static String dash(final Object o)
    {
        return null == o ? "-" : Objects.toString(o);
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
