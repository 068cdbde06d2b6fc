package io.shmbus.bench.harness;

/**
 * How much the journal scenario writes in a mode: append runs are bounded by a message count and a byte budget
 * (whichever comes first); the resident-memory run writes a journal many mapping windows long, in small
 * segments, so that its files stay a few hundred MiB at most, and replays it a few times.
 *
 * @param maxMessages     the most messages an append run writes.
 * @param maxPayloadBytes the most payload bytes an append run writes.
 * @param windowBytes     the mapping window of the append runs' writer and reader.
 * @param segmentBytes    the segment length of the append runs' journal.
 * @param rssJournalBytes the length of the resident-memory run's journal.
 * @param rssWindowBytes  the mapping window of the resident-memory run's writer and reader.
 * @param rssSegmentBytes the segment length of the resident-memory run's journal.
 * @param rssPasses       how many times the resident-memory run replays its journal.
 */
public record JournalSettings(
    long maxMessages,
    long maxPayloadBytes,
    long windowBytes,
    long segmentBytes,
    long rssJournalBytes,
    long rssWindowBytes,
    long rssSegmentBytes,
    int rssPasses)
{
    private static final long MIB = 1L << 20;

    /**
     * @param mode the mode.
     * @return the settings of its journal runs.
     */
    public static JournalSettings of(final Mode mode)
    {
        if (mode.smoke())
        {
            return new JournalSettings(100_000, 4 * MIB, 16 * MIB, 128 * MIB, 32 * MIB, 4 * MIB, 16 * MIB, 1);
        }
        if (mode == Mode.QUICK)
        {
            return new JournalSettings(1_000_000, 32 * MIB, 16 * MIB, 128 * MIB, 64 * MIB, 4 * MIB, 16 * MIB, 2);
        }
        return new JournalSettings(4_000_000, 256 * MIB, 16 * MIB, 128 * MIB, 256 * MIB, 4 * MIB, 32 * MIB, 2);
    }

    /**
     * @param size the message length.
     * @return how many messages an append run of that length writes.
     */
    public long messages(final int size)
    {
        return Math.max(1, Math.min(maxMessages, maxPayloadBytes / Math.max(1, size)));
    }
}
