package io.shmbus.bench.harness;

import io.shmbus.bench.report.Charts;
import io.shmbus.bench.report.Goals;
import io.shmbus.bench.report.Json;
import io.shmbus.bench.report.Rounds;
import io.shmbus.bench.report.SummaryMarkdown;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Runs a plan in rounds ({@link Plan#schedule(List, int)}), the JMH microbenchmarks if asked, and writes the
 * results: every round's rows with their ratios, the median and range of each figure and ratio across
 * rounds, the goals, and whether the machine was quiet enough for a verdict ({@link LoadCheck}).
 */
public final class Bench
{
    /** The flags every JVM that runs shmbus or Agrona needs. */
    public static final List<String> REQUIRED_FLAGS =
        List.of("--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED");
    /** The same flags for every child: a small fixed heap and the serial collector (no GC threads). */
    public static final List<String> CHILD_FLAGS = List.of("-XX:+UseSerialGC", "-Xms256m", "-Xmx256m");

    /** The flags a child JVM running Chronicle Queue needs on JDK 25. */
    public static final List<String> CHRONICLE_FLAGS = List.of(
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
        "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
        "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/java.util=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
        "-Dchronicle.analytics.disable=true");
    /** Where the journal scenario writes by default: a disk directory, not tmpfs. */
    public static final Path DEFAULT_JOURNAL_DIR = Path.of("bus-bench", "target", "journal-bench");

    private final Mode mode;
    private final Path out;
    private final Path shmRoot;
    private final String classpath;
    private final List<String> extraChildFlags;
    private Path journalRoot = DEFAULT_JOURNAL_DIR.resolve("shmbus-journal-bench-" + ProcessHandle.current().pid());
    private int aeronTermLength = 64 << 20;
    private int nice;
    private int tradingStrategies = TradingSettings.DEFAULT_STRATEGIES;
    private String tradingIdle = TradingSettings.BACKOFF;
    private int rounds;
    private Supplier<String> loadSource = () -> Machine.firstLine("/proc/loadavg");

    /**
     * @param mode      how long to run.
     * @param out       the results directory.
     * @param shm       where transports' files go.
     * @param classpath the class path of the child JVMs.
     */
    public Bench(final Mode mode, final Path out, final Path shm, final String classpath)
    {
        this(mode, out, shm, classpath, List.of());
    }

    /**
     * @param mode            how long to run.
     * @param out             the results directory.
     * @param shm             where transports' files go.
     * @param classpath       the class path of the child JVMs.
     * @param extraChildFlags more JVM flags for the children (profiling).
     */
    public Bench(final Mode mode, final Path out, final Path shm, final String classpath, final List<String> extraChildFlags)
    {
        this.extraChildFlags = List.copyOf(extraChildFlags);
        this.mode = mode;
        this.out = out.toAbsolutePath();
        this.shmRoot = shm.resolve("shmbus-bench-" + ProcessHandle.current().pid());
        this.classpath = classpath;
        this.rounds = mode.rounds();
    }

    /**
     * @param rounds how many rounds to run each scenario (default: the mode's).
     * @throws IllegalArgumentException when less than 1.
     */
    public void rounds(final int rounds)
    {
        if (rounds < 1)
        {
            throw new IllegalArgumentException("rounds must be at least 1, got " + rounds);
        }
        this.rounds = rounds;
    }

    /**
     * Where the load average is read before and after each round: by default /proc/loadavg; tests give a
     * reading of their own.
     *
     * @param loadSource returns a line in the format of /proc/loadavg, or null when there is none.
     */
    public void loadSource(final Supplier<String> loadSource)
    {
        this.loadSource = loadSource;
    }

    /**
     * @param length the Aeron IPC term length.
     */
    public void aeronTermLength(final int length)
    {
        this.aeronTermLength = length;
    }

    /**
     * @param dir where the journal scenario writes (a disk directory: its files are removed after each run, and
     *            the folder this harness makes in it at the end).
     */
    public void journalDir(final Path dir)
    {
        this.journalRoot = dir.toAbsolutePath().resolve("shmbus-journal-bench-" + ProcessHandle.current().pid());
    }

    /**
     * @param nice the niceness of the child JVMs (negative: ahead of other work on the machine; needs root).
     */
    public void nice(final int nice)
    {
        this.nice = nice;
    }

    /**
     * @param strategies strategy JVMs of the trading scenario (1 to {@link TradingSettings#MAX_STRATEGIES}).
     * @param idle       how its JVMs wait: {@link TradingSettings#BACKOFF} or {@link TradingSettings#SPIN}.
     * @throws IllegalArgumentException when out of range.
     */
    public void trading(final int strategies, final String idle)
    {
        TradingSettings.of(mode, strategies, idle); // checks them
        this.tradingStrategies = strategies;
        this.tradingIdle = idle;
    }

    /**
     * @param scenarios  scenarios to keep (empty: all).
     * @param transports variants to keep (empty: all).
     * @param harness    whether to run the cross-process runs.
     * @param jmh        whether to run the JMH microbenchmarks.
     * @return true when every run succeeded.
     */
    public boolean run(final Set<String> scenarios, final Set<String> transports, final boolean harness, final boolean jmh)
        throws IOException
    {
        return run(scenarios, transports, Set.of(), harness, jmh);
    }

    /**
     * @param scenarios  scenarios to keep (empty: all).
     * @param transports variants to keep (empty: all).
     * @param sizes      message sizes instead of the planned ones (empty: as planned).
     * @param harness    whether to run the cross-process runs.
     * @param jmh        whether to run the JMH microbenchmarks.
     * @return true when every run succeeded.
     */
    public boolean run(
        final Set<String> scenarios,
        final Set<String> transports,
        final Set<Integer> sizes,
        final boolean harness,
        final boolean jmh) throws IOException
    {
        final Thread cleanup = new Thread(() ->
        {
            Runner.delete(shmRoot);
            Runner.delete(journalRoot);
        }, "delete-shm");
        Runtime.getRuntime().addShutdownHook(cleanup);
        Files.createDirectories(out);
        clearOldResults();

        final int cpus = Runtime.getRuntime().availableProcessors();
        final boolean ok;
        try (OwnLoad ownLoad = OwnLoad.ofThisProcessTree(cpus))
        {
            ok = measureAndReport(new LoadCheck(loadSource, ownLoad::load, cpus), scenarios, transports, sizes, harness, jmh);
        }
        Runner.delete(shmRoot);
        Runner.delete(journalRoot);
        Runtime.getRuntime().removeShutdownHook(cleanup);
        System.out.println("wrote " + out.resolve("summary.md"));
        return ok;
    }

    private boolean measureAndReport(
        final LoadCheck load,
        final Set<String> scenarios,
        final Set<String> transports,
        final Set<Integer> sizes,
        final boolean harness,
        final boolean jmh) throws IOException
    {
        final Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("mode", mode.name());
        summary.put("started", Instant.now().toString());
        summary.put("machine", Machine.describe());
        final Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("rounds", harness ? rounds : 0);
        settings.put("childJvmFlags", String.join(" ", concat(concat(REQUIRED_FLAGS, CHILD_FLAGS), extraChildFlags)));
        settings.put("bufferBytes", Runner.CAPACITY);
        settings.put("aeronTermLength", aeronTermLength);
        settings.put("childNice", nice);
        settings.put("maxMessageLength", Runner.MAX_LENGTH);
        settings.put("warmupMs", mode.warmupMs());
        settings.put("measureMs", mode.measureMs());
        settings.put("allocationMessages", mode.allocMeasureCount());
        settings.put("idleWindowMs", mode.idleWindowMs());
        settings.put("journal", JournalSettings.of(mode).toString());
        final TradingSettings trading = TradingSettings.of(mode, tradingStrategies, tradingIdle);
        settings.put("trading", trading.describe());
        summary.put("settings", settings);
        System.out.println("bus-bench " + mode.name() + ": load average " + Machine.loadAverage() + ", results in " + out);

        final List<Map<String, Object>> rows = new ArrayList<>();
        final List<Map<String, Object>> roundLog = new ArrayList<>();
        boolean ok = true;
        if (harness)
        {
            final List<String> java = new ArrayList<>();
            java.add(javaBinary());
            java.addAll(REQUIRED_FLAGS);
            java.addAll(CHILD_FLAGS);
            java.addAll(extraChildFlags);
            java.add("-cp");
            java.add(classpath);
            final Runner runner = new Runner(mode, shmRoot, journalRoot.toAbsolutePath(), out, java);
            runner.aeronTermLength = aeronTermLength;
            runner.nice = nice;
            runner.trading = trading;
            final List<Round> schedule = Plan.schedule(Plan.runs(mode, scenarios, transports, sizes), rounds);
            final int total = schedule.stream().mapToInt(r -> r.runs().size()).sum();
            System.out.printf(Locale.ROOT, "%d runs: %d round(s) of each scenario; a verdict needs the 1-minute load " +
                "average of other work (less the harness's own share) at most %.2f (%.1f per CPU) at every round%n",
                total, rounds, load.limit(), LoadCheck.LIMIT_PER_CPU);
            int i = 0;
            for (final Round round : schedule)
            {
                final String name = "round " + round.number() + "/" + rounds + " of " + round.scenario();
                final String before = load.read("before " + name);
                final boolean overBefore = load.lastOver();
                System.out.println("-- " + name + ": load before " + before + (overBefore ? " (over the limit)" : ""));
                final List<String> order = new ArrayList<>();
                for (final Run run : round.runs())
                {
                    i++;
                    System.out.printf("[%d/%d] r%d %-20s %-22s %6d B ", i, total, round.number(), run.scenario(),
                        run.variant().id(), run.size());
                    System.out.flush();
                    final Map<String, Object> row = runner.execute(run, round.number());
                    rows.add(row);
                    order.add(run.variant().id() + "@" + run.size());
                    System.out.println(SummaryMarkdown.oneLine(row));
                    ok &= null == row.get("error");
                }
                final String after = load.read("after " + name);
                final boolean overAfter = load.lastOver();
                System.out.println("-- " + name + ": load after " + after + (overAfter ? " (over the limit)" : ""));
                final Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("scenario", round.scenario());
                entry.put("round", round.number());
                entry.put("order", order);
                entry.put("loadBefore", before);
                entry.put("loadAfter", after);
                entry.put("overLimit", overBefore || overAfter);
                roundLog.add(entry);
            }
        }
        Rounds.putRatios(rows);
        summary.put("rounds", roundLog);
        summary.put("rows", rows);
        summary.put("aggregates", Rounds.aggregate(rows));
        if (jmh)
        {
            load.read("before JMH");
            summary.put("jmh", JmhRunner.run(out, concat(REQUIRED_FLAGS, CHILD_FLAGS), mode));
            load.read("after JMH");
        }
        summary.put("notAVerdict", load.notAVerdict());
        summary.put("loadCheck", load.describe());
        summary.put("goals", Goals.evaluate(rows, load.notAVerdict()));
        summary.put("loadAverageAtEnd", Machine.loadAverage());
        summary.put("finished", Instant.now().toString());
        Files.writeString(out.resolve("summary.json"), Json.write(summary));
        Files.writeString(out.resolve("summary.md"), SummaryMarkdown.render(summary));
        try
        {
            Charts.write(summary, out);
        }
        catch (final RuntimeException | Error ex)
        {
            System.out.println("charts failed: " + ex);
        }
        if (load.notAVerdict())
        {
            System.out.println("NOT A VERDICT: " + load.reason());
        }
        return ok;
    }

    private void clearOldResults() throws IOException
    {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(out, "*.{hgrm,png,json,md}"))
        {
            for (final Path f : files)
            {
                Files.delete(f);
            }
        }
        Runner.delete(out.resolve("logs"));
    }

    private static List<String> concat(final List<String> a, final List<String> b)
    {
        final List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static String javaBinary()
    {
        return ProcessHandle.current().info().command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
