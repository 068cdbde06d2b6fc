package io.shmbus.bench.report;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The figures of the cross-host round trips that are differences, not ratios: how many nanoseconds a
 * transport's p50 and p99 are above raw Aeron UDP's in the same round at the same size (a goal is stated in
 * microseconds, not as a factor). They are put into the rows as figures, so that they are aggregated across
 * rounds like every other.
 */
public final class NetworkFigures
{
    /** The cross-host round-trip scenario. */
    public static final String SCENARIO = "udp-round-trip";
    /** The reference transport. */
    public static final String REFERENCE = "aeron-udp";
    /** p50 less raw Aeron UDP's p50, in ns. */
    public static final String P50_OVER_AERON_UDP = "p50OverAeronUdpNs";
    /** p99 less raw Aeron UDP's p99, in ns. */
    public static final String P99_OVER_AERON_UDP = "p99OverAeronUdpNs";

    private NetworkFigures()
    {
    }

    /**
     * @param rows the result rows of every round; those of the cross-host round trips other than the reference
     *             get the two differences, when the reference ran without error in their round at their size.
     */
    public static void putDifferences(final List<Map<String, Object>> rows)
    {
        for (final Map<String, Object> row : rows)
        {
            if (!SCENARIO.equals(row.get("scenario")) || REFERENCE.equals(row.get("transport")) ||
                null != row.get("error"))
            {
                continue;
            }
            final Map<String, Object> reference = reference(rows, row);
            if (null == reference)
            {
                continue;
            }
            put(row, reference, "p50Ns", P50_OVER_AERON_UDP);
            put(row, reference, "p99Ns", P99_OVER_AERON_UDP);
        }
    }

    private static void put(
        final Map<String, Object> row, final Map<String, Object> reference, final String figure, final String name)
    {
        if (row.get(figure) instanceof Number value && reference.get(figure) instanceof Number base)
        {
            row.put(name, value.longValue() - base.longValue());
        }
    }

    private static Map<String, Object> reference(final List<Map<String, Object>> rows, final Map<String, Object> row)
    {
        for (final Map<String, Object> r : rows)
        {
            if (REFERENCE.equals(r.get("transport")) && SCENARIO.equals(r.get("scenario")) &&
                Objects.equals(number(r.get("round")), number(row.get("round"))) &&
                Objects.equals(number(r.get("sizeBytes")), number(row.get("sizeBytes"))) && null == r.get("error"))
            {
                return r;
            }
        }
        return null;
    }

    private static Long number(final Object o)
    {
        return o instanceof Number n ? n.longValue() : null;
    }
}
