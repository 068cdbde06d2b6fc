package io.shmbus.bench.report;

import io.shmbus.examples.trading.sbe.MessageHeaderEncoder;
import io.shmbus.examples.trading.sbe.QuoteEncoder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The performance goals, judged on the median across rounds of a per-round value: a ratio taken within the
 * round (against Aeron, the floor or busy spin), or a figure (idle CPU, bytes allocated per message). Each
 * goal also reports the per-round values and their range, so that a median that meets a goal in some rounds
 * and misses it in others shows as such.
 */
public final class Goals
{
    /** Comparison of a goal whose figure has no threshold in one run (it is compared with earlier runs). */
    public static final String REPORTED = "reported";
    /** The size of the trading rows: a quote's length on the wire. */
    private static final int TRADING_SIZE = MessageHeaderEncoder.ENCODED_LENGTH + QuoteEncoder.BLOCK_LENGTH;

    /**
     * One goal.
     *
     * @param goal       what is wanted, as the table says it.
     * @param scenario   the scenario of the row measured.
     * @param transport  the transport of the row measured.
     * @param size       its message size.
     * @param ratio      the ratio's name ({@link Rounds}), or null for a figure.
     * @param figures    the figures (the largest of them in each round), when not a ratio.
     * @param comparison "&gt;=", "&lt;=", "&lt;" or {@link #REPORTED}.
     * @param threshold  the bound.
     */
    private record Goal(
        String goal,
        String scenario,
        String transport,
        int size,
        String ratio,
        List<String> figures,
        String comparison,
        double threshold)
    {
    }

    private static final List<Goal> GOALS = List.of(
        ratio("32 B throughput 1 -> 1 at least 1.5x Aeron exclusive (shmbus exclusive)",
            "throughput-1to1", "shmbus-exclusive", 32, Rounds.RATE_VS_AERON_EXCLUSIVE, ">=", 1.5),
        ratio("256 B throughput 1 -> 1 at least Aeron exclusive (shmbus exclusive)",
            "throughput-1to1", "shmbus-exclusive", 256, Rounds.RATE_VS_AERON_EXCLUSIVE, ">=", 1.0),
        ratio("fan-out 1 -> 3 (32 B, slowest consumer) at least Aeron exclusive",
            "fan-out-1to3", "shmbus-exclusive", 32, Rounds.RATE_VS_AERON_EXCLUSIVE, ">=", 1.0),
        ratio("fan-in 3 -> 1 (32 B, shared publishers) at least Aeron concurrent",
            "fan-in-3to1", "shmbus-shared", 32, Rounds.RATE_VS_AERON_CONCURRENT, ">=", 1.0),
        ratio("round trip p50 (32 B, busy spin) at most 1.05x the floor",
            "round-trip", "shmbus-spin", 32, Rounds.P50_VS_FLOOR, "<=", 1.05),
        ratio("round trip p50 (32 B, busy spin) at most Aeron's",
            "round-trip", "shmbus-spin", 32, Rounds.P50_VS_AERON, "<=", 1.0),
        ratio("round trip p99 (32 B, busy spin) below Aeron's",
            "round-trip", "shmbus-spin", 32, Rounds.P99_VS_AERON, "<", 1.0),
        ratio("spin-then-futex round trip p50 (32 B) within 1.1x busy spin",
            "round-trip", "shmbus-spin-futex", 32, Rounds.P50_VS_BUSY_SPIN, "<=", 1.1),
        figure("idle CPU of a blocked subscriber under 1 % (spin-then-futex, whole JVM, /proc)",
            "idle-cpu", "shmbus-spin-futex", List.of("idleCpuPercentProcess"), "<", 1.0),
        figure("idle CPU of a blocked subscriber under 1 % (pure futex, whole JVM, /proc)",
            "idle-cpu", "shmbus-futex", List.of("idleCpuPercentProcess"), "<", 1.0),
        figure("0 B allocated per message: under 1 B/msg (shmbus exclusive; publisher or subscriber, the larger)",
            "allocation", "shmbus-exclusive", List.of("senderAllocBytesPerMsg", "receiverAllocBytesPerMsg"), "<", 1.0),
        figure("0 B allocated per message: under 1 B/msg (shmbus shared; publisher or subscriber, the larger)",
            "allocation", "shmbus-shared", List.of("senderAllocBytesPerMsg", "receiverAllocBytesPerMsg"), "<", 1.0),
        figure("0 B allocated per message: under 1 B/msg (spin-then-futex; publisher or subscriber, the larger)",
            "allocation", "shmbus-spin-futex", List.of("senderAllocBytesPerMsg", "receiverAllocBytesPerMsg"), "<", 1.0),
        figure("pure-futex round trip p50 (32 B) no worse than before (compare with the previous run)",
            "round-trip", "shmbus-futex", List.of("p50Ns"), REPORTED, 0),
        ratio("journal append (32 B) at least Chronicle Queue's (JournalWriter / ExcerptAppender, msgs/s)",
            "journal", "journal", 32, Rounds.APPEND_VS_CHRONICLE, ">=", 1.0),
        ratio("journal append (1 KiB) at least Chronicle Queue's (JournalWriter / ExcerptAppender, msgs/s)",
            "journal", "journal", 1024, Rounds.APPEND_VS_CHRONICLE, ">=", 1.0),
        figure("recorder keeps up with a full-rate 1 -> 1 publisher (32 B): no back-pressured offers",
            "journal", "journal-recorder", List.of("backPressuredOffers"), "<", 1.0),
        figureAt("journal replay resident memory bounded (1 KiB): peak VmRSS growth at most 3 mapping windows",
            "journal", "journal-replay-rss", 1024, List.of("rssGrowthOverWindow"), "<=", 3.0),
        ratio("cross-host throughput (32 B): shmbus over Aeron UDP within 1.1x raw Aeron UDP (rate at least 1/1.1)",
            "udp-throughput-1to1", "shmbus-aeron-udp", 32, Rounds.RATE_VS_AERON_UDP, ">=", 1 / 1.1),
        ratio("cross-host throughput (256 B): shmbus over Aeron UDP within 1.1x raw Aeron UDP (rate at least 1/1.1)",
            "udp-throughput-1to1", "shmbus-aeron-udp", 256, Rounds.RATE_VS_AERON_UDP, ">=", 1 / 1.1),
        figureAt("cross-host round trip p50 (32 B): shmbus over Aeron UDP within 1 µs of raw Aeron UDP",
            "udp-round-trip", "shmbus-aeron-udp", 32, List.of(NetworkFigures.P50_OVER_AERON_UDP), "<=", 1_000),
        figureAt("cross-host round trip p50 (256 B): shmbus over Aeron UDP within 1 µs of raw Aeron UDP",
            "udp-round-trip", "shmbus-aeron-udp", 256, List.of(NetworkFigures.P50_OVER_AERON_UDP), "<=", 1_000),
        ratio("cross-host throughput (32 B): bridged path (shm, bridge, UDP, bridge, shm) at least 0.8x raw Aeron UDP",
            "udp-throughput-1to1", "shmbus-bridge-udp", 32, Rounds.RATE_VS_AERON_UDP, ">=", 0.8),
        ratio("cross-host throughput (256 B): bridged path (shm, bridge, UDP, bridge, shm) at least 0.8x raw Aeron UDP",
            "udp-throughput-1to1", "shmbus-bridge-udp", 256, Rounds.RATE_VS_AERON_UDP, ">=", 0.8),
        figure("0 B allocated per message across hosts: under 1 B/msg (shmbus over Aeron UDP, 32 B one-way; " +
            "publisher or subscriber, the larger)", "udp-throughput-1to1", "shmbus-aeron-udp",
            List.of("senderAllocBytesPerMsg", "receiverAllocBytesPerMsg"), "<", 1.0),
        figure("0 B allocated per message across hosts: under 1 B/msg (bridged path, 32 B one-way; publisher, " +
            "subscriber, bridge out or bridge in, the largest)", "udp-throughput-1to1", "shmbus-bridge-udp",
            List.of("senderAllocBytesPerMsg", "receiverAllocBytesPerMsg", "bridgeOutAllocBytesPerMsg",
                "bridgeInAllocBytesPerMsg"), "<", 1.0),
        ratio("trading tick-to-order p50 (SBE quote to order at the gateway) below Aeron IPC's",
            "trading", "trading-shmbus", TRADING_SIZE, Rounds.TICK_TO_ORDER_P50_VS_AERON, "<", 1.0),
        ratio("trading tick-to-order p99 (SBE quote to order at the gateway) below Aeron IPC's",
            "trading", "trading-shmbus", TRADING_SIZE, Rounds.TICK_TO_ORDER_P99_VS_AERON, "<", 1.0),
        ratio("stall: with one of 4 shared publishers stopped mid-round, the other 3 publish at least 0.8x their " +
            "rate without the stop (32 B, 64 KiB ring, 4 tethered subscribers)",
            "stall", "stall-stopped", 32, Rounds.RATE_VS_NO_STOP, ">=", 0.8),
        figure("stall: every join (tethered, from the oldest message) succeeds while a publisher is stopped " +
            "mid-round: no failed join, and at least one", "stall", "stall-stopped", List.of("failedJoins"), "<", 1.0));

    private Goals()
    {
    }

    private static Goal ratio(
        final String goal,
        final String scenario,
        final String transport,
        final int size,
        final String ratio,
        final String comparison,
        final double threshold)
    {
        return new Goal(goal, scenario, transport, size, ratio, List.of(), comparison, threshold);
    }

    private static Goal figure(
        final String goal,
        final String scenario,
        final String transport,
        final List<String> figures,
        final String comparison,
        final double threshold)
    {
        return new Goal(goal, scenario, transport, 32, null, figures, comparison, threshold);
    }

    /**
     * @param rows       the result rows of every round, with their ratios ({@link Rounds#putRatios(List)}).
     * @param notVerdict whether the load made this run no verdict: every status says so.
     * @return one entry per goal: the goal, what it measures, the per-round values (by round number), their
     *         median, min, max and count, "met" (true, false, or null when not measured or not judged here)
     *         and "status", a short text.
     */
    private static Goal figureAt(
        final String goal,
        final String scenario,
        final String transport,
        final int size,
        final List<String> figures,
        final String comparison,
        final double threshold)
    {
        return new Goal(goal, scenario, transport, size, null, figures, comparison, threshold);
    }

    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> evaluate(final List<Map<String, Object>> rows, final boolean notVerdict)
    {
        final List<Map<String, Object>> entries = new ArrayList<>();
        for (final Goal g : GOALS)
        {
            final Map<String, Object> perRound = new LinkedHashMap<>();
            String rowNotVerdict = null; // a row can be no verdict by itself (the cross-host runs in short windows)
            for (final Map<String, Object> r : rows)
            {
                if (!g.scenario().equals(r.get("scenario")) || !g.transport().equals(r.get("transport")) ||
                    SummaryMarkdown.num(r.get("sizeBytes")).intValue() != g.size() || null != r.get("error"))
                {
                    continue;
                }
                if (Boolean.TRUE.equals(r.get("notAVerdict")))
                {
                    rowNotVerdict = String.valueOf(r.get("notAVerdictReason"));
                }
                final Double value = null != g.ratio() ?
                    asDouble(((Map<String, Object>)r.getOrDefault("ratios", Map.of())).get(g.ratio())) : largest(r, g.figures());
                if (null != value)
                {
                    perRound.put(String.valueOf(r.get("round")), value);
                }
            }
            final Map<String, Object> e = new LinkedHashMap<>();
            e.put("goal", g.goal());
            e.put("scenario", g.scenario());
            e.put("transport", g.transport());
            e.put("sizeBytes", g.size());
            e.put("measure", null != g.ratio() ? g.ratio() : String.join(",", g.figures()));
            e.put("ratio", null != g.ratio());
            e.put("comparison", g.comparison());
            e.put("threshold", REPORTED.equals(g.comparison()) ? null : g.threshold());
            e.put("perRound", perRound);
            final Map<String, Object> spread = Rounds.spread(new ArrayList<>(perRound.values()));
            Boolean met = null;
            String status;
            if (null == spread)
            {
                status = "not measured";
            }
            else
            {
                e.putAll(spread);
                if (REPORTED.equals(g.comparison()))
                {
                    status = "no threshold within one run";
                }
                else
                {
                    met = holds(g, (Double)spread.get("median"));
                    final boolean mixed = holds(g, (Double)spread.get("min")) != holds(g, (Double)spread.get("max"));
                    status = (met ? "met" : "missed") + (mixed ? " (not in every round)" : "");
                }
                if (notVerdict)
                {
                    status += "; not a verdict";
                }
                else if (null != rowNotVerdict)
                {
                    status += "; not a verdict (" + rowNotVerdict + ")";
                }
            }
            e.put("met", met);
            e.put("status", status);
            entries.add(e);
        }
        return entries;
    }

    private static boolean holds(final Goal g, final double value)
    {
        return switch (g.comparison())
        {
            case ">=" -> value >= g.threshold();
            case "<=" -> value <= g.threshold();
            case "<" -> value < g.threshold();
            default -> throw new IllegalStateException("no comparison " + g.comparison());
        };
    }

    private static Double largest(final Map<String, Object> row, final List<String> keys)
    {
        Double largest = null;
        for (final String key : keys)
        {
            final Double v = asDouble(row.get(key));
            if (null != v && (null == largest || v > largest))
            {
                largest = v;
            }
        }
        return largest;
    }

    private static Double asDouble(final Object o)
    {
        return o instanceof Number n ? n.doubleValue() : null;
    }
}
