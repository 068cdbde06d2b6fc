package io.shmbus.bench.harness;

import io.shmbus.bench.Variant;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The cross-host scenarios: two network namespaces joined by a veth pair stand for two hosts, and three
 * transports carry the same messages between them over Aeron UDP, side by side in every round:
 * <ul>
 *     <li>{@link Variant#AERON_UDP}: plain Aeron publications and subscriptions, one embedded media driver per
 *         side;</li>
 *     <li>{@link Variant#SHMBUS_AERON_UDP}: the bus-api code of the shared-memory runs, with the Aeron transport
 *         chosen by configuration (system properties), each side's bus hosting its embedded driver;</li>
 *     <li>{@link Variant#SHMBUS_BRIDGE_UDP}: shared-memory topics on both sides, carried by the bridge's out side
 *         and in side, each in a JVM of its own.</li>
 * </ul>
 * These scenarios make namespaces and links (they need root and iproute2), so they run only when asked for by
 * name ({@link #GROUP} selects both), never as part of "every scenario".
 */
public final class NetworkPlan
{
    /** Selects both cross-host scenarios on the command line. */
    public static final String GROUP = "udp";
    /** Message sizes of the cross-host runs. */
    public static final int[] SIZES = {32, 256};
    /** The transports, in their planned order; the first is the reference of every ratio. */
    public static final List<Variant> TRANSPORTS =
        List.of(Variant.AERON_UDP, Variant.SHMBUS_AERON_UDP, Variant.SHMBUS_BRIDGE_UDP);

    private NetworkPlan()
    {
    }

    /**
     * @param scenarios the scenarios asked for.
     * @return the same, with {@link #GROUP} replaced by the two scenarios it stands for.
     */
    public static Set<String> expand(final Set<String> scenarios)
    {
        if (!scenarios.contains(GROUP))
        {
            return scenarios;
        }
        final Set<String> expanded = new LinkedHashSet<>(scenarios);
        expanded.remove(GROUP);
        expanded.add(Run.UDP_RTT);
        expanded.add(Run.UDP_THROUGHPUT);
        return expanded;
    }

    /**
     * @param mode      the mode (a smoke run measures 32 B only).
     * @param scenarios the scenarios asked for, already {@link #expand(Set) expanded}.
     * @return the cross-host runs of the scenarios named, none when neither is.
     */
    public static List<Run> runs(final Mode mode, final Set<String> scenarios)
    {
        final List<Run> runs = new ArrayList<>();
        for (final String scenario : List.of(Run.UDP_RTT, Run.UDP_THROUGHPUT))
        {
            if (!scenarios.contains(scenario))
            {
                continue;
            }
            for (final int size : mode.smoke() ? new int[]{32} : SIZES)
            {
                for (final Variant variant : TRANSPORTS)
                {
                    // Each side hosts a media driver whose threads must get a CPU: the scheduler places them.
                    runs.add(new Run(scenario, variant, size, -1));
                }
            }
        }
        return runs;
    }

    /**
     * @param scenario a scenario name.
     * @return whether it is one of the cross-host scenarios.
     */
    public static boolean isNetwork(final String scenario)
    {
        return Run.UDP_RTT.equals(scenario) || Run.UDP_THROUGHPUT.equals(scenario);
    }
}
