package io.shmbus.examples;

import io.shmbus.BusException;
import picocli.CommandLine;

/**
 * Runs a demo's command line the same way for every main class: usage errors and bus errors print one
 * readable line, anything else prints its stack trace.
 */
final class Cli
{
    /** Exit code of a demo that ran but could not verify what it was asked to verify. */
    static final int EXIT_NOT_VERIFIED = 1;
    /** Exit code of a demo that could not run (bad arguments, bus error, timeout). */
    static final int EXIT_ERROR = 2;

    private Cli()
    {
    }

    static CommandLine commandLine(final Object command)
    {
        final CommandLine commandLine = new CommandLine(command);
        commandLine.setUsageHelpAutoWidth(true);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) ->
        {
            if (ex instanceof BusException || ex instanceof IllegalArgumentException)
            {
                cmd.getErr().println(cmd.getCommandName() + ": " + ex.getMessage());
            }
            else
            {
                cmd.getErr().println(cmd.getCommandName() + ": failed");
                ex.printStackTrace(cmd.getErr());
            }
            return EXIT_ERROR;
        });
        return commandLine;
    }

    static void run(final Object command, final String[] args)
    {
        System.exit(commandLine(command).execute(args));
    }

    /**
     * Name the process in its log lines (the Logback pattern reads this property). Call before the first
     * logger is created.
     *
     * @param role for example {@code consumer} or {@code producer-2}.
     */
    static void logAs(final String role)
    {
        System.setProperty("shmbus.role", role);
    }
}
