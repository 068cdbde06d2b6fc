package io.shmbus.bench.harness;

import io.shmbus.bench.Variant;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs one {@link Run}: starts its child JVMs (the side that creates first, each waited for until ready),
 * lets the driving side go, collects every child's result, stops them all, removes every file the run made
 * under /dev/shm, and turns the results into one row.
 */
final class Runner
{
    /** Ring, term and topic capacity used by every shared-memory transport. */
    static final int CAPACITY = 4 << 20;
    /** The largest message any run sends. */
    static final int MAX_LENGTH = 65536;
    private static final long START_TIMEOUT_MS = 60_000;
    private static final double NS_PER_TICK = 10_000_000.0; // USER_HZ = 100 on Linux x86-64

    private final Mode mode;
    private final Path shmRoot;
    private final Path journalRoot;
    private final Path resultsDir;
    private final List<String> javaCommand;
    private int sequence;
    private NetworkRunner network;
    int aeronTermLength = CAPACITY;
    int nice;
    TradingSettings trading;

    Runner(final Mode mode, final Path shmRoot, final Path resultsDir, final List<String> javaCommand)
    {
        this(mode, shmRoot, shmRoot.resolve("journal"), resultsDir, javaCommand);
    }

    Runner(final Mode mode, final Path shmRoot, final Path journalRoot, final Path resultsDir,
        final List<String> javaCommand)
    {
        this.mode = mode;
        this.shmRoot = shmRoot;
        this.journalRoot = journalRoot;
        this.resultsDir = resultsDir;
        this.javaCommand = javaCommand;
        this.trading = TradingSettings.of(mode, TradingSettings.DEFAULT_STRATEGIES, TradingSettings.BACKOFF);
    }

    /**
     * @param run   what to measure.
     * @param round the round it belongs to (from 1): names its files and goes into the row.
     * @return the result row (with "error" set when it failed).
     */
    Map<String, Object> execute(final Run run, final int round)
    {
        final Map<String, Object> row = new LinkedHashMap<>();
        row.put("round", round);
        row.put("scenario", run.scenario());
        row.put("transport", run.variant().id());
        row.put("label", run.variant().label());
        row.put("sizeBytes", run.size());
        row.put("placement", run.pinCpu() == Run.SPLIT ? "cpu0+cpu1" : run.pinCpu() < 0 ? "any" : "cpu" + run.pinCpu());
        final Path dir = shmRoot.resolve("run-" + (++sequence));
        final Path journalDir = journalRoot.resolve("run-" + sequence);
        final List<ChildProcess> children = new ArrayList<>();
        final long started = System.nanoTime();
        try
        {
            Files.createDirectories(dir);
            final String name = run.key() + "-round" + round;
            switch (run.scenario())
            {
                case Run.RTT, Run.RTT_ONE_CPU -> roundTrip(run, name, dir, children, row);
                case Run.THROUGHPUT, Run.ALLOCATION -> oneWay(run, name, dir, children, row, 1, 1);
                case Run.FAN_OUT -> oneWay(run, name, dir, children, row, 1, 3);
                case Run.FAN_IN -> oneWay(run, name, dir, children, row, 3, 1);
                case Run.IDLE -> idle(run, name, dir, children, row);
                case Run.JOURNAL -> journal(run, name, dir, journalDir, children, row);
                case Run.UDP_RTT, Run.UDP_THROUGHPUT -> network().execute(run, name, dir, children, row);
                case Run.TRADING -> TradingRunner.run(this, trading, run, name, dir, children, row);
                case Run.STALL -> new StallRunner(this, mode).run(run, name, dir, children, row);
                default -> throw new IllegalArgumentException(run.scenario());
            }
            row.put("error", null);
        }
        catch (final BenchException | IOException ex)
        {
            row.put("error", ex.getMessage());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            row.put("error", "interrupted");
        }
        finally
        {
            stop(children);
            delete(dir);
            delete(journalDir);
        }
        row.put("runSeconds", Math.round((System.nanoTime() - started) / 1e7) / 100.0);
        return row;
    }

    private NetworkRunner network()
    {
        if (null == network)
        {
            network = new NetworkRunner(mode, resultsDir, javaCommand, nice);
        }
        return network;
    }

    ChildProcess start(
        final Run run, final String runName, final Path dir, final String role, final boolean create, final String... extra)
        throws IOException
    {
        return start(run, runName, dir, role, create, List.of(), extra);
    }

    /**
     * As {@link #start(Run, String, Path, String, boolean, String...)}, with more JVM flags (system properties)
     * after the harness's own.
     */
    ChildProcess start(
        final Run run,
        final String runName,
        final Path dir,
        final String role,
        final boolean create,
        final List<String> jvmFlags,
        final String... extra) throws IOException
    {
        final List<String> command = new ArrayList<>();
        if (nice != 0)
        {
            command.addAll(List.of("nice", "-n", Integer.toString(nice)));
        }
        final int cpu = run.pinCpu() == Run.SPLIT ? (create ? 0 : 1) : run.pinCpu();
        if (cpu >= 0)
        {
            command.addAll(List.of("taskset", "-c", Integer.toString(cpu)));
        }
        command.add(javaCommand.get(0));
        if (run.variant() == Variant.CHRONICLE)
        {
            command.addAll(Bench.CHRONICLE_FLAGS);
        }
        command.addAll(javaCommand.subList(1, javaCommand.size()));
        command.addAll(jvmFlags);
        command.add("io.shmbus.bench.child.ChildMain");
        command.add("role=" + role);
        command.add("variant=" + run.variant().id());
        command.add("dir=" + dir);
        command.add("size=" + run.size());
        command.add("capacity=" + CAPACITY);
        command.add("maxLength=" + MAX_LENGTH);
        command.add("aeronTermLength=" + aeronTermLength);
        command.add("create=" + create);
        command.add("timeoutMs=" + (mode.warmupMs() + mode.measureMs() + mode.idleWindowMs() + 240_000 +
            (run.scenario().equals(Run.TRADING) ? trading.feedMs() : 0)));
        command.addAll(List.of(extra));
        final String name = runName + "-" + role + (extra.length > 0 && extra[0].startsWith("source=") ?
            extra[0].substring(7) : "");
        return new ChildProcess(name, command, resultsDir.resolve("logs").resolve(name + ".log"));
    }

    private String[] timing(final Run run)
    {
        if (run.scenario().equals(Run.ALLOCATION))
        {
            return new String[]{"warmupMs=3600000", "measureMs=3600000", "warmupCount=" + mode.allocWarmupCount(),
                "measureCount=" + mode.allocMeasureCount()};
        }
        final boolean roundTrip = run.scenario().equals(Run.RTT) || run.scenario().equals(Run.RTT_ONE_CPU);
        return new String[]{"warmupMs=" + mode.warmupMs(), "measureMs=" + mode.measureMs(),
            "warmupCount=" + (roundTrip || mode.smoke() ? mode.warmupCount() : Long.MAX_VALUE),
            "measureCount=" + (roundTrip || mode.smoke() ? mode.measureCount() : Long.MAX_VALUE)};
    }

    Path resultsDir()
    {
        return resultsDir;
    }

    private long resultTimeoutMs(final Run run)
    {
        return run.scenario().equals(Run.ALLOCATION) ? 300_000 : mode.warmupMs() + mode.measureMs() + 60_000;
    }

    private static String[] concat(final String[] a, final String... b)
    {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }

    // ------------------------------------------------------------------------------------------------ round trip

    private void roundTrip(
        final Run run, final String name, final Path dir, final List<ChildProcess> children, final Map<String, Object> row)
        throws IOException, InterruptedException
    {
        final ChildProcess pong = start(run, name, dir, "pong", true);
        children.add(pong);
        final String ready = pong.await("READY", START_TIMEOUT_MS);
        final String port = field(ready, "port");
        final ChildProcess ping = start(run, name, dir, "ping", false,
            concat(timing(run), "port=" + (null == port ? "0" : port)));
        children.add(ping);
        ping.await("READY", START_TIMEOUT_MS);
        ping.send("GO");
        ping.await("RESULT", resultTimeoutMs(run));
        pong.await("RESULT", 30_000);

        final Map<String, String> p = ping.result();
        final Histogram histogram = decode(ping.histogram());
        final long messages = Long.parseLong(p.get("messages"));
        row.put("messages", messages);
        putLatency(row, histogram);
        final Path hgrm = resultsDir.resolve(name + ".hgrm");
        try (PrintStream out = new PrintStream(Files.newOutputStream(hgrm), false, StandardCharsets.UTF_8))
        {
            out.println("# " + run.variant().label() + ", " + run.size() + " B round trip, values in microseconds");
            histogram.outputPercentileDistribution(out, 1000.0);
        }
        row.put("hgrm", hgrm.getFileName().toString());
        row.put("msgsPerSec", rate(messages, p));
        row.put("mbPerSec", null);
        row.put("cpuCores", cores(p, pong.result()));
        row.put("senderAllocBytesPerMsg", perMessage(p, messages));
        row.put("receiverAllocBytesPerMsg", perMessage(pong.result(), messages));
        row.put("counters", counters(p, pong.result()));
    }

    private static void putLatency(final Map<String, Object> row, final Histogram h)
    {
        row.put("p50Ns", h.getValueAtPercentile(50));
        row.put("p90Ns", h.getValueAtPercentile(90));
        row.put("p99Ns", h.getValueAtPercentile(99));
        row.put("p999Ns", h.getValueAtPercentile(99.9));
        row.put("maxNs", h.getMaxValue());
        row.put("meanNs", Math.round(h.getMean()));
    }

    static Histogram decode(final String base64)
    {
        if (null == base64)
        {
            throw new BenchException("no histogram received");
        }
        try
        {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
        }
        catch (final java.util.zip.DataFormatException ex)
        {
            throw new BenchException("bad histogram: " + ex.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------------ one way

    private void oneWay(
        final Run run,
        final String name,
        final Path dir,
        final List<ChildProcess> children,
        final Map<String, Object> row,
        final int producers,
        final int consumers) throws IOException, InterruptedException
    {
        final List<ChildProcess> consumerProcesses = new ArrayList<>();
        for (int i = 0; i < consumers; i++)
        {
            final ChildProcess consumer = start(run, name, dir, "consumer", i == 0, "producers=" + producers, "source=" + i);
            children.add(consumer);
            consumerProcesses.add(consumer);
            consumer.await("READY", START_TIMEOUT_MS);
        }
        final List<ChildProcess> producerProcesses = new ArrayList<>();
        for (int i = 0; i < producers; i++)
        {
            final ChildProcess producer = start(run, name, dir, "producer", false, concat(new String[]{"source=" + i}, timing(run)));
            children.add(producer);
            producerProcesses.add(producer);
            producer.await("READY", START_TIMEOUT_MS);
        }
        producerProcesses.forEach(p -> p.send("GO"));
        for (final ChildProcess p : producerProcesses)
        {
            p.await("RESULT", resultTimeoutMs(run));
        }
        for (final ChildProcess c : consumerProcesses)
        {
            c.await("RESULT", 60_000);
        }

        // Rates are the consumers' view: measured messages over the time from the first to the end of the last.
        double minRate = Double.MAX_VALUE;
        long messages = Long.MAX_VALUE;
        long errors = 0;
        long bytes = 0;
        for (final ChildProcess c : consumerProcesses)
        {
            final Map<String, String> r = c.result();
            final long m = Long.parseLong(r.get("messages"));
            minRate = Math.min(minRate, rate(m, r));
            messages = Math.min(messages, m);
            bytes = Long.parseLong(r.get("bytes"));
            errors += Long.parseLong(r.get("errors"));
        }
        row.put("messages", messages);
        row.put("msgsPerSec", Math.round(minRate));
        row.put("mbPerSec", Math.round(minRate * run.size() / 1e6 * 10) / 10.0);
        if (consumers > 1)
        {
            final List<Long> each = new ArrayList<>();
            for (final ChildProcess c : consumerProcesses)
            {
                each.add(Math.round(rate(Long.parseLong(c.result().get("messages")), c.result())));
            }
            row.put("perConsumerMsgsPerSec", each);
        }
        row.put("sequenceErrors", errors);
        long refused = 0;
        long sent = 0;
        long producerAlloc = 0;
        for (final ChildProcess p : producerProcesses)
        {
            refused += Long.parseLong(p.result().get("refused"));
            sent += Long.parseLong(p.result().get("messages"));
            producerAlloc += Long.parseLong(p.result().get("allocBytes"));
        }
        if (sent != messages)
        {
            row.put("note", "measured messages sent " + sent + ", received " + messages);
        }
        row.put("backPressuredOffers", refused);
        final List<Map<String, String>> all = new ArrayList<>();
        children.forEach(c -> all.add(c.result()));
        row.put("cpuCores", cores(all.toArray(Map[]::new)));
        row.put("senderAllocBytesPerMsg", sent == 0 ? null : round3((double)producerAlloc / sent));
        long consumerAlloc = 0;
        for (final ChildProcess c : consumerProcesses)
        {
            consumerAlloc += Long.parseLong(c.result().get("allocBytes"));
        }
        row.put("receiverAllocBytesPerMsg", messages == 0 ? null : round3((double)consumerAlloc / consumers / messages));
        row.put("bytesReceived", bytes);
        row.put("counters", counters(all.toArray(Map[]::new)));
        for (final String key : new String[]{"p50Ns", "p90Ns", "p99Ns", "p999Ns", "maxNs", "meanNs"})
        {
            row.put(key, null);
        }
    }

    // ------------------------------------------------------------------------------------------------ journal

    private void journal(
        final Run run,
        final String name,
        final Path dir,
        final Path journalDir,
        final List<ChildProcess> children,
        final Map<String, Object> row) throws IOException, InterruptedException
    {
        Files.createDirectories(journalDir);
        final JournalSettings settings = JournalSettings.of(mode);
        final String jdir = "journalDir=" + journalDir;
        final boolean rss = run.variant() == Variant.JOURNAL_REPLAY_RSS;
        final long windowBytes = rss ? settings.rssWindowBytes() : settings.windowBytes();
        final long segmentBytes = rss ? settings.rssSegmentBytes() : settings.segmentBytes();
        final String window = "windowBytes=" + windowBytes;
        final String segment = "segmentBytes=" + segmentBytes;
        row.put("journalWindowBytes", windowBytes);
        row.put("journalSegmentBytes", segmentBytes);
        if (run.variant() == Variant.JOURNAL_RECORDER)
        {
            recorder(run, name, dir, children, row, jdir, window, segment);
            return;
        }
        final ChildProcess child = rss ?
            start(run, name, dir, "journal-rss", true, jdir, window, segment,
                "journalBytes=" + settings.rssJournalBytes(), "passes=" + settings.rssPasses()) :
            start(run, name, dir, "journal-append", true, jdir, window, segment,
                "messages=" + settings.messages(run.size()));
        children.add(child);
        child.await("READY", START_TIMEOUT_MS);
        child.send("GO");
        child.await("RESULT", 600_000);
        final Map<String, String> r = child.result();
        final long messages = Long.parseLong(r.get("messages"));
        row.put("messages", messages);
        if (rss)
        {
            final long window2 = Long.parseLong(r.get("windowBytes"));
            final long baseline = Long.parseLong(r.get("baselineRssBytes"));
            final long peak = Long.parseLong(r.get("peakRssBytes"));
            row.put("journalBytes", Long.parseLong(r.get("journalBytes")));
            row.put("replayPasses", Integer.parseInt(r.get("passes")));
            row.put("baselineRssMiB", mib(baseline));
            row.put("peakRssMiB", mib(peak));
            row.put("readerMappedMaxMiB", mib(Long.parseLong(r.get("readerMappedMaxBytes"))));
            row.put("rssGrowthOverWindow", round3((double)(peak - baseline) / window2));
            row.put("journalOverWindow", round3(Long.parseLong(r.get("journalBytes")) / (double)window2));
            putRate(row, "replay", Long.parseLong(r.get("replayMessages")), Long.parseLong(r.get("replayBytes")),
                Long.parseLong(r.get("replayWallNs")));
            row.put("msgsPerSec", row.get("replayMsgsPerSec"));
            row.put("mbPerSec", row.get("replayMbPerSec"));
        }
        else
        {
            final long bytes = messages * run.size();
            putRate(row, "append", messages, bytes, Long.parseLong(r.get("appendWallNs")));
            putRate(row, "replay", Long.parseLong(r.get("replayMessages")), Long.parseLong(r.get("replayBytes")),
                Long.parseLong(r.get("replayWallNs")));
            row.put("msgsPerSec", row.get("appendMsgsPerSec"));
            row.put("mbPerSec", row.get("appendMbPerSec"));
            row.put("fileBytes", Long.parseLong(r.get("fileBytes")));
            row.put("sequenceErrors", Long.parseLong(r.get("replayErrors")) +
                (Long.parseLong(r.get("replayMessages")) == messages ? 0 : 1));
            row.put("senderAllocBytesPerMsg", messages == 0 ? null :
                round3(Long.parseLong(r.get("appendAllocBytes")) / (double)messages));
            row.put("receiverAllocBytesPerMsg", messages == 0 ? null :
                round3(Long.parseLong(r.get("replayAllocBytes")) / (double)messages));
        }
    }

    private void recorder(
        final Run run,
        final String name,
        final Path dir,
        final List<ChildProcess> children,
        final Map<String, Object> row,
        final String... journalArgs) throws IOException, InterruptedException
    {
        final ChildProcess recorder = start(run, name, dir, "journal-recorder", true, journalArgs);
        children.add(recorder);
        recorder.await("READY", START_TIMEOUT_MS);
        // The producer of the one-way runs, on a shmbus topic whose only subscriber is the recorder's durable one.
        final ChildProcess producer = start(run, name, dir, "producer", false,
            concat(new String[]{"source=0"}, concat(timing(run), "variant=" + Variant.SHMBUS_EXCLUSIVE.id())));
        children.add(producer);
        producer.await("READY", START_TIMEOUT_MS);
        producer.send("GO");
        producer.await("RESULT", resultTimeoutMs(run));
        recorder.send("GO"); // the producer is done: catch up, then report
        recorder.await("RESULT", 120_000);
        final Map<String, String> p = producer.result();
        final Map<String, String> r = recorder.result();
        final long sent = Long.parseLong(p.get("messages"));
        row.put("messages", sent);
        row.put("msgsPerSec", Math.round(rate(sent, p)));
        row.put("mbPerSec", Math.round(rate(sent, p) * run.size() / 1e6 * 10) / 10.0);
        row.put("backPressuredOffers", Long.parseLong(p.get("refused")));
        row.put("recordedMessages", Long.parseLong(r.get("messages")));
        row.put("recorderMaxLagBytes", Long.parseLong(r.get("maxLagBytes")));
        final long drainNs = Long.parseLong(r.get("drainNs"));
        row.put("recorderCatchUpMs", drainNs < 0 ? null : Math.round(drainNs / 1e4) / 100.0);
        row.put("cpuCores", cores(p, r));
        row.put("senderAllocBytesPerMsg", perMessage(p, sent));
        row.put("counters", counters(p));
    }

    private static void putRate(
        final Map<String, Object> row, final String prefix, final long messages, final long bytes, final long wallNs)
    {
        row.put(prefix + "MsgsPerSec", wallNs <= 0 ? null : Math.round(messages * 1e9 / wallNs));
        row.put(prefix + "MbPerSec", wallNs <= 0 ? null : Math.round(bytes * 1e9 / wallNs / 1e6 * 10) / 10.0);
    }

    private static double mib(final long bytes)
    {
        return Math.round(bytes / 1048576.0 * 10) / 10.0;
    }

    // ------------------------------------------------------------------------------------------------ idle

    private void idle(
        final Run run, final String name, final Path dir, final List<ChildProcess> children, final Map<String, Object> row)
        throws IOException, InterruptedException
    {
        final ChildProcess publisher = start(run, name, dir, "idle-pub", true);
        children.add(publisher);
        final String ready = publisher.await("READY", START_TIMEOUT_MS);
        final String port = field(ready, "port");
        final ChildProcess subscriber = start(run, name, dir, "idle-sub", false, "port=" + (null == port ? "0" : port));
        children.add(subscriber);
        subscriber.await("READY", START_TIMEOUT_MS);
        publisher.send("GO"); // send the first message now that the subscriber has joined
        final String waiting = subscriber.await("WAITING", START_TIMEOUT_MS);
        final long tid = Long.parseLong(field(waiting, "tid"));
        Thread.sleep(300); // past the spin and yield phases of every idle strategy
        final long[] before = {ticks(subscriber.pid(), -1), ticks(subscriber.pid(), tid)};
        final long t0 = System.nanoTime();
        Thread.sleep(mode.idleWindowMs());
        final long[] after = {ticks(subscriber.pid(), -1), ticks(subscriber.pid(), tid)};
        final long window = System.nanoTime() - t0;
        publisher.send("GO");
        subscriber.await("RESULT", 30_000);
        publisher.await("RESULT", 30_000);
        row.put("idleWindowMs", window / 1_000_000);
        row.put("idleCpuPercentProcess", percent((after[0] - before[0]) * NS_PER_TICK, window));
        row.put("idleCpuPercentThread", percent((after[1] - before[1]) * NS_PER_TICK, window));
        final Map<String, String> s = subscriber.result();
        row.put("idleCpuPercentThreadPrecise", percent(Double.parseDouble(s.get("threadCpuNs")),
            Long.parseLong(s.get("wallNs"))));
        row.put("counters", counters(s));
    }

    /**
     * @param pid a process.
     * @param tid one of its threads, or -1 for the whole process.
     * @return utime + stime in clock ticks, from /proc.
     */
    static long ticks(final long pid, final long tid)
    {
        final Path stat = tid < 0 ? Path.of("/proc", Long.toString(pid), "stat") :
            Path.of("/proc", Long.toString(pid), "task", Long.toString(tid), "stat");
        try
        {
            final String text = Files.readString(stat);
            final String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of proc(5)
        }
        catch (final IOException ex)
        {
            throw new BenchException("cannot read " + stat + ": " + ex.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static double percent(final double cpuNs, final long wallNs)
    {
        return wallNs <= 0 ? 0 : Math.round(cpuNs / wallNs * 100 * 1000) / 1000.0;
    }

    private static double rate(final long messages, final Map<String, String> r)
    {
        final long wall = Long.parseLong(r.get("wallNs"));
        return wall <= 0 ? 0 : messages * 1e9 / wall;
    }

    @SafeVarargs
    private static Double cores(final Map<String, String>... results)
    {
        double cores = 0;
        for (final Map<String, String> r : results)
        {
            final long wall = Long.parseLong(r.getOrDefault("wallNs", "0"));
            if (wall > 0)
            {
                cores += Double.parseDouble(r.get("cpuNs")) / wall;
            }
        }
        return Math.round(cores * 100) / 100.0;
    }

    private static Double perMessage(final Map<String, String> r, final long messages)
    {
        final long wall = Long.parseLong(r.getOrDefault("wallNs", "0"));
        return wall <= 0 || messages == 0 ? null : round3(Long.parseLong(r.get("allocBytes")) / (double)messages);
    }

    private static double round3(final double v)
    {
        return Math.round(v * 1000) / 1000.0;
    }

    @SafeVarargs
    private static String counters(final Map<String, String>... results)
    {
        final StringBuilder sb = new StringBuilder();
        for (final Map<String, String> r : results)
        {
            r.forEach((k, v) ->
            {
                if (k.contains("."))
                {
                    sb.append(sb.isEmpty() ? "" : " ").append(r.get("role")).append(':').append(k).append('=').append(v);
                }
            });
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    private static String field(final String line, final String key)
    {
        for (final String f : line.split("\\s+"))
        {
            if (f.startsWith(key + "="))
            {
                return f.substring(key.length() + 1);
            }
        }
        return null;
    }

    private static void stop(final List<ChildProcess> children)
    {
        // Drivers and listeners live in the children started first: stop the others before them.
        for (int i = children.size() - 1; i >= 0; i--)
        {
            final ChildProcess child = children.get(i);
            try
            {
                child.quit(20_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            child.close();
        }
    }

    static void delete(final Path dir)
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p ->
            {
                try
                {
                    Files.deleteIfExists(p);
                }
                catch (final IOException ignore)
                {
                    // reported below if the directory remains
                }
            });
        }
        catch (final IOException ignore)
        {
            // gone already
        }
    }

    static Variant variant(final Map<String, Object> row)
    {
        return Variant.of((String)row.get("transport"));
    }
}
