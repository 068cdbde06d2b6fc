package io.shmbus.bench.harness;

import io.shmbus.bench.Variant;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.shmbus.bench.Variant.AERON;
import static io.shmbus.bench.Variant.AERON_BACKOFF;
import static io.shmbus.bench.Variant.AERON_CONCURRENT;
import static io.shmbus.bench.Variant.AERON_EXCLUSIVE;
import static io.shmbus.bench.Variant.AGRONA_MANY_TO_ONE;
import static io.shmbus.bench.Variant.AGRONA_RING;
import static io.shmbus.bench.Variant.AGRONA_RING_BACKOFF;
import static io.shmbus.bench.Variant.CHRONICLE;
import static io.shmbus.bench.Variant.FLOOR;
import static io.shmbus.bench.Variant.JOURNAL;
import static io.shmbus.bench.Variant.JOURNAL_RECORDER;
import static io.shmbus.bench.Variant.JOURNAL_REPLAY_RSS;
import static io.shmbus.bench.Variant.SHMBUS_EXCLUSIVE;
import static io.shmbus.bench.Variant.SHMBUS_FUTEX;
import static io.shmbus.bench.Variant.SHMBUS_SHARED;
import static io.shmbus.bench.Variant.SHMBUS_SPIN;
import static io.shmbus.bench.Variant.SHMBUS_SPIN_FUTEX;
import static io.shmbus.bench.Variant.SHMBUS_SPIN_WAIT;
import static io.shmbus.bench.Variant.STALL_NONE;
import static io.shmbus.bench.Variant.STALL_STOPPED;
import static io.shmbus.bench.Variant.TCP;
import static io.shmbus.bench.Variant.TRADING_AERON;
import static io.shmbus.bench.Variant.TRADING_SHMBUS;
import static io.shmbus.bench.Variant.UDS;

/**
 * Which measurements a mode makes, and in which order ({@link #schedule(List, int)}): scenario by scenario,
 * each in rounds; a round runs every transport of the scenario once at each size, back to back, and the next
 * round runs them in a rotated order, so that no transport always runs first or last (after a JVM start-up
 * storm, or as the machine drifts).
 */
public final class Plan
{
    /** Message sizes of the round trips. */
    public static final int[] RTT_SIZES = {32, 256, 4096};
    /** Message sizes of the one-way runs. */
    public static final int[] THROUGHPUT_SIZES = {32, 256, 4096, 65536};
    /** Message sizes of the journal's append and replay runs. */
    public static final int[] JOURNAL_SIZES = {32, 1024};

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
     * @param requested the scenarios to keep (empty: all but the cross-host ones; {@link NetworkPlan#GROUP}
     *                  stands for both of those).
     * @param variants  the variant ids to keep (empty: all).
     * @param sizes     message sizes: replace the planned round-trip and one-way sizes (empty: as planned).
     * @return the runs.
     */
    public static List<Run> runs(
        final Mode mode, final Set<String> requested, final Set<String> variants, final Set<Integer> sizes)
    {
        final Set<String> scenarios = NetworkPlan.expand(requested);
        final int[] rttSizes = sizes.isEmpty() ? RTT_SIZES : sizes.stream().mapToInt(Integer::intValue).toArray();
        final int[] oneWaySizes = sizes.isEmpty() ? THROUGHPUT_SIZES : rttSizes;
        final List<Run> runs = new ArrayList<>();
        final boolean smoke = mode.smoke();
        for (final int size : smoke ? new int[]{32} : rttSizes)
        {
            // The floor runs at every size: each round's ratios to it are taken at the same size, in the same minutes.
            final List<Variant> rtt = smoke ? List.of(FLOOR, SHMBUS_SPIN, SHMBUS_FUTEX, UDS) :
                List.of(FLOOR, SHMBUS_SPIN, SHMBUS_SPIN_WAIT, SHMBUS_SPIN_FUTEX, SHMBUS_FUTEX, AERON, AGRONA_RING, UDS, TCP);
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
        // The journal runs write to disk: a smoke run of everything leaves them out, unless they are asked for.
        if (!smoke || scenarios.contains(Run.JOURNAL))
        {
            for (final int size : JOURNAL_SIZES)
            {
                add(runs, Run.JOURNAL, List.of(JOURNAL, CHRONICLE), size, -1);
            }
            add(runs, Run.JOURNAL, List.of(JOURNAL_RECORDER), 32, Run.SPLIT);
            add(runs, Run.JOURNAL, List.of(JOURNAL_REPLAY_RSS), 1024, -1);
        }
        // Four or more JVMs a run: like the journal, a smoke run of everything leaves it out unless asked for.
        if (!smoke || scenarios.contains(Run.TRADING))
        {
            add(runs, Run.TRADING, List.of(TRADING_SHMBUS, TRADING_AERON), TradingSettings.QUOTE_LENGTH, -1);
        }
        // Nine JVMs a run, one of them stopped: like trading, a smoke run of everything leaves it out unless asked for.
        if (!smoke || scenarios.contains(Run.STALL))
        {
            add(runs, Run.STALL, List.of(STALL_NONE, STALL_STOPPED), StallRunner.SIZE, -1);
        }
        if (mode == Mode.QUICK)
        {
            runs.removeIf(Plan::notInQuick);
        }
        runs.addAll(NetworkPlan.runs(mode, scenarios)); // only when named: they make namespaces and links
        runs.removeIf(r -> !sizes.isEmpty() && !sizes.contains(r.size()));
        runs.removeIf(r -> !scenarios.isEmpty() && !scenarios.contains(r.scenario()) ||
            !variants.isEmpty() && !variants.contains(r.variant().id()) && !isFloor(r));
        // The floor stays as the reference of the round trips selected, and goes where no round trip remains
        // (unless it was asked for by name).
        final Set<Integer> roundTripSizes = new HashSet<>();
        for (final Run r : runs)
        {
            if (r.scenario().equals(Run.RTT) && !isFloor(r))
            {
                roundTripSizes.add(r.size());
            }
        }
        runs.removeIf(r -> isFloor(r) && !roundTripSizes.contains(r.size()) && !variants.contains(FLOOR.id()));
        return runs;
    }

    private static boolean isFloor(final Run r)
    {
        return r.variant() == FLOOR && r.scenario().equals(Run.RTT);
    }

    /**
     * The order in which runs are made: scenario by scenario (in plan order); each scenario {@code rounds}
     * times; in round {@code k} (from 0) the transports of each size run in their planned order rotated left
     * by {@code k}.
     *
     * @param runs   the planned runs ({@link #runs(Mode, Set, Set, Set)}).
     * @param rounds how many rounds, at least 1.
     * @return the rounds in execution order; every planned run appears once in each round of its scenario.
     * @throws IllegalArgumentException when rounds is less than 1.
     */
    public static List<Round> schedule(final List<Run> runs, final int rounds)
    {
        if (rounds < 1)
        {
            throw new IllegalArgumentException("rounds must be at least 1, got " + rounds);
        }
        final Map<String, Map<Integer, List<Run>>> byScenario = new LinkedHashMap<>();
        for (final Run run : runs)
        {
            byScenario.computeIfAbsent(run.scenario(), s -> new LinkedHashMap<>())
                .computeIfAbsent(run.size(), s -> new ArrayList<>()).add(run);
        }
        final List<Round> schedule = new ArrayList<>();
        for (final Map.Entry<String, Map<Integer, List<Run>>> scenario : byScenario.entrySet())
        {
            for (int k = 0; k < rounds; k++)
            {
                final List<Run> order = new ArrayList<>();
                for (final List<Run> sameSize : scenario.getValue().values())
                {
                    final int n = sameSize.size();
                    for (int i = 0; i < n; i++)
                    {
                        order.add(sameSize.get((i + k) % n));
                    }
                }
                schedule.add(new Round(scenario.getKey(), k + 1, order));
            }
        }
        return schedule;
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
                r.size() == 4096 && v != FLOOR && v != SHMBUS_SPIN && v != AERON && v != UDS;
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
        return List.of(Run.RTT, Run.RTT_ONE_CPU, Run.THROUGHPUT, Run.FAN_OUT, Run.FAN_IN, Run.IDLE, Run.ALLOCATION,
            Run.JOURNAL, Run.UDP_RTT, Run.UDP_THROUGHPUT, NetworkPlan.GROUP, Run.TRADING, Run.STALL);
    }
}
