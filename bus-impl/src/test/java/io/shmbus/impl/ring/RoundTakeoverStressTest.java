package io.shmbus.impl.ring;

import io.shmbus.MessageHeader;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.TopicStatus;
import io.shmbus.impl.TestBus;
import io.shmbus.impl.process.TestMessages;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cleaning rounds taken over all the time: the takeover patience is cut to 20 us and a hook parks a round's owner at
 * random points of its round (after the walk, after announcing, inside a zeroing step, before the commit) for longer
 * than that, so that others take its round over and it resumes in the middle of what it was doing. Every
 * interleaving of a stale owner with its takers comes up thousands of times: a walk read by a stale
 * owner while later laps overwrite it, stale CASes of every round word, steps under way turned into holes, claims
 * padding over one or several holes (at the ring's start too, which makes the padding run past the ring's end),
 * holes released while claimers read them. A tethered reader must get every message of every publisher in order and
 * intact; an untethered one, intact messages in order with its loss counted; joins must keep working; and when all
 * stop, no hole may be left and cleanCount must still count exactly the messages before the oldest record.
 */
class RoundTakeoverStressTest
{
    private static final int MAX = 200;
    private static final int PUBLISHERS = 3;

    /** The readers run until the publishers have stopped and the tethered one has drained. */
    private final AtomicBoolean readersStop = new AtomicBoolean();

    @BeforeEach
    void impatientAndStalling()
    {
        RoomMaker.takeOverPatienceNs = 20_000;
        // One round point in eight parks its owner for 50 to 500 us: far past the patience, so it is taken over,
        // and the owner resumes later in the middle of what it was doing.
        CleaningRound.stallHook = point ->
        {
            final ThreadLocalRandom random = ThreadLocalRandom.current();
            if (random.nextInt(8) == 0)
            {
                LockSupport.parkNanos(50_000 + random.nextInt(450_000));
            }
        };
    }

    @AfterEach
    void patientAndSteady()
    {
        CleaningRound.stallHook = null;
        RoomMaker.takeOverPatienceNs = RoomMaker.TAKE_OVER_PATIENCE_NS;
    }

    @ParameterizedTest(name = "capacity={0}")
    @ValueSource(ints = {4096, 64 * 1024})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyMessageIntactWhileRoundsAreTakenOverConstantly(final int capacity) throws InterruptedException
    {
        try (TestBus test = TestBus.create("takeover-stress"))
        {
            final Topic topic = test.bus().topic("stress", TopicOptions.builder()
                .capacityBytes(capacity).maxMessageLength(MAX).maxPublishers(4).maxSubscribers(8).build());
            final AtomicBoolean running = new AtomicBoolean(true);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicLong maxHoles = new AtomicLong();
            final List<Thread> threads = new ArrayList<>();
            final List<Publisher> publishers = new ArrayList<>();
            final long[] sent = new long[PUBLISHERS];

            final Subscriber tethered = topic.subscriber(SubscriberOptions.tethered());
            final Subscriber untethered = topic.subscriber(SubscriberOptions.untethered());
            final Checker all = new Checker(true);
            final Checker some = new Checker(false);
            threads.add(reader("tethered", tethered, all));
            threads.add(reader("untethered", untethered, some));
            for (int p = 0; p < PUBLISHERS; p++)
            {
                final int id = p;
                final Publisher publisher = topic.publisher(PublisherOptions.shared());
                publishers.add(publisher);
                threads.add(new Thread(() -> sent[id] = publish(publisher, id, running), "publisher-" + p));
            }
            threads.add(new Thread(() ->
            {
                while (running.get())
                {
                    maxHoles.accumulateAndGet(topic.status().holes(), Math::max);
                    try (Subscriber joiner = topic.subscriber(SubscriberOptions.tethered()
                        .startAt(SubscriberOptions.StartPosition.OLDEST)))
                    {
                        joiner.poll((buffer, offset, length, header) -> { }, 10);
                    }
                    Thread.yield();
                }
            }, "joiner"));
            for (final Thread thread : threads)
            {
                thread.setUncaughtExceptionHandler((t, ex) -> failure.compareAndSet(null, ex));
                thread.start();
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            while (System.nanoTime() < deadline && null == failure.get())
            {
                Thread.sleep(10);
            }
            running.set(false);
            for (final Thread thread : threads.subList(2, threads.size()))
            {
                thread.join(TimeUnit.SECONDS.toMillis(20));
            }
            if (null != failure.get())
            {
                throw new AssertionError("a thread failed", failure.get());
            }
            // The publishers have stopped: let the tethered reader drain, then stop the readers.
            final long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (all.total() < Arrays.stream(sent).sum() && System.nanoTime() < drainDeadline)
            {
                Thread.sleep(1);
            }
            readersStop.set(true);
            threads.get(0).join(TimeUnit.SECONDS.toMillis(10));
            threads.get(1).join(TimeUnit.SECONDS.toMillis(10));
            if (null != failure.get())
            {
                throw new AssertionError("a thread failed", failure.get());
            }

            final TopicStatus status = topic.status();
            System.out.printf("takeover stress (capacity %d): %,d messages, %,d takeovers, at most %d holes seen; " +
                "untethered got %,d and lost %,d%n", capacity, Arrays.stream(sent).sum(), status.takeovers(),
                maxHoles.get(), some.total(), untethered.lostMessages());
            for (int p = 0; p < PUBLISHERS; p++)
            {
                assertEquals(sent[p], all.last[p] + 1, "publisher " + p + ": every message, in order");
            }
            assertTrue(status.takeovers() > 100, "rounds taken over: " + status.takeovers());
            assertEquals(0, status.holes(), "no hole left once every publisher stopped");
            assertEquals(Arrays.stream(sent).sum(), some.total() + untethered.lostMessages(),
                "the untethered reader got or counted as lost every message");
            for (final Publisher publisher : publishers)
            {
                publisher.close();
            }
        }
        finally
        {
            readersStop.set(false);
        }
    }

    private Thread reader(final String name, final Subscriber subscriber, final Checker checker)
    {
        return new Thread(() ->
        {
            while (!readersStop.get())
            {
                if (subscriber.poll(checker, 64) == 0)
                {
                    Thread.yield();
                }
            }
        }, name);
    }

    private static long publish(final Publisher publisher, final int id, final AtomicBoolean running)
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
        return sequence;
    }

    /**
     * Checks each message's content, and that each publisher's sequence goes up by one (tethered) or only goes up
     * (untethered, which may lose messages).
     */
    private static final class Checker implements io.shmbus.MessageHandler
    {
        private final boolean contiguous;
        private final long[] last = new long[PUBLISHERS];
        private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[MAX]);
        private final UnsafeBuffer expected = new UnsafeBuffer(new byte[MAX]);
        private final CRC32C crc = new CRC32C();
        private final AtomicLong delivered = new AtomicLong();

        Checker(final boolean contiguous)
        {
            this.contiguous = contiguous;
            Arrays.fill(last, -1);
        }

        long total()
        {
            return delivered.get();
        }

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length, final MessageHeader header)
        {
            final int type = header.type();
            final int p = TestMessages.publisherOf(type);
            if (p < 0 || p >= PUBLISHERS)
            {
                throw new AssertionError("unknown publisher " + p + " at position " + header.position());
            }
            final long sequence = TestMessages.sequenceOf(type, last[p]);
            if (contiguous ? sequence != last[p] + 1 : sequence <= last[p])
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
            delivered.incrementAndGet();
        }
    }
}
