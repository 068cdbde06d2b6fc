package io.shmbus.journal;

import io.shmbus.LossHandler;
import io.shmbus.MessageHandler;
import io.shmbus.MessageHeader;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.BooleanSupplier;

/**
 * Records a topic into a journal: a durable subscriber of the topic whose handler appends each message, with
 * its topic position, publisher id, type and timestamp (the publisher's, or the recorder's clock when the topic
 * records none), to a {@link JournalWriter}.
 *
 * <p>Restart: the durable subscriber resumes at the first message of the poll that was running when the recorder
 * died, and the journal's tail holds every message that poll had recorded; messages whose topic position is below
 * the last recorded one are skipped, so the journal has no gap and no duplicate. Before each poll the writer
 * reserves the blocks the poll may need, so a full disk fails the poll before a message is taken from the topic.
 *
 * <p>Retention ({@link RecorderOptions#retention}): old segments are removed when the writer rolls to a new one
 * and, with an age limit, once a second.
 *
 * <pre>{@code
 * try (Recorder recorder = Recorder.start(topic, RecorderOptions.of(Path.of("/data/quotes"))))
 * {
 *     recorder.run(() -> running, new BackoffIdleStrategy());
 * }
 * }</pre>
 */
public final class Recorder implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(Recorder.class);

    private final Topic topic;
    private final RecorderOptions options;
    private final JournalWriter writer;
    private final Subscriber subscriber;
    private final MessageHandler handler = this::onMessage;
    private final long reserveBytes;
    private final long clockBaseEpochNs = EpochClock.nowNs();
    private final long clockBaseNanoTime = System.nanoTime();
    private static final long RETAIN_INTERVAL_NS = 1_000_000_000L;

    private final boolean retainByAge;
    private long lastRetainNs = System.nanoTime();
    private long recorded;
    private long skipped;
    private boolean failed;
    private boolean closed;

    private Recorder(final Topic topic, final RecorderOptions options, final JournalWriter writer)
    {
        this.topic = topic;
        this.options = options;
        this.writer = writer;
        this.retainByAge = options.retention().maxAgeNs() > 0;
        final int maxMessage = topic.options().maxMessageLength();
        if (maxMessage > writer.format().maxMessageLength())
        {
            writer.close();
            throw new JournalException("topic " + topic.name() + " takes messages up to " + maxMessage +
                " bytes, journal " + options.directory() + " up to " + writer.format().maxMessageLength());
        }
        this.reserveBytes = (long)options.pollLimit() * RecordDescriptor.alignedLength(
            RecordDescriptor.HEADER_LENGTH + Math.max(maxMessage, RecordDescriptor.LOSS_PAYLOAD_LENGTH),
            writer.format().recordAlignment());
        final LossHandler onLoss = this::onLoss;
        try
        {
            writer.reserve(reserveBytes);
            this.subscriber = topic.subscriber(SubscriberOptions.durable(options.subscriberName())
                .startAt(options.startPosition()).holdLimitNs(options.holdLimitNs()).lossHandler(onLoss));
        }
        catch (final RuntimeException ex)
        {
            writer.close();
            throw ex;
        }
        final long resumeAt = subscriber.position();
        final long recordedUpTo = writer.lastTopicNextPosition();
        if (recordedUpTo - resumeAt > topic.options().capacityBytes())
        {
            // a redelivered poll lies inside the ring; this far back, the topic's positions started again
            subscriber.close();
            writer.close();
            throw new JournalException("topic " + topic.name() + " resumes at position " + resumeAt + " but journal " +
                options.directory() + " already holds it up to position " + recordedUpTo + ": the topic was " +
                "created anew (or the subscriber name '" + options.subscriberName() + "' is another recorder's); " +
                "record it into a new journal directory");
        }
    }

    /**
     * Open (or create) the journal, take its lock and attach the durable subscriber.
     *
     * @param topic   the topic to record.
     * @param options where and how.
     * @return the recorder; call {@link #poll()} or {@link #run} to record.
     * @throws JournalLockedException when another recorder holds the journal (naming its pid).
     */
    public static Recorder start(final Topic topic, final RecorderOptions options)
    {
        final JournalFormat format = null != options.format() ? options.format() :
            JournalFormat.builder().maxMessageLength(topic.options().maxMessageLength()).build();
        final boolean exists = java.nio.file.Files.exists(options.directory().resolve(JournalMetaDescriptor.FILE_NAME));
        final JournalWriter writer = JournalWriter.open(options.directory(), exists && null == options.format() ?
            null : format, topic.name(), options.chunkLengthBytes(), options.durability(), options.retention());
        final Recorder recorder = new Recorder(topic, options, writer);
        LOG.info("recording topic {} into {} from journal position {} (durable subscriber '{}' at topic position {})",
            topic.name(), options.directory(), writer.position(), options.subscriberName(),
            recorder.subscriber.position());
        return recorder;
    }

    /**
     * Record what the topic has: up to the poll limit of messages.
     *
     * @return messages taken from the topic (recorded or skipped as already recorded).
     * @throws JournalFullException when the disk has no room; nothing was taken from the topic, and the recorder
     *                              cannot be used again (close it).
     */
    public int poll()
    {
        if (failed || closed)
        {
            throw new IllegalStateException("recorder of " + options.directory() + " is " +
                (closed ? "closed" : "stopped by an earlier error"));
        }
        try
        {
            writer.reserve(reserveBytes);
            final int count = subscriber.poll(handler, options.pollLimit());
            writer.recordedTopicPosition(subscriber.position());
            if (retainByAge)
            {
                final long nowNs = System.nanoTime();
                if (nowNs - lastRetainNs >= RETAIN_INTERVAL_NS)
                {
                    lastRetainNs = nowNs;
                    writer.retain();
                }
            }
            return count;
        }
        catch (final RuntimeException ex)
        {
            failed = true;
            LOG.error("recording topic {} into {} stopped: {}", topic.name(), options.directory(), ex.getMessage());
            throw ex;
        }
    }

    /**
     * Record until {@code running} turns false, idling between empty polls.
     *
     * @param running checked once per poll.
     * @param idle    the idle strategy.
     */
    public void run(final BooleanSupplier running, final IdleStrategy idle)
    {
        while (running.getAsBoolean())
        {
            idle.idle(poll());
        }
    }

    private void onMessage(final DirectBuffer buffer, final int offset, final int length, final MessageHeader header)
    {
        final long position = header.position();
        if (position < writer.lastTopicNextPosition())
        {
            skipped++;
            return;
        }
        final long ts = header.timestampNs();
        writer.append(buffer, offset, length, position, (int)(header.nextPosition() - position), header.type(),
            header.publisherId(), 0 != ts ? ts : nowEpochNs());
        recorded++;
    }

    private void onLoss(final long messages, final long bytes, final long from, final long to)
    {
        LOG.warn("recorder of topic {} lost {} messages ({} bytes, topic positions {} to {}): the topic reused them " +
            "before it read them", topic.name(), messages, bytes, from, to);
        writer.appendLoss(messages, bytes, from, to, nowEpochNs());
    }

    private long nowEpochNs()
    {
        // the wall clock at start plus the monotonic clock since: no allocation, never goes backwards
        return clockBaseEpochNs + (System.nanoTime() - clockBaseNanoTime);
    }

    /**
     * @return messages recorded by this recorder.
     */
    public long recordedMessages()
    {
        return recorded;
    }

    /**
     * @return messages skipped because the journal already held them (redelivered after a crash).
     */
    public long skippedMessages()
    {
        return skipped;
    }

    /**
     * @return the writer's journal position.
     */
    public long journalPosition()
    {
        return writer.position();
    }

    /**
     * @return the durable subscriber's topic position.
     */
    public long topicPosition()
    {
        return subscriber.position();
    }

    /**
     * @return the writer.
     */
    public JournalWriter writer()
    {
        return writer;
    }

    /**
     * Detach the durable subscriber (it keeps its position for the next recorder) and close the journal.
     * Idempotent.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            subscriber.close();
        }
        finally
        {
            writer.close();
        }
    }
}
