package io.shmbus.journal.tools;

import io.shmbus.journal.Journal;
import io.shmbus.journal.JournalInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * {@code journal info DIR}: a journal's segments, first and last position and time, size, recorder.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
    description = "Show a journal's segments, first and last position and time, size and recorder.")
public final class JournalInfoCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "journal directory")
    Path journalDirectory;

    @Override
    public Integer call()
    {
        try (Journal journal = Journal.open(journalDirectory))
        {
            final JournalInfo info = journal.info();
            System.out.println("journal         " + info.directory());
            System.out.println("topic           " + info.topicName());
            System.out.println("format          " + info.format());
            System.out.println("segments        " + info.segments() + " (" + info.firstSegment() + " to " +
                info.lastSegment() + "), " + info.sizeBytes() + " bytes");
            System.out.println("positions       " + info.startPosition() + " to " + info.endPosition() +
                (info.startPosition() > info.format().basePosition() ? " (segments before " + info.firstSegment() +
                    " were removed by retention or a trim)" : ""));
            System.out.println("times           " + time(info.firstTimestampNs()) + " to " +
                time(info.lastTimestampNs()));
            System.out.println("recorded topic  " + info.recordedTopicPosition());
            System.out.println("recorder        " + (info.recording() ? "running, pid " + info.recorderPid() :
                "none (last pid " + info.recorderPid() + ")"));
            return 0;
        }
        catch (final RuntimeException ex)
        {
            System.err.println("shmbus journal info: " + ex.getMessage());
            return 1;
        }
    }

    private static String time(final long epochNs)
    {
        return 0 == epochNs ? "-" : Instant.ofEpochSecond(0, epochNs).toString();
    }
}
