package io.shmbus.tools;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.aeron.bridge.BridgeCommand;
import io.shmbus.journal.tools.RecordCommand;
import io.shmbus.journal.tools.ReplayCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The {@code shmbus} command line: list, stat, tail, inspect and clean the topics of a bus directory, drop
 * durable subscriptions, bridge a topic to another host ({@code bridge}), record it to disk and replay it
 * ({@code record}, {@code replay}, {@code journal info}, {@code journal trim}). Run by {@code bin/shmbus}. It
 * reads the counters the participants keep in shared memory, so it observes a live topic without slowing it
 * (a tail attaches an untethered subscriber, which never holds publishers back).
 */
@Command(
    name = "shmbus",
    mixinStandardHelpOptions = true,
    description = "Inspect and maintain shmbus topics.",
    subcommands = {
        ListCommand.class,
        StatCommand.class,
        TailCommand.class,
        InspectCommand.class,
        CleanCommand.class,
        DropDurableCommand.class,
        BridgeCommand.class,
        RecordCommand.class,
        ReplayCommand.class,
        JournalCommand.class })
public final class ShmbusTool
{
    /** Before the command's name (the journal and bridge commands take their own). */
    @Option(names = { "-d", "--dir" }, description = "bus directory (default: /dev/shm/shmbus-<user>)")
    Path directory;

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new ShmbusTool()).execute(args));
    }

    Bus openBus()
    {
        return Bus.open(null == directory ? BusOptions.defaults() : BusOptions.builder().directory(directory).build());
    }
}
