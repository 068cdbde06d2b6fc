package io.shmbus.bench;

import io.shmbus.bench.child.ChildMain;
import io.shmbus.bench.harness.Bench;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The benchmark harness: measures shmbus beside its peers, each side of each measurement in its own JVM, and
 * writes summary.json, summary.md, HdrHistogram files and charts.
 *
 * <pre>
 * java -jar bus-bench.jar --quick              # every scenario, short runs (under 3 minutes)
 * java -jar bus-bench.jar                      # the full run, with the JMH microbenchmarks
 * java -jar bus-bench.jar --scenarios round-trip --transports shmbus-spin,aeron
 * </pre>
 */
@Command(name = "bus-bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Cross-process benchmarks of shmbus beside Aeron IPC, Agrona rings and kernel sockets.")
public final class Harness implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--quick", description = "Every scenario with short runs, 3 rounds (each round under 3 minutes).")
    boolean quick;

    @Option(names = "--smoke",
        description = "A few thousand messages per scenario, shmbus and one peer: checks the harness works.")
    boolean smoke;

    @Option(names = "--out", description = "Results directory (default: ${DEFAULT-VALUE}).",
        defaultValue = "bus-bench/target/results")
    Path out;

    @Option(names = "--scenarios", split = ",", description = "Only these scenarios: ${COMPLETION-CANDIDATES}",
        completionCandidates = ScenarioNames.class)
    Set<String> scenarios = new LinkedHashSet<>();

    @Option(names = "--transports", split = ",",
        description = "Only these transport variants (ids as in summary.json).")
    Set<String> transports = new LinkedHashSet<>();

    @Option(names = "--sizes", split = ",", description = "Message sizes for the round-trip and one-way runs " +
        "(default: 32,256,4096 and 32,256,4096,65536).")
    Set<Integer> sizes = new LinkedHashSet<>();

    @Option(names = "--rounds", description = "Rounds per scenario: each round runs every selected transport of " +
        "the scenario once at each size, the next one in a rotated order; ratios are taken within a round " +
        "(default: 5 in full mode, 3 with --quick, 1 with --smoke).")
    Integer rounds;

    @Option(names = "--jmh", negatable = true, description = "Run the JMH microbenchmarks (default: in a full run " +
        "of everything only, not with --quick, --scenarios, --transports or --sizes).")
    Boolean jmh;

    @Option(names = "--jmh-only", description = "Run only the JMH microbenchmarks.")
    boolean jmhOnly;

    @Option(names = "--shm", description = "Where the transports' files go (default: ${DEFAULT-VALUE}).",
        defaultValue = "/dev/shm")
    Path shm;

    @Option(names = "--journal-dir", description = "Where the journal scenario writes: a disk directory, not " +
        "tmpfs (default: ${DEFAULT-VALUE}); its files are removed after each run.",
        defaultValue = "bus-bench/target/journal-bench")
    Path journalDir;

    @Option(names = "--aeron-term-bytes", description = "Aeron IPC term length (default: ${DEFAULT-VALUE}, " +
        "Aeron's own default for IPC).", defaultValue = "67108864")
    int aeronTermBytes;

    @Option(names = "--nice", description = "Run the child JVMs with this niceness, e.g. -10 on a shared machine " +
        "to keep other work from preempting them (negative values need root; default ${DEFAULT-VALUE}).",
        defaultValue = "0")
    int nice;

    @Option(names = "--trading-strategies", description = "Strategy JVMs of the trading scenario, 1 to 8 " +
        "(default: ${DEFAULT-VALUE}: with the feed and the gateway, four JVMs on two cores).", defaultValue = "2")
    int tradingStrategies;

    @Option(names = "--trading-idle", description = "How every JVM of the trading scenario waits for a message, " +
        "the same for both transports: backoff (Agrona's BackoffIdleStrategy) or spin (a core per JVM) " +
        "(default: ${DEFAULT-VALUE}).", defaultValue = "backoff")
    String tradingIdle;

    @Option(names = "--child-flags", description = "Extra JVM flags for every child JVM, e.g. " +
        "'-XX:StartFlightRecording=filename=/tmp/child-%%p.jfr,settings=profile' to profile the sides.")
    String childFlags;

    @Option(names = "--classpath", description = "Class path for the child JVMs (default: this JVM's).")
    String classpath;

    /**
     * Picocli's list of scenario names.
     */
    static final class ScenarioNames extends java.util.ArrayList<String>
    {
        ScenarioNames()
        {
            super(io.shmbus.bench.harness.Plan.scenarios());
        }
    }

    @Override
    public Integer call() throws Exception
    {
        final Bench bench = new Bench(
            smoke ? io.shmbus.bench.harness.Mode.SMOKE :
                quick ? io.shmbus.bench.harness.Mode.QUICK : io.shmbus.bench.harness.Mode.FULL,
            out, shm, null != classpath ? classpath : System.getProperty("java.class.path"),
            null == childFlags || childFlags.isBlank() ? java.util.List.of() : java.util.List.of(
                childFlags.trim().split("\\s+")));
        bench.aeronTermLength(aeronTermBytes);
        bench.nice(nice);
        bench.journalDir(journalDir);
        try
        {
            bench.trading(tradingStrategies, tradingIdle);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--trading-*: " + ex.getMessage());
        }
        if (null != rounds)
        {
            if (rounds < 1)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--rounds must be at least 1, got " +
                    rounds);
            }
            bench.rounds(rounds);
        }
        final boolean selected = !scenarios.isEmpty() || !transports.isEmpty() || !sizes.isEmpty();
        final boolean runJmh = jmhOnly || (null != jmh ? jmh : !quick && !smoke && !selected);
        return bench.run(scenarios, transports, sizes, !jmhOnly, runJmh) ? 0 : 1;
    }

    /**
     * @param args the options; or {@code child key=value...} for a child JVM.
     */
    public static void main(final String[] args)
    {
        if (args.length > 0 && "child".equals(args[0]))
        {
            ChildMain.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        System.exit(new CommandLine(new Harness()).execute(args));
    }
}
