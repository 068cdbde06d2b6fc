package io.shmbus.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * An estimate of the harness's own share of the 1-minute load average: the CPUs its process tree (the
 * harness JVM and its child JVMs) kept busy, sampled every second and
 * averaged with the kernel's 1-minute decay. Two spinning child JVMs alone bring the load average of a
 * two-core machine close to 2 within a few minutes; what the load check judges is the rest, the load
 * of other work.
 *
 * <p>A thread that is runnable but waiting for a CPU counts in the load average but uses no CPU time, so
 * when other work preempts the children this estimate is low and the load left to others is, if anything,
 * too high: the check errs on the side of "not a verdict".
 */
final class OwnLoad implements AutoCloseable
{
    /** The load average's time constant, one minute. */
    static final double WINDOW_SECONDS = 60.0;
    private static final long SAMPLE_MS = 1000;
    private static final long NS_PER_TICK = 10_000_000L; // USER_HZ = 100 on Linux x86-64

    private final LongSupplier cpuNs;
    private final LongSupplier clockNs;
    private final int cpus;
    private final Thread sampler;
    private double load;
    private long lastCpuNs;
    private long lastClockNs;
    private volatile boolean closed;

    /**
     * @param cpuNs   CPU time used so far by the process tree, in ns (-1 when it cannot be read).
     * @param clockNs a monotonic clock in ns.
     * @param cpus    the CPUs: the estimate never exceeds them.
     * @param sample  whether to start a daemon thread that samples every second ({@link #sample()} otherwise).
     */
    OwnLoad(final LongSupplier cpuNs, final LongSupplier clockNs, final int cpus, final boolean sample)
    {
        this.cpuNs = cpuNs;
        this.clockNs = clockNs;
        this.cpus = cpus;
        this.lastCpuNs = cpuNs.getAsLong();
        this.lastClockNs = clockNs.getAsLong();
        if (sample)
        {
            sampler = new Thread(this::sampleEverySecond, "own-load");
            sampler.setDaemon(true);
            sampler.start();
        }
        else
        {
            sampler = null;
        }
    }

    /**
     * @param cpus the CPUs.
     * @return an estimate of this process tree's load, sampled every second from /proc.
     */
    static OwnLoad ofThisProcessTree(final int cpus)
    {
        return new OwnLoad(new ProcessTreeCpu(), System::nanoTime, cpus, true);
    }

    private void sampleEverySecond()
    {
        while (!closed)
        {
            try
            {
                Thread.sleep(SAMPLE_MS);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            sample();
        }
    }

    /**
     * Fold the CPU used since the last sample into the average.
     */
    synchronized void sample()
    {
        final long now = clockNs.getAsLong();
        final long cpu = cpuNs.getAsLong();
        final long elapsedNs = now - lastClockNs;
        if (elapsedNs <= 0)
        {
            return;
        }
        final double cores = cpu < 0 || lastCpuNs < 0 ? 0 :
            Math.max(0, Math.min(cpus, (cpu - lastCpuNs) / (double)elapsedNs));
        final double decay = Math.exp(-elapsedNs / 1e9 / WINDOW_SECONDS);
        load = load * decay + cores * (1 - decay);
        lastCpuNs = cpu;
        lastClockNs = now;
    }

    /**
     * @return the estimated share of the 1-minute load average, as of the last sample.
     */
    synchronized double load()
    {
        return load;
    }

    @Override
    public void close()
    {
        closed = true;
        if (null != sampler)
        {
            sampler.interrupt();
            try
            {
                sampler.join(TimeUnit.SECONDS.toMillis(5));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * CPU time of this JVM and of every descendant it has seen, read from /proc. A descendant that is gone
     * keeps the CPU time it had when last seen, so the total never goes back (it misses at most what an
     * exiting child used in its last second).
     */
    static final class ProcessTreeCpu implements LongSupplier
    {
        private final Map<Long, Long> ticksByPid = new HashMap<>();
        private long goneTicks;

        /**
         * @return utime + stime of this JVM and its descendants, in ns; -1 when /proc cannot be read.
         */
        @Override
        public synchronized long getAsLong()
        {
            final long own;
            try
            {
                final String[] self = statFields(Path.of("/proc/self/stat"));
                own = Long.parseLong(self[11]) + Long.parseLong(self[12]); // utime, stime: fields 14, 15 of proc(5)
            }
            catch (final IOException | RuntimeException ex)
            {
                return -1;
            }
            final Map<Long, Long> seen = new HashMap<>();
            for (final ProcessHandle child : ProcessHandle.current().descendants().toList())
            {
                try
                {
                    final String[] f = statFields(Path.of("/proc", Long.toString(child.pid()), "stat"));
                    seen.put(child.pid(), Long.parseLong(f[11]) + Long.parseLong(f[12]));
                }
                catch (final IOException | RuntimeException ex)
                {
                    // gone between the listing and the read: counted below with what it had when last seen
                }
            }
            for (final Map.Entry<Long, Long> e : ticksByPid.entrySet())
            {
                if (!seen.containsKey(e.getKey()))
                {
                    goneTicks += e.getValue();
                }
            }
            ticksByPid.clear();
            ticksByPid.putAll(seen);
            long ticks = own + goneTicks;
            for (final long t : seen.values())
            {
                ticks += t;
            }
            return ticks * NS_PER_TICK;
        }
    }

    private static String[] statFields(final Path stat) throws IOException
    {
        final String text = Files.readString(stat);
        return text.substring(text.lastIndexOf(')') + 2).split(" ");
    }
}
