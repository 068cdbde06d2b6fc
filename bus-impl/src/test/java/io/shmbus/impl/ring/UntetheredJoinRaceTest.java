package io.shmbus.impl.ring;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.impl.TestBus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Untethered subscribers join at the tail while a publisher thread laps a 4 KiB ring flat out, so the join's
 * walk from the oldest retained record to the tail races the cleaning rounds that zero those very records. A
 * subscriber that joins at the tail must start at the tail as it was before the join, or just before it at the
 * one claim not yet committed (never at a position already given up), and the join must never take a record
 * being zeroed for a corrupt one. With timestamps the record header is 32 bytes, so a
 * 16-byte wrap padding misread as a message would be rejected as corrupt.
 */
class UntetheredJoinRaceTest
{
    /** The largest record: a 32-byte header and 200 bytes, aligned to 16. */
    private static final int MAX_RECORD = 240;

    @ParameterizedTest(name = "timestamps={0}")
    @ValueSource(booleans = {false, true})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void joinAtTailWhileRoundsZeroTheWalk(final boolean timestamps) throws InterruptedException
    {
        try (TestBus test = TestBus.create("join-race"))
        {
            final Topic topic = test.bus().topic("join", TopicOptions.builder()
                .capacityBytes(4096).maxMessageLength(200).timestamps(timestamps).build());
            final Subscriber anchor = topic.subscriber(SubscriberOptions.untethered());
            final Publisher publisher = topic.publisher(PublisherOptions.exclusive());
            final AtomicBoolean running = new AtomicBoolean(true);
            final AtomicReference<Throwable> publisherFailure = new AtomicReference<>();
            final Thread writer = new Thread(() ->
            {
                try
                {
                    final UnsafeBuffer buffer = new UnsafeBuffer(new byte[200]);
                    long i = 0;
                    while (running.get())
                    {
                        // Mostly small records, so a walk over a lap takes many steps; now and then a large one.
                        final int length = (i % 17 == 0) ? 150 + (int)(i % 50) : (int)(i % 24);
                        if (publisher.offer(buffer, 0, length, (int)i) > 0)
                        {
                            i++;
                        }
                    }
                }
                catch (final Throwable ex)
                {
                    publisherFailure.set(ex);
                }
            }, "publisher");
            writer.start();
            try
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                int joins = 0;
                while (System.nanoTime() < deadline && writer.isAlive())
                {
                    final long tailBefore = publisher.position();
                    final Subscriber joiner = topic.subscriber(SubscriberOptions.untethered());
                    final long start = joiner.position();
                    final long tailAfter = publisher.position();
                    // The one publisher may hold one claim, not yet committed, at the tail: the joiner starts before
                    // it, at most a record and a wrap padding back; anything further back was given up already.
                    assertTrue(start >= tailBefore - 2 * MAX_RECORD && start <= tailAfter, "join " + joins +
                        ": started at " + start + ", the tail was " + tailBefore + " before and " + tailAfter +
                        " after the join");
                    joiner.close();
                    joins++;
                }
                assertTrue(joins > 100, "only " + joins + " joins");
                System.out.printf("untethered join race (timestamps=%s): %,d joins while %,d bytes were published%n",
                    timestamps, joins, publisher.position());
            }
            finally
            {
                running.set(false);
                writer.join(TimeUnit.SECONDS.toMillis(10));
            }
            assertEquals(null, publisherFailure.get());
            anchor.close();
        }
    }
}
