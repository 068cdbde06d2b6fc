package io.shmbus.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The cross-host section of summary.md: for each size, the three transports side by side with what the goals
 * compare (the round trip's p50 and p99 above raw Aeron UDP's, the one-way rate over raw Aeron UDP's) and the
 * bytes allocated per message on every path, the bridge's sides included. Medians across rounds, ranges in
 * brackets, as in every other table.
 */
final class NetworkMarkdown
{
    private static final String RTT = "udp-round-trip";
    private static final String THROUGHPUT = "udp-throughput-1to1";

    private NetworkMarkdown()
    {
    }

    @SuppressWarnings("unchecked")
    static void append(final StringBuilder sb, final List<Map<String, Object>> entries, final Object mode)
    {
        final List<Map<String, Object>> network = entries.stream()
            .filter(e -> RTT.equals(e.get("scenario")) || THROUGHPUT.equals(e.get("scenario"))).toList();
        if (network.isEmpty())
        {
            return;
        }
        sb.append("## Across two network namespaces over Aeron UDP: the three transports side by side\n\n");
        sb.append("Side A (ping, producer) and side B (pong, consumer) are two network namespaces joined by a veth ")
            .append("pair; both share this machine's CPUs, so the sides compete with each other as two hosts would ")
            .append("not. Every side hosts its own media driver.\n\n");
        if (!"full".equals(String.valueOf(mode)))
        {
            sb.append("> **Not a verdict:** ").append(mode).append(" mode, short measuring windows: these figures ")
                .append("show that the paths work, not how fast they are.\n\n");
        }
        sb.append("| transport | size | round trip p50 | p99 | p50 - raw | p99 - raw | one-way msgs/s | / raw | ")
            .append("alloc B/msg pub, sub | alloc B/msg bridge out, in | rounds (rtt, one-way) |\n")
            .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        final List<String> keys = new ArrayList<>();
        for (final Map<String, Object> e : network)
        {
            final String key = e.get("sizeBytes") + "|" + e.get("transport");
            if (!keys.contains(key))
            {
                keys.add(key);
            }
        }
        keys.sort((a, b) -> Integer.compare(Integer.parseInt(a.split("\\|")[0]), Integer.parseInt(b.split("\\|")[0])));
        for (final String key : keys)
        {
            final String[] parts = key.split("\\|");
            final Map<String, Object> rtt = find(network, RTT, parts[1], parts[0]);
            final Map<String, Object> oneWay = find(network, THROUGHPUT, parts[1], parts[0]);
            final Map<String, Object> any = null != rtt ? rtt : oneWay;
            final Map<String, Object> alloc = null != oneWay ? oneWay : rtt;
            sb.append("| ").append(any.get("label")).append(" | ").append(parts[0]).append(" B | ")
                .append(cell(rtt, "p50Ns", SummaryMarkdown.Kind.NS)).append(" | ")
                .append(cell(rtt, "p99Ns", SummaryMarkdown.Kind.NS)).append(" | ")
                .append(cell(rtt, NetworkFigures.P50_OVER_AERON_UDP, SummaryMarkdown.Kind.NS)).append(" | ")
                .append(cell(rtt, NetworkFigures.P99_OVER_AERON_UDP, SummaryMarkdown.Kind.NS)).append(" | ")
                .append(cell(oneWay, "msgsPerSec", SummaryMarkdown.Kind.RATE)).append(" | ")
                .append(ratio(oneWay, Rounds.RATE_VS_AERON_UDP)).append(" | ")
                .append(cell(alloc, "senderAllocBytesPerMsg", SummaryMarkdown.Kind.PLAIN)).append(", ")
                .append(cell(alloc, "receiverAllocBytesPerMsg", SummaryMarkdown.Kind.PLAIN)).append(" | ")
                .append(bridgeAlloc(alloc)).append(" | ")
                .append(rounds(rtt)).append(", ").append(rounds(oneWay)).append(" |\n");
        }
        sb.append("\nAllocation is counted on the publishing and the polling thread (and on each bridge side's ")
            .append("thread) over the measured messages; a figure under 1 B/msg is a fixed amount in the window, ")
            .append("not an allocation per message.\n\n");
    }

    private static String bridgeAlloc(final Map<String, Object> entry)
    {
        if (null == entry || !(figure(entry, "median", "bridgeOutAllocBytesPerMsg") instanceof Number))
        {
            return "";
        }
        return cell(entry, "bridgeOutAllocBytesPerMsg", SummaryMarkdown.Kind.PLAIN) + ", " +
            cell(entry, "bridgeInAllocBytesPerMsg", SummaryMarkdown.Kind.PLAIN);
    }

    private static Map<String, Object> find(
        final List<Map<String, Object>> entries, final String scenario, final String transport, final String size)
    {
        for (final Map<String, Object> e : entries)
        {
            if (scenario.equals(e.get("scenario")) && transport.equals(e.get("transport")) &&
                size.equals(String.valueOf(e.get("sizeBytes"))) && null == e.get("error"))
            {
                return e;
            }
        }
        return null;
    }

    private static String cell(final Map<String, Object> entry, final String key, final SummaryMarkdown.Kind kind)
    {
        if (null == entry)
        {
            return "-";
        }
        return kind.spread(figure(entry, "median", key), figure(entry, "min", key), figure(entry, "max", key));
    }

    @SuppressWarnings("unchecked")
    private static String ratio(final Map<String, Object> entry, final String name)
    {
        if (null == entry)
        {
            return "-";
        }
        final Object s = ((Map<String, Object>)entry.getOrDefault("ratios", Map.of())).get(name);
        if (!(s instanceof Map))
        {
            return "";
        }
        final Map<String, Object> spread = (Map<String, Object>)s;
        return SummaryMarkdown.Kind.RATIO.spread(spread.get("median"), spread.get("min"), spread.get("max"));
    }

    @SuppressWarnings("unchecked")
    private static Object figure(final Map<String, Object> entry, final String statistic, final String key)
    {
        final Object m = entry.get(statistic);
        return m instanceof Map ? ((Map<String, Object>)m).get(key) : null;
    }

    private static String rounds(final Map<String, Object> entry)
    {
        if (null == entry)
        {
            return "-";
        }
        final long rounds = SummaryMarkdown.num(entry.get("rounds")).longValue();
        final long failed = SummaryMarkdown.num(entry.get("failedRounds")).longValue();
        return failed == 0 ? Long.toString(rounds) : (rounds - failed) + " of " + rounds;
    }
}
