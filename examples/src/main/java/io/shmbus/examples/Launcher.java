package io.shmbus.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * The executable jar's entry point: {@code java -jar shmbus-examples.jar <demo> [options]}. Each demo is also
 * a main class of its own.
 */
@Command(name = "shmbus-examples", usageHelpAutoWidth = true,
    description = "shmbus demos. Run one with: java -jar shmbus-examples.jar <demo> --help",
    subcommands = {
        ProducerMain.class, ConsumerMain.class, PingMain.class, PongMain.class, QuickStart.class,
        FeedMain.class, StrategyMain.class, GatewayMain.class, TradingReport.class, ShareMain.class, SidecarMain.class,
        WatchMain.class
    })
public final class Launcher implements Callable<Integer>
{
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Spec
    private CommandLine.Model.CommandSpec spec;

    /**
     * @param args a demo's name, then its options.
     */
    public static void main(final String[] args)
    {
        Cli.run(new Launcher(), args);
    }

    @Override
    public Integer call()
    {
        spec.commandLine().getErr().println("name a demo to run");
        spec.commandLine().usage(spec.commandLine().getErr());
        return Cli.EXIT_ERROR;
    }
}
