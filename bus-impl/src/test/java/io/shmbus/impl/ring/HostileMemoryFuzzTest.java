package io.shmbus.impl.ring;

import io.shmbus.Bus;
import io.shmbus.BusException;
import io.shmbus.Claim;
import io.shmbus.MessageHandler;
import io.shmbus.MessageHeader;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicCorruptedException;
import io.shmbus.TopicOptions;
import io.shmbus.WaitStrategy;
import io.shmbus.impl.TestBus;
import io.shmbus.impl.layout.RecordDescriptor;
import io.shmbus.impl.layout.TopicHeaderDescriptor;
import io.shmbus.impl.layout.TopicHeaderDescriptor.Geometry;
import io.shmbus.impl.process.TestMessages;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile memory: a live topic whose header, control region and records are overwritten with random and
 * hostile values while a publisher and tethered and untethered subscribers keep using it, and corrupted
 * topic files opened afresh.
 *
 * <p>What must hold: no JVM crash, no call that does not return (every poll, offer, claim, join and open runs
 * under a {@link Watchdog}), no exception but {@link TopicCorruptedException} from the data path (and, when
 * attaching, a {@link BusException} naming the reason), every message handed to a handler lies within its
 * buffer and within the topic's maximum length, and, as long as only values that no publisher could have
 * written are injected (see {@link MemoryFuzzer}), every delivered message is intact and in order.
 *
 * <p>The single-threaded fuzz is deterministic for a seed: {@code -Dshmbus.fuzz.seed=N} replays a failure,
 * {@code -Dshmbus.fuzz.rounds=N} runs longer. The seed is in every failure's message.
 */
class HostileMemoryFuzzTest
{
    private static final long SEED = Long.getLong("shmbus.fuzz.seed", 0x5EC_F022L);
    private static final int ROUNDS = Integer.getInteger("shmbus.fuzz.rounds", 1500);
    private static final long CALL_LIMIT_MS = 3_000;
    /** A join may wait up to 10 s for a cleaning round before it gives up with a BusException. */
    private static final long JOIN_LIMIT_MS = 15_000;

    @Test
    @Timeout(150)
    void corruptedTopicsFailCleanlyAndNeverHang() throws Exception
    {
        final ExecutorService worker = Executors.newSingleThreadExecutor(r ->
        {
            final Thread t = new Thread(r, "fuzz-worker");
            t.setDaemon(true);
            return t;
        });
        final TestBus test = TestBus.create("fuzz");
        final Watchdog watchdog = new Watchdog(CALL_LIMIT_MS);
        try
        {
            final Stats stats = new Stats();
            final long start = System.nanoTime();
            final Future<?> run = worker.submit(() ->
            {
                for (int round = 0; round < ROUNDS; round++)
                {
                    final long roundSeed = SEED * 1_000_003L + round;
                    watchdog.context("seed " + SEED + ", round " + round + " (round seed " + roundSeed + ")");
                    new Round(test, watchdog, new SplittableRandom(roundSeed), round, stats).run();
                }
                return null;
            });
            awaitWatched(run, watchdog, 140);
            System.out.printf("fuzz seed %d: %d rounds, %d mutations (%d detectable), %d steps, %d messages " +
                "published, %d delivered intact, %d delivered altered (after plausible writes), %d " +
                "TopicCorruptedException, %d BusException on attach, %d fresh opens refused, %d accepted, in %d ms%n",
                SEED, ROUNDS, stats.mutations.get(), stats.detectable.get(), stats.steps.get(),
                stats.published.get(), stats.intact.get(), stats.altered.get(), stats.corrupted.get(),
                stats.attachRefused.get(), stats.openRefused.get(), stats.openAccepted.get(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            stats.messages.forEach((what, count) -> System.out.printf("%7d  %s%n", count, what));
            assertTrue(stats.corrupted.get() > 0, "the fuzz never made the bus report corruption");
            assertTrue(stats.intact.get() > 0, "the fuzz never delivered a message");
        }
        finally
        {
            worker.shutdownNow();
            watchdog.close();
            closeUnlessHung(test, watchdog);
        }
    }

    /**
     * Close the bus, unless a call hung: its thread may still be touching the mappings, and unmapping them under it
     * would crash the JVM. Then only the files are removed (the mappings stay until the JVM exits).
     */
    static void closeUnlessHung(final TestBus test, final Watchdog watchdog)
    {
        if (null == watchdog.failure())
        {
            test.close();
        }
        else
        {
            TestBus.delete(test.directory());
        }
    }

    /**
     * Threads: a publisher and tethered and untethered subscribers work on a topic while another thread writes
     * hostile values into it. Interleavings are not reproducible (the seed fixes the values written); what must hold
     * is that every call returns in bounded time, only {@link TopicCorruptedException} escapes the data path, and
     * every delivery lies within its buffer and the topic's limits.
     */
    @Test
    @Timeout(120)
    void concurrentParticipantsSurviveHostileWrites() throws Exception
    {
        final long seconds = Long.getLong("shmbus.fuzz.concurrentSeconds", 12);
        final TestBus test = TestBus.create("cfuzz");
        final Watchdog watchdog = new Watchdog(CALL_LIMIT_MS);
        final Stats stats = new Stats();
        final List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        final SplittableRandom random = new SplittableRandom(SEED);
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int epoch = 0;
        try
        {
            while (System.nanoTime() - end < 0 && failures.isEmpty() && null == watchdog.failure())
            {
                watchdog.context("seed " + SEED + ", concurrent epoch " + epoch);
                concurrentEpoch(test, watchdog, random.split(), "cfuzz" + epoch, stats, failures);
                epoch++;
            }
            if (null != watchdog.failure())
            {
                throw watchdog.failure();
            }
            if (!failures.isEmpty())
            {
                final AssertionError error = new AssertionError("seed " + SEED + ", concurrent epoch " + (epoch - 1) +
                    ": " + failures.get(0), failures.get(0));
                failures.stream().skip(1).forEach(error::addSuppressed);
                throw error;
            }
            System.out.printf("concurrent fuzz seed %d: %d epochs, %d mutations, %d published, %d delivered " +
                "(%d altered), %d TopicCorruptedException%n", SEED, epoch, stats.mutations.get(),
                stats.published.get(), stats.intact.get() + stats.altered.get(), stats.altered.get(),
                stats.corrupted.get());
            stats.messages.forEach((what, count) -> System.out.printf("%7d  %s%n", count, what));
            assertTrue(stats.corrupted.get() > 0, "the fuzz never made the bus report corruption");
        }
        finally
        {
            watchdog.close();
            closeUnlessHung(test, watchdog);
        }
    }

    private static void concurrentEpoch(
        final TestBus test,
        final Watchdog watchdog,
        final SplittableRandom random,
        final String name,
        final Stats stats,
        final List<Throwable> failures) throws Exception
    {
        final TopicOptions options = TopicOptions.builder()
            .capacityBytes(4096 << random.nextInt(3))
            .maxMessageLength(256)
            .maxPublishers(2)
            .maxSubscribers(6)
            .timestamps(random.nextBoolean())
            .requireSubscriber(false)
            .build();
        final Geometry geometry = Geometry.of(options.capacityBytes(), options.maxMessageLength(),
            options.maxPublishers(), options.maxSubscribers(), options.timestamps());
        final Topic topic = test.bus().topic(name, options);
        final Path path = test.directory().resolve(name);
        final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        final List<Thread> threads = new ArrayList<>();
        final MemoryFuzzer fuzzer = new MemoryFuzzer(path, geometry, random.split());
        try
        {
            final boolean exclusive = random.nextBoolean();
            final Publisher publisher = topic.publisher(
                exclusive ? PublisherOptions.exclusive() : PublisherOptions.shared());
            final List<Subscriber> subscribers = new ArrayList<>();
            for (int i = 0; i < 4; i++)
            {
                final SubscriberOptions policy =
                    i % 2 == 0 ? SubscriberOptions.tethered() : SubscriberOptions.untethered();
                subscribers.add(topic.subscriber(policy.waitStrategy(WaitStrategy.backoff())));
            }
            threads.add(worker("publisher", failures, () ->
            {
                final UnsafeBuffer scratch = new UnsafeBuffer(new byte[options.maxMessageLength()]);
                final CRC32C crc = new CRC32C();
                long sequence = 0;
                while (!stop.get())
                {
                    final int length = TestMessages.length(0, sequence, options.maxMessageLength());
                    TestMessages.fill(scratch, crc, 0, sequence, length);
                    watchdog.enter("offer");
                    try
                    {
                        final long result = publisher.offer(scratch, 0, length, TestMessages.type(0, sequence));
                        if (result > 0)
                        {
                            fuzzer.boundary(result);
                            sequence++;
                            stats.published.incrementAndGet();
                        }
                        else
                        {
                            checkStatus("offer", result);
                            Thread.yield();
                        }
                    }
                    catch (final TopicCorruptedException ex)
                    {
                        stats.corrupted.incrementAndGet();
                        stats.seen(ex);
                        return;
                    }
                    finally
                    {
                        watchdog.exit();
                    }
                }
            }));
            for (int i = 0; i < subscribers.size(); i++)
            {
                final Subscriber subscriber = subscribers.get(i);
                final Checker checker = new Checker("subscriber " + i, options.maxMessageLength(), i % 2 == 0, stats);
                checker.strict = false;
                threads.add(worker("subscriber-" + i, failures, () ->
                {
                    while (!stop.get())
                    {
                        watchdog.enter("poll");
                        try
                        {
                            if (subscriber.poll(checker, 16) == 0)
                            {
                                Thread.yield();
                            }
                        }
                        catch (final TopicCorruptedException ex)
                        {
                            stats.corrupted.incrementAndGet();
                            stats.seen(ex);
                            return;
                        }
                        finally
                        {
                            watchdog.exit();
                        }
                        if (null != checker.failure)
                        {
                            throw new AssertionError(checker.failure);
                        }
                    }
                }));
            }
            final long mutationPauseNs = 50_000 + random.nextInt(1_000_000);
            threads.add(worker("fuzzer", failures, () ->
            {
                while (!stop.get())
                {
                    java.util.concurrent.locks.LockSupport.parkNanos(mutationPauseNs);
                    stats.mutations.incrementAndGet();
                    if (random.nextInt(3) == 0)
                    {
                        fuzzer.detectable();
                    }
                    else
                    {
                        fuzzer.plausible();
                    }
                }
            }));
            threads.forEach(Thread::start);
            Thread.sleep(150 + random.nextInt(250));
        }
        finally
        {
            stop.set(true);
            for (final Thread thread : threads)
            {
                thread.join(TimeUnit.MILLISECONDS.toMillis(JOIN_LIMIT_MS));
            }
            // Unmap only once every thread is gone: unmapping under a running thread would crash the JVM.
            if (threads.stream().noneMatch(Thread::isAlive) && null == watchdog.failure())
            {
                fuzzer.close();
                topic.close();
            }
            Files.deleteIfExists(path);
        }
    }

    private static Thread worker(final String name, final List<Throwable> failures, final Runnable body)
    {
        final Thread thread = new Thread(() ->
        {
            try
            {
                body.run();
            }
            catch (final Throwable ex)
            {
                failures.add(new AssertionError(name + ": " + ex, ex));
            }
        }, "cfuzz-" + name);
        thread.setDaemon(true);
        return thread;
    }

    /**
     * Wait for a task while checking the watchdog; a hang fails with the stuck thread's stack.
     */
    static void awaitWatched(final Future<?> task, final Watchdog watchdog, final long seconds) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true)
        {
            final AssertionError hang = watchdog.failure();
            if (null != hang)
            {
                throw hang;
            }
            try
            {
                task.get(20, TimeUnit.MILLISECONDS);
                return;
            }
            catch (final TimeoutException ex)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw new AssertionError("fuzz did not finish within " + seconds + " s");
                }
            }
            catch (final java.util.concurrent.ExecutionException ex)
            {
                if (ex.getCause() instanceof AssertionError error)
                {
                    throw error;
                }
                throw new AssertionError("fuzz failed: " + ex.getCause(), ex.getCause());
            }
        }
    }

    static final class Stats
    {
        final AtomicLong mutations = new AtomicLong();
        final AtomicLong detectable = new AtomicLong();
        final AtomicLong steps = new AtomicLong();
        final AtomicLong published = new AtomicLong();
        final AtomicLong intact = new AtomicLong();
        final AtomicLong altered = new AtomicLong();
        final AtomicLong corrupted = new AtomicLong();
        final AtomicLong attachRefused = new AtomicLong();
        final AtomicLong openRefused = new AtomicLong();
        final AtomicLong openAccepted = new AtomicLong();
        /** How often each kind of exception message was seen (digits removed), to show what the fuzz reached. */
        final java.util.Map<String, Integer> messages = new java.util.concurrent.ConcurrentSkipListMap<>();

        void seen(final Exception ex)
        {
            final String message = String.valueOf(ex.getMessage());
            final int colon = message.indexOf(": corrupt: ");
            final String what = (colon >= 0 ? message.substring(colon + 11) : message.replaceAll("^[^ ]*: ", ""))
                .replaceAll("0x[0-9a-f]+", "X").replaceAll("-?[0-9]+", "N");
            messages.merge(ex.getClass().getSimpleName() + ": " + what.substring(0, Math.min(90, what.length())), 1,
                Integer::sum);
        }
    }

    /**
     * Checks every delivery: inside the buffer, within the topic's limits; intact and in order while only
     * detectable mutations were made.
     */
    static final class Checker implements MessageHandler
    {
        private final String name;
        private final int max;
        private final boolean tethered;
        private final UnsafeBuffer scratch;
        private final UnsafeBuffer expected;
        private final CRC32C crc = new CRC32C();
        private final Stats stats;
        boolean strict = true;
        long last = -1;
        String failure;

        Checker(final String name, final int max, final boolean tethered, final Stats stats)
        {
            this.name = name;
            this.max = max;
            this.tethered = tethered;
            this.stats = stats;
            this.scratch = new UnsafeBuffer(new byte[Math.max(8, max)]);
            this.expected = new UnsafeBuffer(new byte[Math.max(8, max)]);
        }

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length, final MessageHeader header)
        {
            if (offset < 0 || length < 0 || length > max || (long)offset + length > buffer.capacity() ||
                header.length() != length || (header.position() & (RecordDescriptor.ALIGNMENT - 1)) != 0)
            {
                fail("message outside its buffer or limits: offset " + offset + ", length " + length + " (max " +
                    max + "), buffer capacity " + buffer.capacity() + ", header length " + header.length() +
                    ", position " + header.position());
                return;
            }
            final int type = header.type();
            final long sequence = TestMessages.sequenceOf(type, last);
            final boolean fromTest = TestMessages.publisherOf(type) == 0;
            final long sum = fromTest ? TestMessages.verify(
                buffer, offset, length, type, 0, sequence, max, scratch, expected, crc) : TestMessages.BAD_BODY;
            if (sum < 0)
            {
                stats.altered.incrementAndGet();
                if (strict)
                {
                    fail("an altered message was delivered at position " + header.position() + " (length " + length +
                        ", type " + type + ") although only detectable corruption was injected");
                }
                return;
            }
            if (strict && last >= 0 && (tethered ? sequence != last + 1 : sequence <= last))
            {
                fail("sequence " + sequence + " after " + last + " at position " + header.position());
            }
            last = sequence;
            stats.intact.incrementAndGet();
        }

        private void fail(final String what)
        {
            if (null == failure)
            {
                failure = name + ": " + what;
            }
        }
    }

    /**
     * One topic's life: created, used and corrupted in random steps, closed, corrupted in its header and opened
     * again, deleted.
     */
    static final class Round
    {
        private final TestBus test;
        private final Watchdog watchdog;
        private final SplittableRandom random;
        private final Stats stats;
        private final String name;
        private final TopicOptions options;
        private final Geometry geometry;
        private final boolean strict;
        private final UnsafeBuffer scratch;
        private final CRC32C crc = new CRC32C();
        private final Claim claim = new Claim();
        private final List<Subscriber> subscribers = new ArrayList<>();
        private final List<Checker> checkers = new ArrayList<>();
        private MemoryFuzzer fuzzer;
        private Topic topic;
        private Publisher publisher;
        private long sequence;
        /** The largest message of the topic as opened: a reopened header may hold another valid value. */
        private int max;

        Round(final TestBus test, final Watchdog watchdog, final SplittableRandom random, final int round,
            final Stats stats)
        {
            this.test = test;
            this.watchdog = watchdog;
            this.random = random;
            this.stats = stats;
            this.name = "fuzz" + round;
            final int capacity = 4096 << random.nextInt(3);
            this.options = TopicOptions.builder()
                .capacityBytes(capacity)
                .maxMessageLength(capacity / 8 - random.nextInt(2) * 100)
                .maxPublishers(1 + random.nextInt(4))
                .maxSubscribers(4 + random.nextInt(4))
                .timestamps(random.nextBoolean())
                .requireSubscriber(random.nextBoolean())
                .build();
            this.geometry = Geometry.of(options.capacityBytes(), options.maxMessageLength(), options.maxPublishers(),
                options.maxSubscribers(), options.timestamps());
            this.strict = random.nextInt(3) == 0;
            this.scratch = new UnsafeBuffer(new byte[64 * 1024]);
            this.max = options.maxMessageLength();
        }

        void run() throws Exception
        {
            final Path path = test.directory().resolve(name);
            topic = call("create topic", () -> test.bus().topic(name, options));
            fuzzer = new MemoryFuzzer(path, geometry, random);
            try
            {
                attachPublisher();
                for (int i = 0; i < 4; i++)
                {
                    join(i);
                }
                final int steps = 60 + random.nextInt(120);
                for (int step = 0; step < steps; step++)
                {
                    stats.steps.incrementAndGet();
                    step();
                    for (final Checker checker : checkers)
                    {
                        if (null != checker.failure)
                        {
                            throw new AssertionError(context() + ": " + checker.failure);
                        }
                    }
                }
                closeAll();
                reopen();
            }
            finally
            {
                fuzzer.close();
                if (null != topic)
                {
                    topic.close();
                }
                Files.deleteIfExists(path);
            }
        }

        private String context()
        {
            return "seed " + SEED + ", topic " + name + " " + options + (strict ? ", detectable" : ", plausible") +
                " mutations " + fuzzer.log();
        }

        private void step() throws Exception
        {
            final int r = random.nextInt(100);
            if (r < 35)
            {
                publish(1 + random.nextInt(6));
            }
            else if (r < 75)
            {
                if (subscribers.isEmpty())
                {
                    return;
                }
                final int i = random.nextInt(subscribers.size());
                final Subscriber subscriber = subscribers.get(i);
                if (null != subscriber)
                {
                    final int limit = 1 + random.nextInt(32);
                    dataPath("poll subscriber " + i, () ->
                    {
                        subscriber.poll(checkers.get(i), limit);
                        return null;
                    }, () ->
                    {
                        subscribers.set(i, null);
                        subscriber.close(); // frees its slot for a later join
                    });
                }
            }
            else if (r < 87)
            {
                stats.mutations.incrementAndGet();
                if (strict)
                {
                    stats.detectable.incrementAndGet();
                    fuzzer.detectable();
                }
                else
                {
                    fuzzer.plausible();
                    for (final Checker checker : checkers)
                    {
                        checker.strict = false;
                    }
                }
            }
            else if (r < 90)
            {
                dataPath("status", () -> topic.status(), () -> { });
            }
            else if (r < 95)
            {
                if (subscribers.isEmpty())
                {
                    return;
                }
                final int i = random.nextInt(subscribers.size());
                if (null == subscribers.get(i) && fuzzer.isQuiescent())
                {
                    join(i);
                }
            }
            else if (null == publisher)
            {
                attachPublisher();
            }
        }

        private void publish(final int count) throws Exception
        {
            for (int n = 0; n < count && null != publisher; n++)
            {
                final int length = TestMessages.length(0, sequence, max);
                TestMessages.fill(scratch, crc, 0, sequence, length);
                final int type = TestMessages.type(0, sequence);
                final int how = random.nextInt(8);
                final Publisher p = publisher;
                final Long result = dataPath("offer", () ->
                {
                    if (how == 0)
                    {
                        final long claimed = p.tryClaim(length, claim);
                        if (claimed > 0)
                        {
                            claim.buffer().putBytes(0, scratch, 0, length);
                            claim.type(type).abort();
                            return 0L; // given up: not a message
                        }
                        return claimed;
                    }
                    if (how == 1)
                    {
                        final long claimed = p.tryClaim(length, claim);
                        if (claimed > 0)
                        {
                            claim.buffer().putBytes(0, scratch, 0, length);
                            claim.type(type).commit();
                        }
                        return claimed;
                    }
                    return p.offer(scratch, 0, length, type);
                }, () ->
                {
                    publisher = null;
                    p.close();
                });
                if (null != result)
                {
                    checkStatus("offer or claim", result);
                }
                if (null != result && result > 0)
                {
                    fuzzer.boundary(result);
                    fuzzer.boundary(result - RecordDescriptor.alignedLength(geometry.recordHeaderLength() + length));
                    sequence++;
                    stats.published.incrementAndGet();
                }
            }
        }

        private void attachPublisher() throws Exception
        {
            final PublisherOptions publisherOptions = random.nextBoolean() ?
                PublisherOptions.exclusive() : PublisherOptions.shared();
            if (null != publisher)
            {
                final Publisher old = publisher;
                call("close publisher", () ->
                {
                    old.close();
                    return null;
                });
            }
            publisher = attach("attach publisher", () -> topic.publisher(publisherOptions));
        }

        private void join(final int i) throws Exception
        {
            final boolean tethered = i % 2 == 0;
            SubscriberOptions subscriberOptions = tethered ? SubscriberOptions.tethered() :
                SubscriberOptions.untethered();
            subscriberOptions = subscriberOptions
                .startAt(random.nextBoolean() ? SubscriberOptions.StartPosition.OLDEST :
                    SubscriberOptions.StartPosition.TAIL)
                .waitStrategy(WaitStrategy.backoff());
            final SubscriberOptions chosen = subscriberOptions;
            final Subscriber subscriber = attach("join subscriber " + i, () -> topic.subscriber(chosen), JOIN_LIMIT_MS);
            final Checker checker = new Checker("subscriber " + i + (tethered ? " (tethered)" : " (untethered)"),
                max, tethered, stats);
            checker.strict = strict;
            if (i < subscribers.size())
            {
                subscribers.set(i, subscriber);
                checkers.set(i, checker);
            }
            else
            {
                subscribers.add(subscriber);
                checkers.add(checker);
            }
        }

        private void closeAll() throws Exception
        {
            for (final Subscriber subscriber : subscribers)
            {
                if (null != subscriber)
                {
                    call("close subscriber", () ->
                    {
                        subscriber.close();
                        return null;
                    });
                }
            }
            if (null != publisher)
            {
                call("close publisher", () ->
                {
                    publisher.close();
                    return null;
                });
            }
            final Topic closing = topic;
            topic = null;
            call("close topic", () ->
            {
                closing.close();
                return null;
            });
        }

        /**
         * Corrupt the closed file's header (sometimes), then open it again and use it a little.
         */
        private void reopen() throws Exception
        {
            if (random.nextBoolean())
            {
                final int mutations = 1 + random.nextInt(3);
                for (int i = 0; i < mutations; i++)
                {
                    stats.mutations.incrementAndGet();
                    fuzzer.header();
                }
            }
            // The fields the checks pin down exactly (everything up to the file length, and the record header
            // length): any change must be refused. Other fields may hold other valid values.
            final boolean mustFail = !checkedFieldsAsCreated();
            try (Bus bus = Bus.open(io.shmbus.BusOptions.builder().directory(test.directory()).build()))
            {
                final Topic reopened;
                try
                {
                    reopened = call("open corrupted topic", () -> bus.openTopic(name));
                }
                catch (final TopicCorruptedException ex)
                {
                    stats.openRefused.incrementAndGet();
                    stats.corrupted.incrementAndGet();
                    stats.seen(ex);
                    return;
                }
                stats.openAccepted.incrementAndGet();
                if (mustFail)
                {
                    throw new AssertionError(context() + ": a topic whose header was changed in a checked field " +
                        "was opened");
                }
                topic = reopened;
                max = reopened.options().maxMessageLength();
                if (max > scratch.capacity())
                {
                    max = 0; // not the test's to publish: publish empty messages
                }
                subscribers.clear();
                checkers.clear();
                publisher = null;
                attachPublisher();
                if (fuzzer.isQuiescent())
                {
                    join(0);
                    join(1);
                }
                for (final Checker checker : checkers)
                {
                    checker.strict = false;
                }
                for (int i = 0; i < 20; i++)
                {
                    step();
                }
                closeAll();
            }
        }

        private boolean checkedFieldsAsCreated()
        {
            final UnsafeBuffer expected = new UnsafeBuffer(new byte[TopicHeaderDescriptor.HEADER_LENGTH]);
            TopicHeaderDescriptor.initialise(expected, geometry, 0, name, 0, 0);
            for (int i = 0; i < TopicHeaderDescriptor.FLAGS_OFFSET; i++)
            {
                if ((i < TopicHeaderDescriptor.MAX_MESSAGE_LENGTH_OFFSET ||
                    i >= TopicHeaderDescriptor.RECORD_HEADER_LENGTH_OFFSET) &&
                        fuzzer.headerByte(i) != expected.getByte(i))
                {
                    return false;
                }
            }
            return true;
        }

        /**
         * A data-path call: it may report corruption (then {@code onCorrupt} runs and null is returned), nothing
         * else.
         */
        private <T> T dataPath(final String what, final Callable<T> body, final Runnable onCorrupt) throws Exception
        {
            try
            {
                return call(what, body);
            }
            catch (final TopicCorruptedException ex)
            {
                stats.corrupted.incrementAndGet();
                stats.seen(ex);
                call("close after corruption", () ->
                {
                    onCorrupt.run();
                    return null;
                });
                return null;
            }
        }

        /**
         * Attaching: may report corruption, or refuse with a BusException; returns null then.
         */
        private <T> T attach(final String what, final Callable<T> body) throws Exception
        {
            return attach(what, body, CALL_LIMIT_MS);
        }

        private <T> T attach(final String what, final Callable<T> body, final long limitMs) throws Exception
        {
            try
            {
                watchdog.enter(what, TimeUnit.MILLISECONDS.toNanos(limitMs));
                try
                {
                    return body.call();
                }
                finally
                {
                    watchdog.exit();
                }
            }
            catch (final TopicCorruptedException ex)
            {
                stats.corrupted.incrementAndGet();
                stats.seen(ex);
                return null;
            }
            catch (final BusException ex)
            {
                stats.attachRefused.incrementAndGet();
                stats.seen(ex);
                return null;
            }
            catch (final RuntimeException | Error ex)
            {
                throw new AssertionError(context() + ": " + what + " threw " + ex, ex);
            }
        }

        private <T> T call(final String what, final Callable<T> body) throws Exception
        {
            watchdog.enter(what);
            try
            {
                return body.call();
            }
            catch (final TopicCorruptedException ex)
            {
                throw ex;
            }
            catch (final RuntimeException | Error ex)
            {
                throw new AssertionError(context() + ": " + what + " threw " + ex, ex);
            }
            finally
            {
                watchdog.exit();
            }
        }
    }

    /**
     * A publisher's result is a position (positive) or one of the four documented status codes; anything else (a
     * negative position from an overflowed sum) is a failure of the contract.
     */
    static void checkStatus(final String what, final long result)
    {
        if (result < 0 && result != io.shmbus.Publisher.NOT_CONNECTED &&
            result != io.shmbus.Publisher.BACK_PRESSURED && result != io.shmbus.Publisher.ADMIN_ACTION &&
            result != io.shmbus.Publisher.CLOSED)
        {
            throw new AssertionError(what + " returned " + result + ": neither a position nor a status code");
        }
    }
}
