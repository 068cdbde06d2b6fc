package io.shmbus.bench.harness;

import io.shmbus.bench.Variant;
import io.shmbus.bench.link.UdpChannels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cross-host scenarios in the plan: only when named, the three transports side by side at each size in
 * every round, and the channels and JVM flags that make them.
 */
class NetworkPlanTest
{
    private static List<Run> expected(final String scenario, final int... sizes)
    {
        final List<Run> runs = new ArrayList<>();
        for (final int size : sizes)
        {
            for (final Variant v : List.of(Variant.AERON_UDP, Variant.SHMBUS_AERON_UDP, Variant.SHMBUS_BRIDGE_UDP))
            {
                runs.add(new Run(scenario, v, size, -1));
            }
        }
        return runs;
    }

    @Test
    void theGroupNameSelectsTheRoundTripsAndTheOneWayRunsOfTheThreeTransports()
    {
        assertTrue(Plan.scenarios().containsAll(List.of(Run.UDP_RTT, Run.UDP_THROUGHPUT, NetworkPlan.GROUP)));
        for (final Mode mode : new Mode[]{Mode.QUICK, Mode.FULL})
        {
            final List<Run> runs = Plan.runs(mode, Set.of(NetworkPlan.GROUP), Set.of());
            final List<Run> all = new ArrayList<>(expected(Run.UDP_RTT, 32, 256));
            all.addAll(expected(Run.UDP_THROUGHPUT, 32, 256));
            assertEquals(all, runs, mode.name());
        }
        assertEquals(expected(Run.UDP_RTT, 32), Plan.runs(Mode.SMOKE, Set.of(Run.UDP_RTT), Set.of()));
        assertEquals(expected(Run.UDP_THROUGHPUT, 256), Plan.runs(Mode.QUICK, Set.of("udp"), Set.of(), Set.of(256))
            .stream().filter(r -> r.scenario().equals(Run.UDP_THROUGHPUT)).toList());
    }

    @Test
    void theyRunOnlyWhenNamedAsTheyMakeNamespaces()
    {
        for (final Mode mode : new Mode[]{Mode.SMOKE, Mode.QUICK, Mode.FULL})
        {
            assertTrue(Plan.runs(mode, Set.of(), Set.of()).stream().noneMatch(r -> NetworkPlan.isNetwork(r.scenario())),
                mode.name());
        }
        assertTrue(Plan.runs(Mode.FULL, Set.of(Run.RTT), Set.of()).stream()
            .noneMatch(r -> NetworkPlan.isNetwork(r.scenario())));
    }

    @Test
    void everyRoundRunsTheThreeTransportsAtEachSizeRotated()
    {
        final List<Round> schedule = Plan.schedule(Plan.runs(Mode.QUICK, Set.of("udp"), Set.of()), 3);
        assertEquals(List.of(Run.UDP_RTT, Run.UDP_RTT, Run.UDP_RTT, Run.UDP_THROUGHPUT, Run.UDP_THROUGHPUT,
            Run.UDP_THROUGHPUT), schedule.stream().map(Round::scenario).toList());
        assertEquals(List.of(Variant.SHMBUS_AERON_UDP, Variant.SHMBUS_BRIDGE_UDP, Variant.AERON_UDP),
            schedule.get(1).runs().subList(0, 3).stream().map(Run::variant).toList(), "round 2 rotated by one");
        schedule.forEach(r -> assertEquals(6, r.runs().size()));
    }

    @Test
    void eachStreamGoesToTheSideThatSubscribesAndItsAcksBack()
    {
        assertEquals("aeron:udp?endpoint=10.254.79.2:40701|term-length=4194304", UdpChannels.channel("ping"));
        assertTrue(UdpChannels.channel("pong").contains(UdpChannels.ADDRESS_A + ":"));
        assertTrue(UdpChannels.channel("data").contains(UdpChannels.ADDRESS_B + ":"));
        assertTrue(UdpChannels.ackChannel("ping").contains(UdpChannels.ADDRESS_A + ":"));
        assertTrue(UdpChannels.ackChannel("pong").contains(UdpChannels.ADDRESS_B + ":"));
        final Set<String> channels = Set.of(UdpChannels.channel("ping"), UdpChannels.channel("pong"),
            UdpChannels.channel("data"), UdpChannels.ackChannel("ping"), UdpChannels.ackChannel("pong"),
            UdpChannels.ackChannel("data"));
        assertEquals(6, channels.size(), "a port of its own for every stream");
        assertNotEquals(UdpChannels.streamId("ping"), UdpChannels.streamId("pong"));
    }

    @Test
    void onlyNamesOfTheHarnessSchemeCountAsLeftovers()
    {
        assertTrue(NetnsPair.NAME.matcher("sbbench4194304x999b").matches());
        assertTrue(NetnsPair.NAME.matcher("sbbench42x1a").matches());
        for (final String other : List.of("sbO12345", "sbbench42x1", "sbbench42x1c", "xsbbench42x1a", "sbbenchx1a"))
        {
            assertFalse(NetnsPair.NAME.matcher(other).matches(), other);
        }
        assertThrows(IllegalArgumentException.class, () -> NetnsPair.create("123456789012"), "too long for a link");
    }

    @Test
    void shmbusOverAeronIsTheSameCodeWithTheTransportChosenByConfiguration()
    {
        final List<String> flags = NetworkRunner.variantFlags(Variant.SHMBUS_AERON_UDP);
        assertTrue(flags.contains("-Dshmbus.transport=aeron"), flags.toString());
        assertTrue(flags.contains("-Dshmbus.aeron.channel.ping=" + UdpChannels.channel("ping")), flags.toString());
        assertEquals(List.of(), NetworkRunner.variantFlags(Variant.AERON_UDP));
        assertEquals(List.of(), NetworkRunner.variantFlags(Variant.SHMBUS_BRIDGE_UDP), "shared memory on each side");
        assertEquals(Variant.Family.SHMBUS, Variant.SHMBUS_AERON_UDP.family(), "opened by the shmbus link");
    }

    @Test
    void theChildCommandKeepsTheHarnessFlagsOnceAndItsClassPath()
    {
        final List<String> javaCommand = new ArrayList<>(List.of("java"));
        javaCommand.addAll(Bench.REQUIRED_FLAGS);
        javaCommand.addAll(Bench.CHILD_FLAGS);
        javaCommand.addAll(List.of("-XX:+UnlockDiagnosticVMOptions", "-cp", "a.jar:b.jar"));
        final NetworkRunner runner = new NetworkRunner(Mode.QUICK, java.nio.file.Path.of("out"), javaCommand, 0);
        assertEquals(List.of("--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xms256m", "-Xmx256m",
            "-XX:+UnlockDiagnosticVMOptions"), runner.jvmFlags());
        assertEquals("a.jar:b.jar", runner.classPath());
    }
}
