package io.shmbus.bench.harness;

import io.shmbus.bench.Variant;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.shmbus.bench.Variant.AERON;
import static io.shmbus.bench.Variant.AERON_BACKOFF;
import static io.shmbus.bench.Variant.AERON_CONCURRENT;
import static io.shmbus.bench.Variant.AERON_EXCLUSIVE;
import static io.shmbus.bench.Variant.AGRONA_MANY_TO_ONE;
import static io.shmbus.bench.Variant.AGRONA_RING;
import static io.shmbus.bench.Variant.AGRONA_RING_BACKOFF;
import static io.shmbus.bench.Variant.FLOOR;
import static io.shmbus.bench.Variant.SHMBUS_EXCLUSIVE;
import static io.shmbus.bench.Variant.SHMBUS_FUTEX;
import static io.shmbus.bench.Variant.SHMBUS_SHARED;
import static io.shmbus.bench.Variant.SHMBUS_SPIN;
import static io.shmbus.bench.Variant.SHMBUS_SPIN_FUTEX;
import static io.shmbus.bench.Variant.SHMBUS_SPIN_WAIT;
import static io.shmbus.bench.Variant.TCP;
import static io.shmbus.bench.Variant.UDS;

/**
 * Which measurements a mode makes, in order. Within a scenario the competing transports run back to back.
 */
public final class Plan
{
    /** Message sizes of the round trips. */
    public static final int[] RTT_SIZES = {32, 256, 4096};
    /** Message sizes of the one-way runs. */
    public static final int[] THROUGHPUT_SIZES = {32, 256, 4096, 65536};

    private Plan()
    {
    }

    /**
     * @param mode      the mode.
     * @param scenarios the scenarios to keep (empty: all).
     * @param variants  the variant ids to keep (empty: all).
     * @return the runs.
     */
    public static List<Run> runs(final Mode mode, final Set<String> scenarios, final Set<String> variants)
    {
        return runs(mode, scenarios, variants, Set.of());
    }

    /**
     * @param mode      the mode.
     * @param scenarios the scenarios to keep (empty: all).
     * @param variants  the variant ids to keep (empty: all).
     * @param sizes     message sizes: replace the planned round-trip and one-way sizes (empty: as planned).
     * @return the runs.
     */
    public static List<Run> runs(
        final Mode mode, final Set<String> scenarios, final Set<String> variants, final Set<Integer> sizes)
    {
        final int[] rttSizes = sizes.isEmpty() ? RTT_SIZES : sizes.stream().mapToInt(Integer::intValue).toArray();
        final int[] oneWaySizes = sizes.isEmpty() ? THROUGHPUT_SIZES : rttSizes;
        final List<Run> runs = new ArrayList<>();
        final boolean smoke = mode.smoke();
        for (final int size : smoke ? new int[]{32} : rttSizes)
        {
            final List<Variant> rtt = smoke ? List.of(FLOOR, SHMBUS_SPIN, SHMBUS_FUTEX, UDS) : size == rttSizes[0] ?
                List.of(FLOOR, SHMBUS_SPIN, SHMBUS_SPIN_WAIT, SHMBUS_SPIN_FUTEX, SHMBUS_FUTEX, AERON, AGRONA_RING, UDS, TCP) :
                List.of(SHMBUS_SPIN, SHMBUS_SPIN_WAIT, SHMBUS_SPIN_FUTEX, SHMBUS_FUTEX, AERON, AGRONA_RING, UDS, TCP);
            for (final Variant v : rtt)
            {
                runs.add(new Run(Run.RTT, v, size, spins(v) ? Run.SPLIT : -1));
            }
        }
        if (!smoke)
        {
            add(runs, Run.RTT_ONE_CPU, List.of(SHMBUS_FUTEX, UDS, TCP), 32, 0);
        }
        for (final int size : smoke ? new int[]{32} : oneWaySizes)
        {
            add(runs, Run.THROUGHPUT, smoke ? List.of(SHMBUS_EXCLUSIVE, AGRONA_RING) :
                List.of(SHMBUS_EXCLUSIVE, SHMBUS_SHARED, AERON_EXCLUSIVE, AERON_CONCURRENT, AGRONA_RING), size, Run.SPLIT);
        }
        add(runs, Run.FAN_OUT, List.of(SHMBUS_EXCLUSIVE, AERON_EXCLUSIVE), 32, -1);
        add(runs, Run.FAN_IN, smoke ? List.of(SHMBUS_SHARED, AGRONA_MANY_TO_ONE) :
            List.of(SHMBUS_SHARED, AERON_CONCURRENT, AGRONA_MANY_TO_ONE), 32, -1);
        add(runs, Run.IDLE, smoke ? List.of(SHMBUS_SPIN_FUTEX, UDS) :
            List.of(SHMBUS_SPIN_FUTEX, SHMBUS_FUTEX, AERON_BACKOFF, AGRONA_RING_BACKOFF, UDS), 32, -1);
        add(runs, Run.ALLOCATION, smoke ? List.of(SHMBUS_EXCLUSIVE, AGRONA_RING) :
            List.of(SHMBUS_EXCLUSIVE, SHMBUS_SHARED, SHMBUS_SPIN_FUTEX, AERON_EXCLUSIVE, AGRONA_RING), 32, Run.SPLIT);
        if (mode == Mode.QUICK)
        {
            runs.removeIf(Plan::notInQuick);
        }
        runs.removeIf(r -> !sizes.isEmpty() && !sizes.contains(r.size()));
        runs.removeIf(r -> !scenarios.isEmpty() && !scenarios.contains(r.scenario()) ||
            !variants.isEmpty() && !variants.contains(r.variant().id()));
        return runs;
    }

    /**
     * Two spinning sides must not share a CPU (each would wait for the other's time slice), and the scheduler
     * may put them on one when other work runs: they are pinned to one CPU each.
     */
    private static boolean spins(final Variant v)
    {
        return v != SHMBUS_FUTEX && v != UDS && v != TCP;
    }

    /**
     * Quick mode keeps every scenario and every transport at 32 B, and only the main rows at other sizes, so
     * that it ends within three minutes (each run starts two to four JVMs).
     */
    private static boolean notInQuick(final Run r)
    {
        final Variant v = r.variant();
        return switch (r.scenario())
        {
            case Run.RTT -> r.size() == 256 ||
                r.size() == 4096 && v != SHMBUS_SPIN && v != AERON && v != UDS;
            case Run.RTT_ONE_CPU -> v == TCP;
            case Run.THROUGHPUT -> r.size() == 256 || r.size() == 4096 ||
                r.size() == 65536 && (v == SHMBUS_SHARED || v == AERON_CONCURRENT);
            case Run.IDLE -> v == SHMBUS_FUTEX;
            case Run.ALLOCATION -> v != SHMBUS_EXCLUSIVE && v != AGRONA_RING;
            default -> false;
        };
    }

    private static void add(final List<Run> runs, final String scenario, final List<Variant> variants, final int size,
        final int pinCpu)
    {
        for (final Variant variant : variants)
        {
            runs.add(new Run(scenario, variant, size, pinCpu));
        }
    }

    /**
     * @return every scenario name.
     */
    public static List<String> scenarios()
    {
        return List.of(Run.RTT, Run.RTT_ONE_CPU, Run.THROUGHPUT, Run.FAN_OUT, Run.FAN_IN, Run.IDLE, Run.ALLOCATION);
    }
}
