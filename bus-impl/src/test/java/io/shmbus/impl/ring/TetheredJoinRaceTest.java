package io.shmbus.impl.ring;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.SubscriberOptions.StartPosition;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.impl.TestBus;
import io.shmbus.impl.process.TestMessages;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Tethered subscribers join, alternately at the oldest retained message and at the tail, while publisher threads
 * lap a 4 KiB ring as fast as an anchor subscriber lets them: the join races the cleaning rounds that read the
 * subscriber slots and zero the ring. Whatever a joiner reads must be intact and, for each publisher, contiguous
 * from its first message on (a joiner the rounds did not see would read zeroed or reused bytes: a stall, a gap or
 * a bad checksum). A joiner at the tail starts at the tail as it was before the join, or just before it at claims
 * not yet committed.
 */
class TetheredJoinRaceTest
{
    private static final int MAX = 200;

    @ParameterizedTest(name = "publishers={0}")
    @ValueSource(ints = {1, 2})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void joinersReadContiguousIntactMessages(final int publisherCount) throws InterruptedException
    {
        try (TestBus test = TestBus.create("tethered-join"))
        {
            final Topic topic = test.bus().topic("join", TopicOptions.builder()
                .capacityBytes(4096).maxMessageLength(MAX).build());
            final AtomicBoolean running = new AtomicBoolean(true);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final List<Thread> threads = new ArrayList<>();
            final List<Publisher> publishers = new ArrayList<>();

            final Subscriber anchor = topic.subscriber(SubscriberOptions.tethered());
            threads.add(new Thread(() ->
            {
                final Checker checker = new Checker(publisherCount);
                while (running.get())
                {
                    if (anchor.poll(checker, 64) == 0)
                    {
                        Thread.yield(); // four busy threads on as few cores: hand over at once
                    }
                }
            }, "anchor"));
            for (int p = 0; p < publisherCount; p++)
            {
                final int id = p;
                final Publisher publisher = topic.publisher(
                    publisherCount == 1 ? PublisherOptions.exclusive() : PublisherOptions.shared());
                publishers.add(publisher);
                threads.add(new Thread(() -> publish(publisher, id, running), "publisher-" + p));
            }
            for (final Thread thread : threads)
            {
                thread.setUncaughtExceptionHandler((t, ex) -> failure.compareAndSet(null, ex));
                thread.start();
            }
            try
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                int joins = 0;
                long read = 0;
                while (System.nanoTime() < deadline && null == failure.get())
                {
                    final boolean oldest = (joins & 1) == 0;
                    final long tailBefore = publishers.getFirst().position();
                    final Subscriber joiner = topic.subscriber(SubscriberOptions.tethered()
                        .startAt(oldest ? StartPosition.OLDEST : StartPosition.TAIL));
                    final long start = joiner.position();
                    if (!oldest)
                    {
                        assertTrue(start >= tailBefore - 2L * publisherCount * 256,
                            "join " + joins + " at the tail started at " + start + ", the tail was " + tailBefore);
                    }
                    final Checker checker = new Checker(publisherCount);
                    final int wanted = 1 + ThreadLocalRandom.current().nextInt(300);
                    final long readDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (checker.delivered < wanted)
                    {
                        if (joiner.poll(checker, wanted - (int)checker.delivered) == 0)
                        {
                            if (System.nanoTime() > readDeadline || null != failure.get())
                            {
                                fail("join " + joins + " (" + (oldest ? "oldest" : "tail") + ", started at " + start +
                                    ") stalled at position " + joiner.position() + " after " + checker.delivered +
                                    " messages; the tail is " + publishers.getFirst().position() + "; " +
                                        failure.get());
                            }
                            Thread.yield();
                        }
                    }
                    read += checker.delivered;
                    joiner.close();
                    joins++;
                }
                assertEquals(null, failure.get());
                assertTrue(joins > 100, "only " + joins + " joins");
                System.out.printf("tethered join race (%d publisher(s)): %,d joins read %,d messages while %,d bytes " +
                    "were published%n", publisherCount, joins, read, publishers.getFirst().position());
            }
            finally
            {
                running.set(false);
                for (final Thread thread : threads)
                {
                    thread.join(TimeUnit.SECONDS.toMillis(10));
                }
            }
            if (null != failure.get())
            {
                throw new AssertionError("a thread failed", failure.get());
            }
        }
    }

    private static void publish(final Publisher publisher, final int id, final AtomicBoolean running)
    {
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[MAX]);
        final CRC32C crc = new CRC32C();
        long sequence = 0;
        while (running.get())
        {
            final int length = TestMessages.length(id, sequence, MAX);
            TestMessages.fill(scratch, crc, id, sequence, length);
            final long result = publisher.offer(scratch, 0, length, TestMessages.type(id, sequence));
            if (result > 0)
            {
                sequence++;
            }
            else if (result == Publisher.CLOSED)
            {
                throw new IllegalStateException("publisher closed");
            }
            else
            {
                Thread.yield();
            }
        }
    }

    /**
     * Checks each message and that each publisher's sequence goes up by one from the first message seen.
     */
    private static final class Checker implements io.shmbus.MessageHandler
    {
        private final long[] last;
        private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[MAX]);
        private final UnsafeBuffer expected = new UnsafeBuffer(new byte[MAX]);
        private final CRC32C crc = new CRC32C();
        long delivered;

        Checker(final int publishers)
        {
            last = new long[publishers];
            Arrays.fill(last, -1);
        }

        @Override
        public void onMessage(final org.agrona.DirectBuffer buffer, final int offset, final int length,
            final io.shmbus.MessageHeader header)
        {
            final int type = header.type();
            final int p = TestMessages.publisherOf(type);
            if (p >= last.length)
            {
                throw new AssertionError("unknown publisher " + p + " at position " + header.position());
            }
            final long sequence = TestMessages.sequenceOf(type, last[p]);
            if (last[p] >= 0 && sequence != last[p] + 1)
            {
                throw new AssertionError("publisher " + p + ": sequence " + sequence + " after " + last[p] +
                    " at position " + header.position());
            }
            if (TestMessages.verify(buffer, offset, length, type, p, sequence, MAX, scratch, expected, crc) < 0)
            {
                throw new AssertionError("publisher " + p + " sequence " + sequence + ": bad length or checksum at " +
                    "position " + header.position());
            }
            last[p] = sequence;
            delivered++;
        }
    }
}
