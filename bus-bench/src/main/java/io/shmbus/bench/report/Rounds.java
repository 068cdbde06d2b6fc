package io.shmbus.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Ratios within rounds and their spread across rounds.
 *
 * <p>A ratio is only taken between two rows of the same scenario, round and message size: the two runs were
 * made back to back, minutes apart at most, so a machine whose speed drifts from minute to minute moves both.
 * Each ratio is then summarised across rounds by its median and its range; so is every figure.
 */
public final class Rounds
{
    /** p50 over the floor's p50 (round trips). */
    public static final String P50_VS_FLOOR = "p50VsFloor";
    /** p50 over Aeron IPC's p50 (round trips). */
    public static final String P50_VS_AERON = "p50VsAeron";
    /** p99 over Aeron IPC's p99 (round trips). */
    public static final String P99_VS_AERON = "p99VsAeron";
    /** p99.9 over Aeron IPC's p99.9 (round trips). */
    public static final String P999_VS_AERON = "p999VsAeron";
    /** p50 over shmbus busy-spin's p50 (round trips of the other shmbus wait strategies). */
    public static final String P50_VS_BUSY_SPIN = "p50VsBusySpin";
    /** Rate over Aeron IPC exclusive's rate (one-way 1 -> 1 and fan-out). */
    public static final String RATE_VS_AERON_EXCLUSIVE = "rateVsAeronExclusive";
    /** Rate over Aeron IPC concurrent's rate (fan-in, where publishers share a publication). */
    public static final String RATE_VS_AERON_CONCURRENT = "rateVsAeronConcurrent";
    /** Journal append rate over Chronicle Queue's in the same round, at the same size. */
    public static final String APPEND_VS_CHRONICLE = "appendVsChronicle";
    /** Journal replay rate over Chronicle Queue's tailer in the same round, at the same size. */
    public static final String REPLAY_VS_CHRONICLE = "replayVsChronicle";
    /** Rate over raw Aeron UDP's rate (cross-host one-way runs). */
    public static final String RATE_VS_AERON_UDP = "rateVsAeronUdp";
    /** p50 over raw Aeron UDP's p50 (cross-host round trips). */
    public static final String P50_VS_AERON_UDP = "p50VsAeronUdp";
    /** p99 over raw Aeron UDP's p99 (cross-host round trips). */
    public static final String P99_VS_AERON_UDP = "p99VsAeronUdp";
    /** Trading: tick-to-order p50 over Aeron IPC's in the same round. */
    public static final String TICK_TO_ORDER_P50_VS_AERON = "tickToOrderP50VsAeron";
    /** Trading: tick-to-order p99 over Aeron IPC's in the same round. */
    public static final String TICK_TO_ORDER_P99_VS_AERON = "tickToOrderP99VsAeron";
    /** Trading: order-to-report p50 over Aeron IPC's in the same round. */
    public static final String ORDER_TO_REPORT_P50_VS_AERON = "orderToReportP50VsAeron";
    /** Stall: the timed publishers' rate with one publisher stopped mid-round over their rate without the stop. */
    public static final String RATE_VS_NO_STOP = "rateVsNoStop";
    /** Trading: order-to-report p99 over Aeron IPC's in the same round. */
    public static final String ORDER_TO_REPORT_P99_VS_AERON = "orderToReportP99VsAeron";

    /**
     * A ratio: the row's figure over the same figure of the reference transport in the same round.
     *
     * @param name      the ratio's key in a row's "ratios".
     * @param scenario  the scenario it applies to.
     * @param reference the reference transport id.
     * @param figure    the figure's key.
     * @param prefix    only rows whose transport id starts with this (empty: every row).
     */
    private record Ratio(String name, String scenario, String reference, String figure, String prefix)
    {
    }

    private static final List<Ratio> RATIOS = List.of(
        new Ratio(P50_VS_FLOOR, "round-trip", "floor", "p50Ns", ""),
        new Ratio(P50_VS_AERON, "round-trip", "aeron", "p50Ns", ""),
        new Ratio(P99_VS_AERON, "round-trip", "aeron", "p99Ns", ""),
        new Ratio(P999_VS_AERON, "round-trip", "aeron", "p999Ns", ""),
        new Ratio(P50_VS_BUSY_SPIN, "round-trip", "shmbus-spin", "p50Ns", "shmbus-"),
        new Ratio(RATE_VS_AERON_EXCLUSIVE, "throughput-1to1", "aeron-exclusive", "msgsPerSec", ""),
        new Ratio(RATE_VS_AERON_EXCLUSIVE, "fan-out-1to3", "aeron-exclusive", "msgsPerSec", ""),
        new Ratio(RATE_VS_AERON_CONCURRENT, "fan-in-3to1", "aeron-concurrent", "msgsPerSec", ""),
        new Ratio(APPEND_VS_CHRONICLE, "journal", "chronicle-queue", "appendMsgsPerSec", "journal"),
        new Ratio(REPLAY_VS_CHRONICLE, "journal", "chronicle-queue", "replayMsgsPerSec", "journal"),
        new Ratio(RATE_VS_AERON_UDP, "udp-throughput-1to1", "aeron-udp", "msgsPerSec", ""),
        new Ratio(P50_VS_AERON_UDP, "udp-round-trip", "aeron-udp", "p50Ns", ""),
        new Ratio(P99_VS_AERON_UDP, "udp-round-trip", "aeron-udp", "p99Ns", ""),
        new Ratio(TICK_TO_ORDER_P50_VS_AERON, "trading", "trading-aeron", "tickToOrderP50Ns", ""),
        new Ratio(TICK_TO_ORDER_P99_VS_AERON, "trading", "trading-aeron", "tickToOrderP99Ns", ""),
        new Ratio(ORDER_TO_REPORT_P50_VS_AERON, "trading", "trading-aeron", "orderToReportP50Ns", ""),
        new Ratio(ORDER_TO_REPORT_P99_VS_AERON, "trading", "trading-aeron", "orderToReportP99Ns", ""),
        new Ratio(RATE_VS_NO_STOP, "stall", "stall-none", "msgsPerSec", "stall-stopped"));

    /** Row keys that describe a run rather than measure it. */
    private static final List<String> NOT_FIGURES = List.of("round", "sizeBytes");

    private Rounds()
    {
    }

    /**
     * Puts a "ratios" map into every row: each ratio that applies to its scenario and whose reference ran
     * without error in the same round at the same size.
     *
     * @param rows the result rows of every round (each with "round", "scenario", "transport", "sizeBytes").
     */
    public static void putRatios(final List<Map<String, Object>> rows)
    {
        for (final Map<String, Object> row : rows)
        {
            final Map<String, Object> ratios = new LinkedHashMap<>();
            if (null == row.get("error"))
            {
                for (final Ratio ratio : RATIOS)
                {
                    if (!ratio.scenario().equals(row.get("scenario")) ||
                        !String.valueOf(row.get("transport")).startsWith(ratio.prefix()))
                    {
                        continue;
                    }
                    final Map<String, Object> reference = find(rows, row, ratio.reference());
                    final Double value = null == reference ? null : divide(row.get(ratio.figure()), reference.get(ratio.figure()));
                    if (null != value)
                    {
                        ratios.put(ratio.name(), value);
                    }
                }
            }
            row.put("ratios", ratios);
        }
        NetworkFigures.putDifferences(rows);
    }

    private static Map<String, Object> find(
        final List<Map<String, Object>> rows, final Map<String, Object> row, final String transport)
    {
        for (final Map<String, Object> r : rows)
        {
            if (transport.equals(r.get("transport")) && Objects.equals(r.get("scenario"), row.get("scenario")) &&
                num(r.get("round")) == num(row.get("round")) && num(r.get("sizeBytes")) == num(row.get("sizeBytes")) &&
                null == r.get("error"))
            {
                return r;
            }
        }
        return null;
    }

    private static Double divide(final Object value, final Object reference)
    {
        if (!(value instanceof Number v) || !(reference instanceof Number r) || r.doubleValue() <= 0)
        {
            return null;
        }
        return v.doubleValue() / r.doubleValue();
    }

    /**
     * One entry per scenario, transport and size (in the order they first ran), summarising its rounds:
     * "rounds" and "failedRounds"; "median", "min" and "max" of every figure over the rounds without error;
     * "ratios" with the median, min and max of each ratio over the rounds that have it; and "hgrm", the
     * histogram of the round whose p50 is the median (the lower middle one for an even count).
     *
     * @param rows the result rows of every round, with their ratios ({@link #putRatios(List)}).
     * @return the entries.
     */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> aggregate(final List<Map<String, Object>> rows)
    {
        final Map<String, List<Map<String, Object>>> groups = new LinkedHashMap<>();
        for (final Map<String, Object> row : rows)
        {
            groups.computeIfAbsent(row.get("scenario") + "|" + row.get("transport") + "|" + row.get("sizeBytes"),
                k -> new ArrayList<>()).add(row);
        }
        final List<Map<String, Object>> entries = new ArrayList<>();
        for (final List<Map<String, Object>> group : groups.values())
        {
            final Map<String, Object> first = group.get(0);
            final List<Map<String, Object>> ok = group.stream().filter(r -> null == r.get("error")).toList();
            final Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("scenario", first.get("scenario"));
            entry.put("transport", first.get("transport"));
            entry.put("label", first.get("label"));
            entry.put("sizeBytes", first.get("sizeBytes"));
            entry.put("placement", first.get("placement"));
            entry.put("rounds", group.size());
            entry.put("failedRounds", group.size() - ok.size());
            final Map<String, Object> median = new LinkedHashMap<>();
            final Map<String, Object> min = new LinkedHashMap<>();
            final Map<String, Object> max = new LinkedHashMap<>();
            for (final String key : figureKeys(ok))
            {
                final double[] values = values(ok, key);
                if (values.length > 0)
                {
                    median.put(key, median(values));
                    min.put(key, values[0]);
                    max.put(key, values[values.length - 1]);
                }
            }
            entry.put("median", median);
            entry.put("min", min);
            entry.put("max", max);
            final Map<String, Object> ratios = new LinkedHashMap<>();
            for (final Map<String, Object> r : ok)
            {
                for (final String name : ((Map<String, Object>)r.getOrDefault("ratios", Map.of())).keySet())
                {
                    ratios.computeIfAbsent(name, n -> spread(ok.stream()
                        .map(o -> ((Map<String, Object>)o.getOrDefault("ratios", Map.of())).get(n)).toList()));
                }
            }
            entry.put("ratios", ratios);
            entry.put("hgrm", medianRound(ok, ok.stream().anyMatch(r -> r.containsKey("tickToOrderP50Ns")) ?
                "tickToOrderP50Ns" : "p50Ns", "hgrm"));
            entry.put("error", ok.isEmpty() ? first.get("error") : null);
            entries.add(entry);
        }
        return entries;
    }

    /**
     * @param values numbers (nulls and non-numbers skipped).
     * @return "median", "min", "max" and "rounds" (how many values), or null when there is no value.
     */
    public static Map<String, Object> spread(final List<?> values)
    {
        final double[] v = values.stream().filter(o -> o instanceof Number).mapToDouble(o -> ((Number)o).doubleValue())
            .sorted().toArray();
        if (v.length == 0)
        {
            return null;
        }
        final Map<String, Object> s = new LinkedHashMap<>();
        s.put("median", median(v));
        s.put("min", v[0]);
        s.put("max", v[v.length - 1]);
        s.put("rounds", v.length);
        return s;
    }

    /**
     * @param sorted values in ascending order, at least one.
     * @return the middle one, or the mean of the two middle ones.
     */
    static double median(final double[] sorted)
    {
        final int n = sorted.length;
        return (n & 1) == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * Row-shaped medians, for tables and charts: scenario, transport, label, size and placement, every figure's
     * median, and the histogram of the median round.
     *
     * @param entries the entries of {@link #aggregate(List)}.
     * @return one row per entry.
     */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> medianRows(final List<Map<String, Object>> entries)
    {
        final List<Map<String, Object>> rows = new ArrayList<>();
        for (final Map<String, Object> e : entries)
        {
            final Map<String, Object> row = new LinkedHashMap<>();
            for (final String key : List.of("scenario", "transport", "label", "sizeBytes", "placement"))
            {
                row.put(key, e.get(key));
            }
            row.putAll((Map<String, Object>)e.get("median"));
            row.put("hgrm", e.get("hgrm"));
            row.put("error", e.get("error"));
            rows.add(row);
        }
        return rows;
    }

    private static List<String> figureKeys(final List<Map<String, Object>> rows)
    {
        final List<String> keys = new ArrayList<>();
        for (final Map<String, Object> r : rows)
        {
            r.forEach((k, v) ->
            {
                if (v instanceof Number && !NOT_FIGURES.contains(k) && !keys.contains(k))
                {
                    keys.add(k);
                }
            });
        }
        return keys;
    }

    private static double[] values(final List<Map<String, Object>> rows, final String key)
    {
        return rows.stream().map(r -> r.get(key)).filter(o -> o instanceof Number)
            .mapToDouble(o -> ((Number)o).doubleValue()).sorted().toArray();
    }

    private static Object medianRound(final List<Map<String, Object>> rows, final String key, final String field)
    {
        final List<Map<String, Object>> with = new ArrayList<>(rows.stream()
            .filter(r -> r.get(key) instanceof Number && null != r.get(field)).toList());
        if (with.isEmpty())
        {
            return null;
        }
        with.sort((a, b) -> Double.compare(((Number)a.get(key)).doubleValue(), ((Number)b.get(key)).doubleValue()));
        return with.get((with.size() - 1) / 2).get(field);
    }

    private static long num(final Object o)
    {
        return o instanceof Number n ? n.longValue() : Long.MIN_VALUE;
    }
}
