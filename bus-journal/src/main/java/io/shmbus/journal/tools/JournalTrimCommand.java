package io.shmbus.journal.tools;

import io.shmbus.journal.Journal;
import io.shmbus.journal.JournalException;
import io.shmbus.journal.JournalLockedException;
import io.shmbus.journal.TrimResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code journal trim DIR --before POS|TIME}: remove the segments whose records all lie before a journal
 * position or a time, with no recorder running.
 */
@Command(name = "trim", mixinStandardHelpOptions = true,
    description = "Remove a journal's segments whose records all lie before a position or a time (whole " +
        "segments; refused while a recorder runs).")
public final class JournalTrimCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "journal directory")
    Path journalDirectory;

    @Option(names = "--before", required = true, description = "a journal position (digits), or a time: " +
        "ISO-8601 (2026-01-02T09:30:00Z) or epoch nanoseconds with an 'ns' suffix")
    String before;

    @Override
    public Integer call()
    {
        try
        {
            final long position = position();
            final TrimResult result = Journal.trim(journalDirectory, position);
            System.out.println("removed " + result.removedSegments() + " segment(s) before position " + position +
                "; " + journalDirectory + " starts at position " + result.startPosition() +
                (result.keptBecauseRead() ? " (a reader has the next segment open: it is kept; trim again later)" :
                    ""));
            return 0;
        }
        catch (final JournalLockedException ex)
        {
            System.err.println("shmbus journal trim: " + ex.getMessage());
            return 1;
        }
        catch (final JournalException | IllegalArgumentException ex)
        {
            System.err.println("shmbus journal trim: " + ex.getMessage());
            return 1;
        }
    }

    private long position()
    {
        if (!before.isEmpty() && before.chars().allMatch(Character::isDigit))
        {
            return Long.parseLong(before);
        }
        final String time = before.endsWith("ns") ? before.substring(0, before.length() - 2) : before;
        final long timestampNs = ReplayCommand.parseTime(time);
        try (Journal journal = Journal.open(journalDirectory))
        {
            return journal.positionAtTime(timestampNs);
        }
    }
}
