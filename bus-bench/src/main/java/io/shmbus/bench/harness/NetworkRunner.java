package io.shmbus.bench.harness;

import io.shmbus.BusOptions;
import io.shmbus.aeron.AeronBusProvider;
import io.shmbus.aeron.AeronSettings;
import io.shmbus.bench.Variant;
import io.shmbus.bench.link.UdpChannels;
import io.shmbus.impl.process.ChildJvm;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs one cross-host run ({@link NetworkPlan}): makes a fresh pair of network namespaces ({@link NetnsPair}),
 * starts every child JVM inside its side's namespace ({@code ip netns exec NS java ...}), measures as the
 * shared-memory round trips and one-way runs do (the same child roles), stops the children, and deletes the
 * namespaces, also when the run fails.
 *
 * <p>Side A holds the ping (or producer) JVM, side B the pong (or consumer) JVM; the bridged path adds one
 * bridge JVM on each side. Each side has its own bus and Aeron directories under the run's directory.
 */
final class NetworkRunner
{
    private static final long START_TIMEOUT_MS = 60_000;

    private final Mode mode;
    private final Path resultsDir;
    private final List<String> jvmFlags;
    private final String classPath;
    private final int nice;
    private final String pid = Long.toString(ProcessHandle.current().pid()); // at most 7 digits (pid_max)
    private int sequence;

    /**
     * @param mode        how long to measure.
     * @param resultsDir  where the logs and histograms go.
     * @param javaCommand the harness's child command ({@code java FLAGS -cp CLASSPATH}): its flags beyond
     *                    {@link ChildJvm#REQUIRED_FLAGS} and its class path are kept.
     * @param nice        the children's niceness.
     */
    NetworkRunner(final Mode mode, final Path resultsDir, final List<String> javaCommand, final int nice)
    {
        this.mode = mode;
        this.resultsDir = resultsDir;
        this.nice = nice;
        final int cp = javaCommand.indexOf("-cp");
        if (cp < 1 || cp + 1 >= javaCommand.size())
        {
            throw new IllegalArgumentException("no -cp in the child command " + javaCommand);
        }
        final List<String> flags = new ArrayList<>(ChildJvm.REQUIRED_FLAGS);
        for (final String flag : javaCommand.subList(1, cp))
        {
            if (!ChildJvm.REQUIRED_FLAGS.contains(flag))
            {
                flags.add(flag);
            }
        }
        this.jvmFlags = List.copyOf(flags);
        this.classPath = javaCommand.get(cp + 1);
    }

    /**
     * Delete the namespaces that a harness which is gone left behind (killed with -9, or the machine's power):
     * only names of this harness's scheme whose pid no longer runs.
     */
    private static void removeLeftovers()
    {
        final String listing;
        try
        {
            listing = NetnsPair.run("ip", "netns", "list");
        }
        catch (final BenchException ex)
        {
            return;
        }
        for (final String line : listing.split("\n"))
        {
            final String name = line.trim().split("\s+")[0];
            final java.util.regex.Matcher m = NetnsPair.NAME.matcher(name);
            if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty())
            {
                try
                {
                    NetnsPair.run("ip", "netns", "del", name);
                    System.out.println("bus-bench: deleted network namespace " + name +
                        ", left by a harness that is gone");
                }
                catch (final BenchException ex)
                {
                    System.err.println("bus-bench: " + ex.getMessage());
                }
            }
        }
    }

    /**
     * @param run      a run of {@link Run#UDP_RTT} or {@link Run#UDP_THROUGHPUT}.
     * @param name     its name in file names.
     * @param dir      its directory under /dev/shm (the caller deletes it).
     * @param children where every child started goes (the caller stops them again, whatever happens).
     * @param row      the result row to fill.
     */
    void execute(
        final Run run,
        final String name,
        final Path dir,
        final List<ChildProcess> children,
        final Map<String, Object> row) throws IOException, InterruptedException
    {
        final String unavailable = NetnsPair.unavailableReason();
        if (null != unavailable)
        {
            throw new BenchException(unavailable);
        }
        if (mode != Mode.FULL)
        {
            row.put("notAVerdict", true);
            row.put("notAVerdictReason", mode.name() + " mode: " + mode.measureMs() + " ms windows");
        }
        if (0 == sequence)
        {
            removeLeftovers();
        }
        final String tag = pid + "x" + (++sequence % 1000);
        try (NetnsPair net = NetnsPair.create(tag))
        {
            row.put("namespaces", net.sideA() + "," + net.sideB());
            try
            {
                if (run.scenario().equals(Run.UDP_RTT))
                {
                    roundTrip(run, name, dir, net, children, row);
                }
                else
                {
                    oneWay(run, name, dir, net, children, row);
                }
            }
            finally
            {
                // Stop the JVMs before their namespaces go: a namespace with a process in it outlives its name.
                for (int i = children.size() - 1; i >= 0; i--)
                {
                    children.get(i).quit(20_000);
                    children.get(i).close();
                }
            }
        }
    }

    List<String> jvmFlags()
    {
        return jvmFlags;
    }

    String classPath()
    {
        return classPath;
    }

    // ------------------------------------------------------------------------------------------------ round trip

    private void roundTrip(
        final Run run,
        final String name,
        final Path dir,
        final NetnsPair net,
        final List<ChildProcess> children,
        final Map<String, Object> row) throws IOException, InterruptedException
    {
        final ChildProcess pong = start(run, name, net.sideB(), dir.resolve("b"), "pong", true);
        children.add(pong);
        pong.await("READY", START_TIMEOUT_MS);
        final ChildProcess ping = start(run, name, net.sideA(), dir.resolve("a"), "ping", false, timing(run));
        children.add(ping);
        ping.await("READY", START_TIMEOUT_MS);
        final List<ChildProcess> bridges = run.variant() == Variant.SHMBUS_BRIDGE_UDP ? List.of(
            bridge(run, name, net.sideB(), dir.resolve("b"), "in=ping", "out=pong", children),
            bridge(run, name, net.sideA(), dir.resolve("a"), "out=ping", "in=pong", children)) : List.of();
        ping.send("GO");
        measureBridges(bridges, () -> ping.await("RESULT", resultTimeoutMs()));
        pong.await("RESULT", 30_000);

        final Map<String, String> p = ping.result();
        final Histogram histogram = Runner.decode(ping.histogram());
        final long messages = Long.parseLong(p.get("messages"));
        row.put("messages", messages);
        row.put("p50Ns", histogram.getValueAtPercentile(50));
        row.put("p90Ns", histogram.getValueAtPercentile(90));
        row.put("p99Ns", histogram.getValueAtPercentile(99));
        row.put("p999Ns", histogram.getValueAtPercentile(99.9));
        row.put("maxNs", histogram.getMaxValue());
        row.put("meanNs", Math.round(histogram.getMean()));
        final Path hgrm = resultsDir.resolve(name + ".hgrm");
        try (PrintStream out = new PrintStream(Files.newOutputStream(hgrm), false, StandardCharsets.UTF_8))
        {
            out.println("# " + run.variant().label() + ", " + run.size() + " B round trip across two network " +
                "namespaces, values in microseconds");
            histogram.outputPercentileDistribution(out, 1000.0);
        }
        row.put("hgrm", hgrm.getFileName().toString());
        row.put("msgsPerSec", round(rate(messages, p)));
        row.put("mbPerSec", null);
        row.put("cpuCores", cores(results(children)));
        row.put("senderAllocBytesPerMsg", perMessage(Long.parseLong(p.get("allocBytes")), messages));
        row.put("receiverAllocBytesPerMsg", perMessage(Long.parseLong(pong.result().get("allocBytes")), messages));
        putBridges(row, bridges);
    }

    // ------------------------------------------------------------------------------------------------ one way

    private void oneWay(
        final Run run,
        final String name,
        final Path dir,
        final NetnsPair net,
        final List<ChildProcess> children,
        final Map<String, Object> row) throws IOException, InterruptedException
    {
        final boolean bridged = run.variant() == Variant.SHMBUS_BRIDGE_UDP;
        final ChildProcess consumer = start(run, name, net.sideB(), dir.resolve("b"), "consumer", true,
            "producers=1", "source=0");
        children.add(consumer);
        consumer.await("READY", START_TIMEOUT_MS);
        final List<ChildProcess> bridges = new ArrayList<>();
        if (bridged)
        {
            bridges.add(bridge(run, name, net.sideB(), dir.resolve("b"), "in=data", null, children));
        }
        final List<String> producerArgs = new ArrayList<>(List.of("source=0"));
        producerArgs.addAll(List.of(timing(run)));
        final ChildProcess producer = start(run, name, net.sideA(), dir.resolve("a"), "producer", false,
            producerArgs.toArray(String[]::new));
        children.add(producer);
        producer.await("READY", START_TIMEOUT_MS);
        if (bridged)
        {
            bridges.add(bridge(run, name, net.sideA(), dir.resolve("a"), "out=data", null, children));
        }
        producer.send("GO");
        measureBridges(bridges, () -> producer.await("RESULT", resultTimeoutMs()));
        consumer.await("RESULT", 60_000);

        final Map<String, String> c = consumer.result();
        final Map<String, String> p = producer.result();
        final long messages = Long.parseLong(c.get("messages"));
        final long sent = Long.parseLong(p.get("messages"));
        final double rate = rate(messages, c);
        row.put("messages", messages);
        row.put("msgsPerSec", round(rate));
        row.put("mbPerSec", Math.round(rate * run.size() / 1e6 * 10) / 10.0);
        row.put("sequenceErrors", Long.parseLong(c.get("errors")));
        if (sent != messages)
        {
            row.put("note", "measured messages sent " + sent + ", received " + messages);
        }
        row.put("backPressuredOffers", Long.parseLong(p.get("refused")));
        row.put("cpuCores", cores(results(children)));
        row.put("senderAllocBytesPerMsg", perMessage(Long.parseLong(p.get("allocBytes")), sent));
        row.put("receiverAllocBytesPerMsg", perMessage(Long.parseLong(c.get("allocBytes")), messages));
        row.put("bytesReceived", Long.parseLong(c.get("bytes")));
        for (final String key : new String[]{"p50Ns", "p90Ns", "p99Ns", "p999Ns", "maxNs", "meanNs"})
        {
            row.put(key, null);
        }
        putBridges(row, bridges);
    }

    // ------------------------------------------------------------------------------------------------ bridges

    private ChildProcess bridge(
        final Run run,
        final String name,
        final String namespace,
        final Path sideDir,
        final String first,
        final String second,
        final List<ChildProcess> children) throws IOException, InterruptedException
    {
        final String[] streams = null == second ? new String[]{first} : new String[]{first, second};
        final ChildProcess bridge = start(run, name, namespace, sideDir, "bridge", false, streams);
        children.add(bridge);
        bridge.await("READY", START_TIMEOUT_MS);
        return bridge;
    }

    @FunctionalInterface
    private interface Wait
    {
        void run() throws InterruptedException;
    }

    /**
     * The bridges count from the end of the driving side's warm-up time (from its start in a smoke run) to the
     * end of its run.
     */
    private void measureBridges(final List<ChildProcess> bridges, final Wait run) throws InterruptedException
    {
        if (bridges.isEmpty())
        {
            run.run();
            return;
        }
        Thread.sleep(mode.smoke() ? 0 : mode.warmupMs()); // a smoke run is bounded by counts: it is over sooner
        bridges.forEach(b -> b.send("GO"));
        run.run();
        for (final ChildProcess b : bridges)
        {
            b.send("GO");
            b.await("RESULT", 30_000);
        }
    }

    private static void putBridges(final Map<String, Object> row, final List<ChildProcess> bridges)
    {
        if (bridges.isEmpty())
        {
            return;
        }
        long outMessages = 0;
        long outAlloc = 0;
        long inMessages = 0;
        long inAlloc = 0;
        for (final ChildProcess b : bridges)
        {
            final Map<String, String> r = b.result();
            outMessages += Long.parseLong(r.getOrDefault("outMessages", "0"));
            outAlloc += Long.parseLong(r.getOrDefault("outAllocBytes", "0"));
            inMessages += Long.parseLong(r.getOrDefault("inMessages", "0"));
            inAlloc += Long.parseLong(r.getOrDefault("inAllocBytes", "0"));
        }
        row.put("bridgeOutMessages", outMessages);
        row.put("bridgeInMessages", inMessages);
        row.put("bridgeOutAllocBytesPerMsg", perMessage(outAlloc, outMessages));
        row.put("bridgeInAllocBytesPerMsg", perMessage(inAlloc, inMessages));
    }

    // ------------------------------------------------------------------------------------------------ children

    /**
     * @return the JVM flags of a side of this variant: the Aeron transport and the topics' channels for
     * shmbus over Aeron, nothing more for the others (the bridged path's application sides are shared memory).
     */
    static List<String> variantFlags(final Variant variant)
    {
        if (variant != Variant.SHMBUS_AERON_UDP)
        {
            return List.of();
        }
        final List<String> flags = new ArrayList<>();
        flags.add("-D" + BusOptions.TRANSPORT_PROPERTY + "=" + AeronBusProvider.NAME);
        for (final String topic : List.of("ping", "pong", "data"))
        {
            flags.add("-D" + AeronSettings.CHANNEL_PREFIX + topic + "=" + UdpChannels.channel(topic));
        }
        return flags;
    }

    private ChildProcess start(
        final Run run,
        final String runName,
        final String namespace,
        final Path sideDir,
        final String role,
        final boolean create,
        final String... extra) throws IOException
    {
        Files.createDirectories(sideDir);
        final List<String> prefix = new ArrayList<>();
        if (nice != 0)
        {
            prefix.addAll(List.of("nice", "-n", Integer.toString(nice)));
        }
        prefix.addAll(NetnsPair.exec(namespace));
        final List<String> flags = new ArrayList<>(jvmFlags);
        flags.addAll(variantFlags(run.variant()));
        final List<String> args = new ArrayList<>(List.of(
            "role=" + role,
            "variant=" + run.variant().id(),
            "dir=" + sideDir,
            "size=" + run.size(),
            "capacity=" + Runner.CAPACITY,
            "maxLength=" + Runner.MAX_LENGTH,
            "create=" + create,
            "timeoutMs=" + (mode.warmupMs() + mode.measureMs() + 240_000)));
        args.addAll(List.of(extra));
        final String name = runName + "-" + role + ("bridge".equals(role) ? "-" + sideDir.getFileName() : "");
        final List<String> command =
            ChildJvm.command(prefix, flags, classPath, "io.shmbus.bench.child.ChildMain", args);
        return new ChildProcess(name, command, resultsDir.resolve("logs").resolve(name + ".log"));
    }

    private String[] timing(final Run run)
    {
        final boolean bounded = run.scenario().equals(Run.UDP_RTT) || mode.smoke();
        return new String[]{"warmupMs=" + mode.warmupMs(), "measureMs=" + mode.measureMs(),
            "warmupCount=" + (bounded ? mode.warmupCount() : Long.MAX_VALUE),
            "measureCount=" + (bounded ? mode.measureCount() : Long.MAX_VALUE)};
    }

    private long resultTimeoutMs()
    {
        return mode.warmupMs() + mode.measureMs() + 90_000;
    }

    // ------------------------------------------------------------------------------------------------ figures

    private static List<Map<String, String>> results(final List<ChildProcess> children)
    {
        return children.stream().map(ChildProcess::result).toList();
    }

    private static double rate(final long messages, final Map<String, String> r)
    {
        final long wall = Long.parseLong(r.getOrDefault("wallNs", "0"));
        return wall <= 0 ? 0 : messages * 1e9 / wall;
    }

    private static double cores(final List<Map<String, String>> results)
    {
        double cores = 0;
        for (final Map<String, String> r : results)
        {
            final long wall = Long.parseLong(r.getOrDefault("wallNs", "0"));
            if (wall > 0)
            {
                cores += Double.parseDouble(r.getOrDefault("cpuNs", "0")) / wall;
            }
        }
        return Math.round(cores * 100) / 100.0;
    }

    static Double perMessage(final long bytes, final long messages)
    {
        return messages <= 0 ? null : Math.round((double)bytes / messages * 1000) / 1000.0;
    }

    private static long round(final double v)
    {
        return Math.round(v);
    }
}
