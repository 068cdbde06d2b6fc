package io.shmbus.interop;

import io.shmbus.Publisher;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishing test messages from the test JVM, retrying while back-pressured, but never for ever: a publisher that
 * makes no progress for {@link #STUCK_MS} fails the test (a JUnit timeout cannot stop a thread that never waits).
 */
final class Publishing
{
    static final long STUCK_MS = 20_000;

    private Publishing()
    {
    }

    /**
     * Publish messages 0 to count - 1 of a tag.
     *
     * @param progress set to the number published so far, as it goes.
     * @return how many offers were refused (back-pressured or waiting for a round).
     */
    static long publish(
        final Publisher publisher, final int tag, final long count, final int span, final AtomicLong progress)
    {
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[span + 16]);
        long refused = 0;
        for (long seq = 0; seq < count; seq++)
        {
            final int length = TestMessage.fill(scratch, tag, seq, span);
            long stuckSince = 0;
            long result;
            while ((result = publisher.offer(scratch, 0, length, tag)) <= 0)
            {
                if (result != Publisher.BACK_PRESSURED && result != Publisher.ADMIN_ACTION &&
                    result != Publisher.NOT_CONNECTED)
                {
                    throw new AssertionError("offer of message " + seq + " returned " + result);
                }
                refused++;
                final long now = System.nanoTime();
                if (stuckSince == 0)
                {
                    stuckSince = now;
                }
                else if (now - stuckSince > TimeUnit.MILLISECONDS.toNanos(STUCK_MS))
                {
                    throw new AssertionError("publisher " + publisher.id() + " stuck at message " + seq + " of tag " +
                        tag + " for " + STUCK_MS + " ms (status " + result + ")");
                }
                Thread.yield();
            }
            progress.set(seq + 1);
        }
        return refused;
    }

    static long publish(final Publisher publisher, final int tag, final long count, final int span)
    {
        return publish(publisher, tag, count, span, new AtomicLong());
    }
}
