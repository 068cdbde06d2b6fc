package io.shmbus.journal;

import io.shmbus.MessageHandler;
import io.shmbus.MessageHeader;
import io.shmbus.Publisher;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.locks.LockSupport;

/**
 * Replays a journal from a reader's position to an end position, at full speed or at the recorded pace, into a
 * handler or onto a topic through a publisher.
 *
 * <pre>{@code
 * try (Journal journal = Journal.open(dir); JournalReader reader = journal.reader(journal.positionAtTime(t)))
 * {
 *     Replayer.replay(reader, journal.endPosition(), true, handler, new BackoffIdleStrategy());
 * }
 * }</pre>
 */
public final class Replayer
{
    private Replayer()
    {
    }

    /**
     * Deliver every record from the reader's position up to {@code toPosition}.
     *
     * @param reader     the reader.
     * @param toPosition the journal position to stop at (a record's start; {@link Journal#endPosition()} for all
     *                   that is there now).
     * @param paced      true to keep the recorded intervals between messages (by their timestamps), false for
     *                   full speed.
     * @param handler    gets each message.
     * @param idle       used while waiting for records not yet written.
     * @return messages delivered.
     */
    public static long replay(
        final JournalReader reader,
        final long toPosition,
        final boolean paced,
        final MessageHandler handler,
        final IdleStrategy idle)
    {
        final Pace pace = new Pace(paced, handler);
        long count = 0;
        while (reader.position() < toPosition)
        {
            final int read = reader.poll(pace, 1);
            count += read;
            idle.idle(read);
        }
        return count;
    }

    /**
     * Republish every record from the reader's position up to {@code toPosition} onto a topic, keeping each
     * message's type; waits while the topic is back-pressured.
     *
     * @param reader     the reader.
     * @param toPosition the journal position to stop at.
     * @param paced      true to keep the recorded intervals.
     * @param publisher  a publisher of the target topic.
     * @param idle       used while waiting.
     * @return messages republished.
     */
    public static long republish(
        final JournalReader reader,
        final long toPosition,
        final boolean paced,
        final Publisher publisher,
        final IdleStrategy idle)
    {
        final MessageHandler offer = (buffer, offset, length, header) ->
        {
            long result;
            idle.reset();
            while ((result = publisher.offer(buffer, offset, length, header.type())) < 0)
            {
                if (Publisher.CLOSED == result)
                {
                    throw new JournalException("the publisher was closed while republishing");
                }
                idle.idle();
            }
        };
        return replay(reader, toPosition, paced, offer, idle);
    }

    private static final class Pace implements MessageHandler
    {
        private final boolean paced;
        private final MessageHandler handler;
        private long firstTimestampNs = Long.MIN_VALUE;
        private long startNanoTime;

        Pace(final boolean paced, final MessageHandler handler)
        {
            this.paced = paced;
            this.handler = handler;
        }

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length, final MessageHeader header)
        {
            if (paced)
            {
                final long ts = header.timestampNs();
                if (Long.MIN_VALUE == firstTimestampNs)
                {
                    firstTimestampNs = ts;
                    startNanoTime = System.nanoTime();
                }
                else
                {
                    final long due = startNanoTime + (ts - firstTimestampNs);
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0)
                    {
                        LockSupport.parkNanos(wait);
                    }
                }
            }
            handler.onMessage(buffer, offset, length, header);
        }
    }
}
