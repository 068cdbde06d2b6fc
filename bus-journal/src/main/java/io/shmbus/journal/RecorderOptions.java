package io.shmbus.journal;

import io.shmbus.SubscriberOptions;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where and how a {@link Recorder} records a topic. Immutable; each setter returns a copy.
 *
 * <table>
 *     <caption>Recorder settings</caption>
 *     <tr><th>setting</th><th>default</th><th>meaning</th></tr>
 *     <tr><td>directory</td><td>(required)</td><td>the journal's directory, on a disk file system</td></tr>
 *     <tr><td>subscriberName</td><td>{@code journal}</td><td>the recorder's durable subscriber name</td></tr>
 *     <tr><td>format</td><td>defaults, largest message = the topic's</td><td>format of a new journal</td></tr>
 *     <tr><td>chunkLengthBytes</td><td>64 MiB</td><td>the writer's mapping window</td></tr>
 *     <tr><td>durability</td><td>none</td><td>{@link Durability}</td></tr>
 *     <tr><td>holdLimitNs</td><td>10 s</td><td>how long the topic waits for a recorder that is away (crashed,
 *     stopped by a full disk, restarting) before reusing what it has not recorded; negative: for ever
 *     (tethered)</td></tr>
 *     <tr><td>startPosition</td><td>TAIL</td><td>where a new durable subscriber starts</td></tr>
 *     <tr><td>pollLimit</td><td>256</td><td>messages per poll</td></tr>
 *     <tr><td>retention</td><td>keep everything</td><td>which old segments the recorder removes
 *     ({@link Retention})</td></tr>
 * </table>
 */
public final class RecorderOptions
{
    /** Default durable subscriber name. */
    public static final String DEFAULT_SUBSCRIBER_NAME = "journal";

    private final Path directory;
    private final String subscriberName;
    private final JournalFormat format;
    private final long chunkLengthBytes;
    private final Durability durability;
    private final long holdLimitNs;
    private final SubscriberOptions.StartPosition startPosition;
    private final int pollLimit;
    private final Retention retention;

    private RecorderOptions(
        final Path directory,
        final String subscriberName,
        final JournalFormat format,
        final long chunkLengthBytes,
        final Durability durability,
        final long holdLimitNs,
        final SubscriberOptions.StartPosition startPosition,
        final int pollLimit,
        final Retention retention)
    {
        this.directory = directory;
        this.subscriberName = subscriberName;
        this.format = format;
        this.chunkLengthBytes = chunkLengthBytes;
        this.durability = durability;
        this.holdLimitNs = holdLimitNs;
        this.startPosition = startPosition;
        this.pollLimit = pollLimit;
        this.retention = retention;
    }

    /**
     * @param directory the journal's directory.
     * @return the defaults for it.
     */
    public static RecorderOptions of(final Path directory)
    {
        return new RecorderOptions(Objects.requireNonNull(directory), DEFAULT_SUBSCRIBER_NAME, null,
            JournalWriter.DEFAULT_CHUNK_LENGTH_BYTES, Durability.none(), SubscriberOptions.DEFAULT_HOLD_LIMIT_NS,
            SubscriberOptions.StartPosition.TAIL, 256, Retention.none());
    }

    /**
     * @param name the durable subscriber name.
     * @return a copy.
     */
    public RecorderOptions subscriberName(final String name)
    {
        SubscriberOptions.durable(name);
        return new RecorderOptions(directory, name, format, chunkLengthBytes, durability, holdLimitNs, startPosition,
            pollLimit, retention);
    }

    /**
     * @param format the format of a new journal (an existing one must match).
     * @return a copy.
     */
    public RecorderOptions format(final JournalFormat format)
    {
        return new RecorderOptions(directory, subscriberName, format, chunkLengthBytes, durability, holdLimitNs,
            startPosition, pollLimit, retention);
    }

    /**
     * @param chunkLengthBytes the writer's mapping window.
     * @return a copy.
     */
    public RecorderOptions chunkLengthBytes(final long chunkLengthBytes)
    {
        return new RecorderOptions(directory, subscriberName, format, chunkLengthBytes, durability, holdLimitNs,
            startPosition, pollLimit, retention);
    }

    /**
     * @param durability when to sync.
     * @return a copy.
     */
    public RecorderOptions durability(final Durability durability)
    {
        return new RecorderOptions(directory, subscriberName, format, chunkLengthBytes, Objects.requireNonNull(
            durability), holdLimitNs, startPosition, pollLimit, retention);
    }

    /**
     * @param holdLimitNs how long the topic holds publishers back for a recorder that is away; negative: for ever.
     * @return a copy.
     */
    public RecorderOptions holdLimitNs(final long holdLimitNs)
    {
        return new RecorderOptions(directory, subscriberName, format, chunkLengthBytes, durability, holdLimitNs,
            startPosition, pollLimit, retention);
    }

    /**
     * @param startPosition where a new durable subscriber starts.
     * @return a copy.
     */
    public RecorderOptions startPosition(final SubscriberOptions.StartPosition startPosition)
    {
        return new RecorderOptions(directory, subscriberName, format, chunkLengthBytes, durability, holdLimitNs,
            Objects.requireNonNull(startPosition), pollLimit, retention);
    }

    /**
     * @param pollLimit messages per poll, 1 or more.
     * @return a copy.
     */
    public RecorderOptions pollLimit(final int pollLimit)
    {
        if (pollLimit < 1)
        {
            throw new IllegalArgumentException("poll limit must be 1 or more: " + pollLimit);
        }
        return new RecorderOptions(directory, subscriberName, format, chunkLengthBytes, durability, holdLimitNs,
            startPosition, pollLimit, retention);
    }

    /**
     * @return the journal's directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @return the durable subscriber name.
     */
    public String subscriberName()
    {
        return subscriberName;
    }

    /**
     * @return the format of a new journal, or null for the defaults with the topic's largest message.
     */
    public JournalFormat format()
    {
        return format;
    }

    /**
     * @return the writer's mapping window.
     */
    public long chunkLengthBytes()
    {
        return chunkLengthBytes;
    }

    /**
     * @return when to sync.
     */
    public Durability durability()
    {
        return durability;
    }

    /**
     * @return the hold limit.
     */
    public long holdLimitNs()
    {
        return holdLimitNs;
    }

    /**
     * @return where a new durable subscriber starts.
     */
    public SubscriberOptions.StartPosition startPosition()
    {
        return startPosition;
    }

    /**
     * @return messages per poll.
     */
    public int pollLimit()
    {
        return pollLimit;
    }

    /**
     * @param retention which old segments the recorder removes.
     * @return a copy.
     */
    public RecorderOptions retention(final Retention retention)
    {
        return new RecorderOptions(directory, subscriberName, format, chunkLengthBytes, durability, holdLimitNs,
            startPosition, pollLimit, Objects.requireNonNull(retention));
    }

    /**
     * @return which old segments the recorder removes.
     */
    public Retention retention()
    {
        return retention;
    }
}
