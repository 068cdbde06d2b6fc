package io.shmbus.examples;

import io.shmbus.BusException;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

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
     * Print a formatted line in one write, so that lines of processes sharing a terminal do not interleave
     * (System.out's own buffer is small and printf writes piece by piece).
     */
    static void print(final PrintStream out, final String format, final Object... args)
    {
        out.print(String.format(Locale.ROOT, format, args));
        out.flush();
    }

    /**
     * Create the file that tells a script this demo is attached and the next process may start.
     *
     * @param readyFile the file, or null for none.
     */
    static void signalReady(final Path readyFile)
    {
        if (null == readyFile)
        {
            return;
        }
        try
        {
            Files.writeString(readyFile, ProcessHandle.current().pid() + System.lineSeparator());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create the ready file " + readyFile, ex);
        }
    }

    /**
     * Wait until a script creates the file that lets this demo go on.
     *
     * @param file      the file, or null to go on at once.
     * @param timeoutNs how long to wait at most.
     * @throws BusException when the file did not appear in time.
     */
    static void awaitFile(final Path file, final long timeoutNs)
    {
        if (null == file)
        {
            return;
        }
        final long deadline = System.nanoTime() + timeoutNs;
        while (!Files.exists(file))
        {
            if (System.nanoTime() > deadline)
            {
                throw new BusException("gave up waiting for " + file + " after " + timeoutNs / 1_000_000_000L + " s");
            }
            LockSupport.parkNanos(1_000_000);
        }
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
