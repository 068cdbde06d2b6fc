package io.shmbus.aeron.bridge;

import io.shmbus.BusException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bridge}: carry a local topic to another host over Aeron ({@code out}), publish what arrives into a
 * local topic ({@code in}), and print a side's liveness and counters ({@code status}).
 *
 * <pre>
 *   bridge out --dir /dev/shm/app --topic quotes --channel aeron:udp?endpoint=10.0.0.2:40456 \
 *              --ack-channel aeron:udp?endpoint=10.0.0.1:40457
 *   bridge in  --dir /dev/shm/app --topic quotes --channel aeron:udp?endpoint=10.0.0.2:40456 \
 *              --ack-channel aeron:udp?endpoint=10.0.0.1:40457
 *   bridge status --state /dev/shm/app/.bridge-in-quotes/in-quotes.state
 * </pre>
 */
@Command(
    name = "bridge",
    mixinStandardHelpOptions = true,
    description = "Carry a shmbus topic between hosts over Aeron.",
    subcommands = {BridgeCommand.Out.class, BridgeCommand.In.class, BridgeCommand.Status.class})
public final class BridgeCommand implements Callable<Integer>
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call()
    {
        spec.commandLine().usage(System.out);
        return 2;
    }

    /**
     * The options both sides take.
     */
    static class Common
    {
        @Option(names = "--dir", required = true, description = "the local bus directory")
        Path busDirectory;

        @Option(names = "--topic", required = true, description = "the local topic")
        String topic;

        @Option(names = "--channel", required = true, description = "the Aeron channel of the data, e.g. " +
            "aeron:udp?endpoint=IN_HOST:PORT")
        String channel;

        @Option(names = "--stream", defaultValue = "1001",
            description = "the data stream id (default ${DEFAULT-VALUE})")
        int streamId;

        @Option(names = "--ack-channel", required = true, description = "the Aeron channel of the acks, e.g. " +
            "aeron:udp?endpoint=OUT_HOST:PORT")
        String ackChannel;

        @Option(names = "--ack-stream", defaultValue = "1002",
            description = "the ack stream id (default ${DEFAULT-VALUE})")
        int ackStreamId;

        @Option(names = "--state-dir", description = "state file and embedded media driver (default " +
            "DIR/.bridge-SIDE-TOPIC)")
        Path stateDirectory;

        @Option(names = "--aeron-dir", description = "use the external media driver of this aeron.dir")
        String aeronDirectory;

        @Option(names = "--ready-file", description = "created once the side runs")
        Path readyFile;

        BridgeSettings settings()
        {
            final BridgeSettings settings = new BridgeSettings();
            settings.busDirectory = busDirectory;
            settings.topic = topic;
            settings.channel = channel;
            settings.streamId = streamId;
            settings.ackChannel = ackChannel;
            settings.ackStreamId = ackStreamId;
            settings.stateDirectory = stateDirectory;
            settings.aeronDirectory = aeronDirectory;
            settings.readyFile = readyFile;
            return settings;
        }
    }

    /**
     * {@code bridge out}.
     */
    @Command(name = "out", mixinStandardHelpOptions = true,
        description = "Forward a local topic to an Aeron channel, numbering each message.")
    static final class Out extends Common implements Callable<Integer>
    {
        @Option(names = "--untethered", description = "never slow local publishers: drop when lapped, and count it")
        boolean untethered;

        @Option(names = "--durable-name", defaultValue = "bridge-out",
            description = "the durable subscriber's name; another than the default also names the side's " +
                "status file (default ${DEFAULT-VALUE})")
        String durableName;

        @Option(names = "--hold-limit-ms", defaultValue = "-1", description = "how long local publishers wait " +
            "for a bridge that is down before its unsent messages are overwritten (default: always)")
        long holdLimitMs;

        @Option(names = "--topic-wait-ms", defaultValue = "30000", description = "wait this long for the topic")
        long topicWaitMs;

        @Override
        public Integer call()
        {
            final BridgeSettings settings = settings();
            settings.untethered = untethered;
            settings.durableName = durableName;
            settings.holdLimitMs = holdLimitMs;
            settings.topicWaitMs = topicWaitMs;
            final BridgeOut out = new BridgeOut(settings);
            runUntilSignalled(out::run, out::stop, out);
            return 0;
        }
    }

    /**
     * {@code bridge in}.
     */
    @Command(name = "in", mixinStandardHelpOptions = true,
        description = "Publish what arrives on an Aeron channel into a local topic, exactly once and in order.")
    static final class In extends Common implements Callable<Integer>
    {
        @Option(names = "--capacity", defaultValue = "4194304", description = "ring size if the topic is created")
        int capacityBytes;

        @Option(names = "--max-message-length", defaultValue = "4096",
            description = "largest message if the topic is created")
        int maxMessageLength;

        @Override
        public Integer call()
        {
            final BridgeSettings settings = settings();
            settings.capacityBytes = capacityBytes;
            settings.maxMessageLength = maxMessageLength;
            final BridgeIn in = new BridgeIn(settings);
            runUntilSignalled(in::run, in::stop, in);
            return 0;
        }
    }

    /**
     * {@code bridge status}.
     */
    @Command(name = "status", mixinStandardHelpOptions = true, description = "Print a bridge side's state.")
    static final class Status implements Callable<Integer>
    {
        @Option(names = "--state", required = true, description = "the side's state file")
        Path stateFile;

        @Override
        public Integer call()
        {
            final Map<String, Object> fields = BridgeState.read(stateFile);
            for (final Map.Entry<String, Object> field : fields.entrySet())
            {
                System.out.println(field.getKey() + "=" + field.getValue());
            }
            return Boolean.TRUE.equals(fields.get("alive")) ? 0 : 1;
        }
    }

    private static void runUntilSignalled(final Runnable loop, final Runnable stop, final AutoCloseable resources)
    {
        final CountDownLatch done = new CountDownLatch(1);
        final Thread hook = new Thread(() ->
        {
            stop.run();
            try
            {
                done.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "bridge-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try
        {
            loop.run();
        }
        finally
        {
            try
            {
                resources.close();
            }
            catch (final Exception ex)
            {
                System.err.println("bridge: closing: " + ex);
            }
            done.countDown();
        }
    }

    /**
     * Run the command line.
     *
     * @param args the arguments.
     * @return the exit code: 0, 1 for a failure (its message printed), 2 for a usage error.
     */
    public static int execute(final String... args)
    {
        return execute(new java.io.PrintWriter(System.err, true), args);
    }

    /**
     * Run the command line, printing errors to the given writer.
     *
     * @param err  where errors and usage go.
     * @param args the arguments.
     * @return the exit code: 0, 1 for a failure (its message printed), 2 for a usage error.
     */
    public static int execute(final java.io.PrintWriter err, final String... args)
    {
        final CommandLine commandLine = new CommandLine(new BridgeCommand()).setErr(err);
        commandLine.setExecutionExceptionHandler((ex, cl, parseResult) ->
        {
            if (ex instanceof BusException)
            {
                cl.getErr().println("bridge: " + ex.getMessage());
                return 1;
            }
            throw ex;
        });
        return commandLine.execute(args);
    }
}
