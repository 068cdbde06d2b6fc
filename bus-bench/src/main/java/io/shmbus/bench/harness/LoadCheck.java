package io.shmbus.bench.harness;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * Whether the machine was quiet enough for the run to be a verdict: the 1-minute load average, read from
 * /proc/loadavg before and after every round, less the harness's own share of it ({@link OwnLoad}), must
 * stay at or under {@link #LIMIT_PER_CPU} per CPU. Above that, other work competes with the measured
 * processes for the CPUs, and the figures measure the scheduler as much as the transports.
 */
final class LoadCheck
{
    /** The highest 1-minute load average per CPU a verdict allows. */
    static final double LIMIT_PER_CPU = 0.5;

    private final Supplier<String> source;
    private final DoubleSupplier ownShare;
    private final int cpus;
    private final double limit;
    private final List<Map<String, Object>> readings = new ArrayList<>();
    private double highest = Double.NaN;
    private String highestAt;
    private boolean unreadable;

    /**
     * @param source   the content of /proc/loadavg ("0.52 0.31 0.20 1/234 5678"), or null when it cannot be read.
     * @param ownShare the harness's own share of the 1-minute load average.
     * @param cpus     the CPUs this process may run on.
     */
    LoadCheck(final Supplier<String> source, final DoubleSupplier ownShare, final int cpus)
    {
        this.source = source;
        this.ownShare = ownShare;
        this.cpus = cpus;
        this.limit = LIMIT_PER_CPU * cpus;
    }

    /**
     * Read the load now.
     *
     * @param when what is about to start or has just ended, e.g. "before round 2 of round-trip".
     * @return the three load averages and the part of the 1-minute one left to other work
     *         ("1.92 0.80 0.51, others 0.12"), or "unknown".
     */
    String read(final String when)
    {
        final String line = source.get();
        final String[] f = null == line ? new String[0] : line.trim().split("\\s+");
        double oneMinute = Double.NaN;
        if (f.length >= 3)
        {
            try
            {
                oneMinute = Double.parseDouble(f[0]);
            }
            catch (final NumberFormatException ex)
            {
                oneMinute = Double.NaN;
            }
        }
        final double own = round2(ownShare.getAsDouble());
        final double others = Double.isNaN(oneMinute) ? Double.NaN : round2(Math.max(0, oneMinute - own));
        final String averages = Double.isNaN(oneMinute) ? "unknown" : String.format(Locale.ROOT,
            "%s %s %s, others %.2f", f[0], f[1], f[2], others);
        final Map<String, Object> reading = new LinkedHashMap<>();
        reading.put("when", when);
        reading.put("loadAverage", Double.isNaN(oneMinute) ? null : f[0] + " " + f[1] + " " + f[2]);
        reading.put("load1m", Double.isNaN(oneMinute) ? null : oneMinute);
        reading.put("ownShare1m", own);
        reading.put("others1m", Double.isNaN(others) ? null : others);
        reading.put("overLimit", Double.isNaN(others) || others > limit);
        readings.add(reading);
        if (Double.isNaN(others))
        {
            unreadable = true;
        }
        else if (Double.isNaN(highest) || others > highest)
        {
            highest = others;
            highestAt = when;
        }
        return averages;
    }

    /**
     * @return whether the last reading was over the limit (or unknown).
     */
    boolean lastOver()
    {
        return readings.isEmpty() || Boolean.TRUE.equals(readings.get(readings.size() - 1).get("overLimit"));
    }

    private static double round2(final double v)
    {
        return Math.round(v * 100) / 100.0;
    }

    /**
     * @return whether any reading was over the limit or could not be read.
     */
    boolean notAVerdict()
    {
        return unreadable || !Double.isNaN(highest) && highest > limit;
    }

    /**
     * @return the limit on the 1-minute load average (per CPU times the CPUs).
     */
    double limit()
    {
        return limit;
    }

    /**
     * @return every reading and the outcome, for summary.json.
     */
    Map<String, Object> describe()
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpus", cpus);
        m.put("limitPerCpu", LIMIT_PER_CPU);
        m.put("limit1m", limit);
        m.put("highestOthers1m", Double.isNaN(highest) ? null : highest);
        m.put("highestAt", highestAt);
        m.put("notAVerdict", notAVerdict());
        m.put("reason", reason());
        m.put("readings", readings);
        return m;
    }

    /**
     * @return why the run is not a verdict, or null when it is one.
     */
    String reason()
    {
        if (!notAVerdict())
        {
            return null;
        }
        if (!Double.isNaN(highest) && highest > limit)
        {
            return String.format(Locale.ROOT, "the 1-minute load average of other work (the load average less the " +
                "harness's own share) reached %.2f (%s), over the limit of %.2f (%.1f per CPU, %d CPUs)", highest,
                highestAt, limit, LIMIT_PER_CPU, cpus);
        }
        return "the load average could not be read";
    }
}
