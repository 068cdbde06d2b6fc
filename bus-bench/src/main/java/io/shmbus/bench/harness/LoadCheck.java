package io.shmbus.bench.harness;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Whether the machine was quiet enough for the run to be a verdict: the 1-minute load average, read from
 * /proc/loadavg before and after every round, must stay at or under {@link #LIMIT_PER_CPU} per CPU. Above
 * that, other work competes with the measured processes for the CPUs, and the figures measure the
 * scheduler as much as the transports.
 */
final class LoadCheck
{
    /** The highest 1-minute load average per CPU a verdict allows. */
    static final double LIMIT_PER_CPU = 0.5;

    private final Supplier<String> source;
    private final int cpus;
    private final double limit;
    private final List<Map<String, Object>> readings = new ArrayList<>();
    private double highest = Double.NaN;
    private String highestAt;
    private boolean unreadable;

    /**
     * @param source the content of /proc/loadavg ("0.52 0.31 0.20 1/234 5678"), or null when it cannot be read.
     * @param cpus   the CPUs this process may run on.
     */
    LoadCheck(final Supplier<String> source, final int cpus)
    {
        this.source = source;
        this.cpus = cpus;
        this.limit = LIMIT_PER_CPU * cpus;
    }

    /**
     * Read the load now.
     *
     * @param when what is about to start or has just ended, e.g. "before round 2 of round-trip".
     * @return the three load averages ("1.02 0.80 0.51"), or "unknown".
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
        final String averages = Double.isNaN(oneMinute) ? "unknown" : f[0] + " " + f[1] + " " + f[2];
        final Map<String, Object> reading = new LinkedHashMap<>();
        reading.put("when", when);
        reading.put("loadAverage", averages);
        reading.put("load1m", Double.isNaN(oneMinute) ? null : oneMinute);
        reading.put("overLimit", Double.isNaN(oneMinute) || oneMinute > limit);
        readings.add(reading);
        if (Double.isNaN(oneMinute))
        {
            unreadable = true;
        }
        else if (Double.isNaN(highest) || oneMinute > highest)
        {
            highest = oneMinute;
            highestAt = when;
        }
        return averages;
    }

    /**
     * @param averages what {@link #read(String)} returned.
     * @return whether its 1-minute load average is over the limit (or unknown).
     */
    boolean over(final String averages)
    {
        try
        {
            return Double.parseDouble(averages.split(" ")[0]) > limit;
        }
        catch (final NumberFormatException ex)
        {
            return true;
        }
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
        m.put("highest1m", Double.isNaN(highest) ? null : highest);
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
            return String.format(Locale.ROOT, "the 1-minute load average reached %.2f (%s), over the limit of %.2f " +
                "(%.1f per CPU, %d CPUs)", highest, highestAt, limit, LIMIT_PER_CPU, cpus);
        }
        return "the load average could not be read";
    }
}
