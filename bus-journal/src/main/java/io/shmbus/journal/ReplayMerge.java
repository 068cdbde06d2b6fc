package io.shmbus.journal;

import io.shmbus.LossHandler;
import io.shmbus.MessageHandler;
import io.shmbus.MessageHeader;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscriber that starts in a journal and moves to the live topic with no gap and no duplicate.
 *
 * <p>It replays the journal; when the replay has caught up with the journal's end it attaches an untethered live
 * subscriber at the topic's tail (which never slows the publishers), noting the join position {@code J}: the live
 * subscriber will see every message from {@code J} on, unless it is lapped. It keeps replaying until every message
 * below {@code J} has been delivered: either the replay delivered a message at or past {@code J}, or a poll of the
 * journal found nothing new while the recorder's recorded topic position (read before that poll) was at or past
 * {@code J}. Then it polls the live subscriber. Throughout, a message is delivered only if its topic position is
 * at or past the next position expected (the last delivered message's next position), so what both sources hold
 * is delivered once. If the live subscriber is lapped before or after the switch, it is dropped at once (no
 * message after the loss is delivered from it) and the merge goes back to the journal, which the recorder keeps
 * complete, and tries again. See docs/JOURNAL.md for the argument.
 *
 * <pre>{@code
 * try (ReplayMerge merge = new ReplayMerge(journal, topic, journal.startPosition(), SubscriberOptions.untethered()))
 * {
 *     while (running)
 *     {
 *         idle.idle(merge.poll(handler, 64));
 *     }
 * }
 * }</pre>
 *
 * <p>Requires a running recorder of the topic into the journal: the merge waits for it to record up to the
 * join position. When the recorder makes no progress (its recorded topic position does not move and the journal
 * does not grow) for the recorder timeout ({@value #DEFAULT_RECORDER_TIMEOUT_MS} ms unless told otherwise), a
 * poll throws {@link ReplayMergeStalledException}, saying whether the recorder is dead (nobody holds the
 * journal's lock) or stalled (it holds it). Used by one thread at a time.
 */
public final class ReplayMerge implements AutoCloseable
{
    /** How long a merge waits for a recorder that does not advance, unless told otherwise. */
    public static final long DEFAULT_RECORDER_TIMEOUT_MS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(ReplayMerge.class);

    private final Journal journal;
    private final Topic topic;
    private final SubscriberOptions liveOptions;
    private final JournalReader reader;
    private final MessageHandler journalFilter = this::onJournalMessage;
    private final MessageHandler liveFilter = this::onLiveMessage;
    private final LossHandler onLiveLoss = (messages, bytes, from, to) -> liveLapped = true;
    private Subscriber live;
    private long joinPosition = -1;
    private long nextTopicPosition = Long.MIN_VALUE;
    private MessageHandler handler;
    private boolean merged;
    private boolean liveLapped;
    private int polled;
    private long joins;
    private long discarded;
    private final long recorderTimeoutNs;
    private long waitRecordedPosition = Long.MIN_VALUE;
    private long waitProgressNs;
    private boolean closed;

    /**
     * @param journal             the journal the topic is recorded into.
     * @param topic               the live topic.
     * @param fromJournalPosition where the replay starts.
     * @param liveOptions         the live subscriber's options: untethered is required (its loss handler is
     *                            replaced); only the wait strategy is taken.
     */
    public ReplayMerge(
        final Journal journal, final Topic topic, final long fromJournalPosition, final SubscriberOptions liveOptions)
    {
        this(journal, topic, fromJournalPosition, liveOptions,
            java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(DEFAULT_RECORDER_TIMEOUT_MS));
    }

    /**
     * @param journal             the journal the topic is recorded into.
     * @param topic               the live topic.
     * @param fromJournalPosition where the replay starts.
     * @param liveOptions         the live subscriber's options: untethered is required (its loss handler is
     *                            replaced); only the wait strategy is taken.
     * @param recorderTimeoutNs   how long to wait for a recorder that does not advance before a poll throws
     *                            {@link ReplayMergeStalledException}; 0 or negative: for ever.
     */
    public ReplayMerge(
        final Journal journal,
        final Topic topic,
        final long fromJournalPosition,
        final SubscriberOptions liveOptions,
        final long recorderTimeoutNs)
    {
        this.recorderTimeoutNs = recorderTimeoutNs;
        if (liveOptions.policy() != SubscriberOptions.Policy.UNTETHERED)
        {
            throw new IllegalArgumentException("the live side of a replay merge must be untethered, not " +
                liveOptions.policy());
        }
        if (!journal.topicName().equals(topic.name()))
        {
            throw new IllegalArgumentException("journal " + journal.directory() + " records topic '" +
                journal.topicName() + "', not '" + topic.name() + "'");
        }
        this.journal = journal;
        this.topic = topic;
        this.liveOptions = liveOptions.lossHandler(onLiveLoss).startAt(SubscriberOptions.StartPosition.TAIL);
        this.reader = journal.reader(fromJournalPosition);
    }

    /**
     * Deliver up to {@code messageLimit} messages, from the journal or, once merged, from the live topic.
     *
     * @param handler      gets each message once, in topic order.
     * @param messageLimit the most messages to deliver.
     * @return messages delivered.
     */
    public int poll(final MessageHandler handler, final int messageLimit)
    {
        this.handler = handler;
        polled = 0;
        if (merged)
        {
            pollLive(messageLimit);
            return polled;
        }
        final long recorded = journal.recordedTopicPosition();
        final int read = reader.poll(journalFilter, messageLimit);
        if (null == live)
        {
            if (0 == read)
            {
                live = topic.subscriber(liveOptions);
                liveLapped = false;
                joinPosition = live.position();
                joins++;
                waitRecordedPosition = recorded;
                waitProgressNs = System.nanoTime();
                LOG.info("replay of {} caught up with the journal at journal position {}, topic position {}: live " +
                    "subscriber attached at topic position {}", journal.directory(), reader.position(),
                    nextTopicPosition, joinPosition);
            }
        }
        else if (nextTopicPosition >= joinPosition || (0 == read && recorded >= joinPosition))
        {
            merged = true;
            LOG.info("replay of {} merged into topic {} at topic position {} (joined at {}, recorded {}, journal " +
                "position {})", journal.directory(), topic.name(), nextTopicPosition, joinPosition, recorded,
                reader.position());
            if (polled < messageLimit)
            {
                pollLive(messageLimit - polled);
            }
        }
        else if (recorderTimeoutNs > 0)
        {
            checkRecorder(recorded, read);
        }
        return polled;
    }

    /**
     * Waiting for the recorder to reach the join position: progress is the journal growing or the recorded
     * position moving; without either for the timeout, say why.
     */
    private void checkRecorder(final long recorded, final int read)
    {
        final long nowNs = System.nanoTime();
        if (read > 0 || recorded != waitRecordedPosition)
        {
            waitRecordedPosition = recorded;
            waitProgressNs = nowNs;
            return;
        }
        if (nowNs - waitProgressNs < recorderTimeoutNs)
        {
            return;
        }
        waitProgressNs = nowNs; // a later poll waits another timeout
        final boolean alive = journal.isRecording();
        final int pid = journal.recorderPid();
        final long waitedMs = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(recorderTimeoutNs);
        final String message = alive ?
            "replay merge of " + journal.directory() + " into topic " + topic.name() + ": the recorder (pid " + pid +
                ") is stalled: it holds the journal but has recorded nothing for " + waitedMs + " ms; it is at topic " +
                "position " + recorded + ", the live subscriber joined at " + joinPosition + " (the recorder " +
                "stopped, blocked, or slower than the publishers?)" :
            "replay merge of " + journal.directory() + " into topic " + topic.name() + ": no recorder is recording " +
                "it (the last one, pid " + pid + ", is dead or was stopped): it recorded up to topic position " +
                recorded + ", the live subscriber joined at " + joinPosition + "; waited " + waitedMs + " ms";
        LOG.warn(message);
        throw new ReplayMergeStalledException(message, alive, pid, recorded, joinPosition);
    }

    private void pollLive(final int limit)
    {
        live.poll(liveFilter, limit);
        if (liveLapped)
        {
            LOG.info("live subscriber of {} was lapped at topic position {}: back to the journal", topic.name(),
                nextTopicPosition);
            live.close();
            live = null;
            liveLapped = false;
            merged = false;
            joinPosition = -1;
        }
    }

    private void onJournalMessage(
        final DirectBuffer buffer, final int offset, final int length, final MessageHeader header)
    {
        deliverIfNew(buffer, offset, length, header);
    }

    private void onLiveMessage(final DirectBuffer buffer, final int offset, final int length,
        final MessageHeader header)
    {
        if (liveLapped)
        {
            // after a loss nothing more is taken from this subscriber: the journal has what it skipped
            return;
        }
        deliverIfNew(buffer, offset, length, header);
    }

    private void deliverIfNew(final DirectBuffer buffer, final int offset, final int length, final MessageHeader header)
    {
        if (header.position() < nextTopicPosition)
        {
            discarded++;
            return;
        }
        nextTopicPosition = header.nextPosition();
        polled++;
        handler.onMessage(buffer, offset, length, header);
    }

    /**
     * @return true while messages come from the live topic.
     */
    public boolean isMerged()
    {
        return merged;
    }

    /**
     * @return the topic position after the last message delivered.
     */
    public long nextTopicPosition()
    {
        return nextTopicPosition;
    }

    /**
     * @return how many times a live subscriber was attached (more than once when one was lapped).
     */
    public long joins()
    {
        return joins;
    }

    /**
     * @return messages seen twice (in the journal and live) and delivered once.
     */
    public long discardedMessages()
    {
        return discarded;
    }

    /**
     * Close the reader and the live subscriber. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        reader.close();
        if (null != live)
        {
            live.close();
        }
    }
}
