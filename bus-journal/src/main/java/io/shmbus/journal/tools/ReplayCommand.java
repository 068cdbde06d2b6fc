package io.shmbus.journal.tools;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.journal.Journal;
import io.shmbus.journal.JournalHeader;
import io.shmbus.journal.JournalReader;
import io.shmbus.journal.Replayer;
import org.agrona.concurrent.BackoffIdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * {@code replay DIR [--from POS | --from-time TIME] [--to-topic T]}: replay a journal, printing each message or
 * republishing it onto a topic.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = "Replay a journal from its start, a position or a time: print the messages or republish them.")
public final class ReplayCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "journal directory")
    Path journalDirectory;

    @Option(names = "--from", description = "journal position to start at")
    Long fromPosition;

    @Option(names = "--from-time", description = "time to start at: ISO-8601 (2026-01-02T09:30:00Z) or epoch ns")
    String fromTime;

    @Option(names = "--to-topic", description = "republish onto this topic instead of printing")
    String toTopic;

    @Option(names = { "-d", "--dir" }, description = "bus directory of --to-topic")
    Path busDirectory;

    @Option(names = "--paced", description = "keep the recorded intervals between messages")
    boolean paced;

    @Option(names = "--chunk-bytes", defaultValue = "67108864", description = "mapping window")
    long chunkBytes;

    @Option(names = "--from-start-if-removed", description = "when --from is before the journal's start (segments " +
        "removed by retention or a trim), start at the first record kept instead of failing")
    boolean fromStartIfRemoved;

    @Override
    public Integer call()
    {
        try (Journal journal = Journal.open(journalDirectory, chunkBytes))
        {
            long start = null != fromPosition ? fromPosition : journal.startPosition();
            if (null != fromTime)
            {
                final long timestampNs = parseTime(fromTime);
                start = journal.positionAtTime(timestampNs);
                final long firstNs = journal.info().firstTimestampNs();
                if (journal.startPosition() > journal.format().basePosition() && timestampNs < firstNs)
                {
                    System.err.println("shmbus replay: records before " + Instant.ofEpochSecond(0, firstNs) +
                        " were removed by retention or a trim: replaying from the first record kept (position " +
                        start + ")");
                }
            }
            final long end = journal.endPosition();
            try (JournalReader reader = journal.reader(start, (messages, bytes, from, to) -> { }, fromStartIfRemoved))
            {
                start = reader.position();
                final long count;
                if (null == toTopic)
                {
                    count = Replayer.replay(reader, end, paced, (buffer, offset, length, header) ->
                    {
                        final JournalHeader h = (JournalHeader)header;
                        System.out.println(h.journalPosition() + " topic-position=" + h.position() + " time=" +
                            Instant.ofEpochSecond(0, h.timestampNs()) + " type=" + h.type() + " publisher=" +
                            h.publisherId() + " length=" + length);
                    }, new BackoffIdleStrategy());
                }
                else
                {
                    final BusOptions.Builder options = BusOptions.builder();
                    if (null != busDirectory)
                    {
                        options.directory(busDirectory);
                    }
                    try (Bus bus = Bus.open(options.build());
                        Publisher publisher = bus.openTopic(toTopic).publisher(PublisherOptions.shared()))
                    {
                        count = Replayer.republish(reader, end, paced, publisher, new BackoffIdleStrategy());
                    }
                }
                System.err.println("replayed " + count + " messages from position " + start + " to " + end);
            }
            return 0;
        }
        catch (final RuntimeException ex)
        {
            System.err.println("shmbus replay: " + ex.getMessage());
            return 1;
        }
    }

    static long parseTime(final String text)
    {
        if (!text.isEmpty() && text.chars().allMatch(Character::isDigit))
        {
            return Long.parseLong(text);
        }
        try
        {
            final Instant instant = Instant.parse(text);
            return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
        }
        catch (final java.time.format.DateTimeParseException ex)
        {
            throw new IllegalArgumentException("time must be ISO-8601 (2026-01-02T09:30:00Z) or epoch nanoseconds: " +
                text, ex);
        }
    }
}
