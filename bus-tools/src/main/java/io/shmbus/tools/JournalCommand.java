package io.shmbus.tools;

import io.shmbus.journal.tools.JournalInfoCommand;
import io.shmbus.journal.tools.JournalTrimCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/**
 * {@code shmbus journal}: the group of {@code journal info} and {@code journal trim}; alone, it prints its usage.
 */
@Command(name = "journal", mixinStandardHelpOptions = true, description = "Look at a topic journal on disk.",
    subcommands = {JournalInfoCommand.class, JournalTrimCommand.class})
final class JournalCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call()
    {
        spec.commandLine().usage(System.out);
        return 2;
    }
}
