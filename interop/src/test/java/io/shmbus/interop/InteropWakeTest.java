package io.shmbus.interop;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicStatus;
import io.shmbus.WaitStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.shmbus.interop.Proc.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Futex wake-ups across the two implementations. A sleeper that is caught up sleeps in slices of one second, so a
 * message published after a pause and delivered within a fraction of that was delivered by a wake-up (and the waker
 * counted one), not by the sleeper's next look; and the sleeper used next to no CPU while it waited.
 */
class InteropWakeTest
{
    private static final int SPAN = TestMessage.DEFAULT_SPAN;
    /** Well below the 1 s sleep slice of a caught-up subscriber, well above a loaded machine's scheduling delay. */
    private static final long MAX_WAKE_NS = TimeUnit.MILLISECONDS.toNanos(300);
    private static final long PAUSE_MS = 1500;

    @BeforeAll
    static void build()
    {
        CPrograms.require();
    }

    /**
     * @param expedited false: the C reader's process does without the expedited barrier, so it counts itself in
     *                  blockingSubscribers and the Java publisher fences before it looks for sleepers.
     */
    @ParameterizedTest(name = "expedited barrier {0}")
    @ValueSource(booleans = {true, false})
    @Timeout(60)
    void aSleepingCReaderIsWokenByAJavaPublisher(final boolean expedited) throws Exception
    {
        final int tag = 2;
        final String[] args = {"--count", "2", "--span", String.valueOf(SPAN), "--wait", "futex", "--print",
            "--idle-ms", "20000"};
        try (InteropBus test = new InteropBus("wake-c");
            Topic topic = test.bus().topic("alerts", InteropReadTest.options(64 * 1024, false));
            Proc reader = expedited ?
                CPrograms.read("c-sleeper", concat(new String[]{"--topic", test.path("alerts")}, args)) :
                CPrograms.readWithoutExpeditedBarrier("c-sleeper-fenced",
                    concat(new String[]{"--topic", test.path("alerts")}, args));
            Publisher publisher = topic.publisher(PublisherOptions.shared()))
        {
            final Path file = test.directory().resolve("alerts");
            assertEquals(expedited ? 1 : 0, Proc.field(reader.await("READY", seconds(10)), "barrier"));
            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[SPAN + 16]);
            for (long seq = 0; seq < 2; seq++)
            {
                final long cpuBefore = reader.cpuTicks();
                Thread.sleep(PAUSE_MS);
                final long cpuDuring = reader.cpuTicks() - cpuBefore;
                assertTrue(cpuDuring <= 10, "the C reader used " + cpuDuring + " ticks of CPU while it waited");
                // Asleep in the futex protocol: counted in dataWaiters (and, without the expedited barrier, in
                // blockingSubscribers, which makes publishers fence).
                assertEquals(1, ControlWords.readInt(file, ControlWords.DATA_WAITERS));
                assertEquals(expedited ? 0 : 1, ControlWords.readInt(file, ControlWords.BLOCKING_SUBSCRIBERS));
                final long wakesBefore = wakes(topic.status());
                final int length = TestMessage.fill(scratch, tag, seq, SPAN);
                final long sentNs = System.nanoTime();
                assertTrue(publisher.offer(scratch, 0, length, tag) > 0);
                final String line = reader.await("MSG", seconds(5));
                final long latency = Proc.field(line, "t") - sentNs;
                System.out.println("C reader woken by the Java publisher after " + latency / 1000 + " us: " + line);
                assertEquals(seq, Proc.field(line, "seq"));
                assertTrue(latency < MAX_WAKE_NS, "message " + seq + " arrived " + latency / 1_000_000 + " ms late");
                // The publisher found the C reader counted in dataWaiters and woke it.
                assertEquals(wakesBefore + 1, wakes(topic.status()), "Java publisher's wake-ups");
            }
            final Map<String, String> done = Proc.fields(reader.await("DONE", seconds(10)));
            assertEquals("2", done.get("received"));
            assertTrue(Long.parseLong(done.get("waits")) >= 2, "the C reader slept: " + done);
            assertEquals(0, reader.waitFor(seconds(10)));
            // Leaving, it gave back everything it counted itself in.
            assertEquals(0, ControlWords.readInt(file, ControlWords.DATA_WAITERS));
            assertEquals(0, ControlWords.readInt(file, ControlWords.BLOCKING_SUBSCRIBERS));
            assertEquals(0, ControlWords.readInt(file, ControlWords.SUBSCRIBER_COUNT));
            assertEquals(0, topic.status().subscribers().size());
        }
    }

    private static String[] concat(final String[] a, final String[] b)
    {
        final String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static long wakes(final TopicStatus status)
    {
        return status.publishers().stream().mapToLong(TopicStatus.PublisherStatus::wakesIssued).sum();
    }

    @Test
    @Timeout(60)
    void aSleepingJavaSubscriberIsWokenByACPublisher() throws Exception
    {
        final int tag = 4;
        try (InteropBus test = new InteropBus("wake-java");
            Topic topic = test.bus().topic("alerts", InteropReadTest.options(64 * 1024, false));
            Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered().waitStrategy(WaitStrategy.futex())))
        {
            final TestMessage.Verifier verifier = new TestMessage.Verifier(SPAN);
            final long[] arrivals = new long[2];
            final AtomicLong cpuNs = new AtomicLong();
            final Thread waiter = new Thread(() ->
            {
                final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                final long cpuStart = threads.getCurrentThreadCpuTime();
                while (verifier.received < 2)
                {
                    // One blocking poll per message, with a timeout far longer than the test: only a wake-up (or
                    // the one-second slice) ends the sleep.
                    subscriber.poll((buffer, offset, length, header) ->
                    {
                        arrivals[(int)verifier.received] = System.nanoTime();
                        verifier.onMessage(buffer, offset, length, header.type());
                    }, 1, TimeUnit.SECONDS.toNanos(30));
                }
                cpuNs.set(threads.getCurrentThreadCpuTime() - cpuStart);
            }, "java-sleeper");
            waiter.start();
            try (Proc publisher = CPrograms.publish("c-publisher", "--topic", test.path("alerts"), "--tag",
                String.valueOf(tag), "--count", "2", "--span", String.valueOf(SPAN), "--pause-ms",
                String.valueOf(PAUSE_MS), "--every", "1", "--sleep-us", String.valueOf(PAUSE_MS * 1000), "--print"))
            {
                publisher.await("READY", seconds(10));
                final long[] sent = new long[2];
                for (int i = 0; i < 2; i++)
                {
                    sent[i] = Proc.field(publisher.await("SENT", seconds(10)), "t");
                }
                final Map<String, String> done = Proc.fields(publisher.await("DONE", seconds(10)));
                waiter.join(10_000);
                assertEquals(2, verifier.received, "messages the Java subscriber got");
                assertEquals(0, verifier.bad, verifier.firstBad);
                for (int i = 0; i < 2; i++)
                {
                    final long latency = arrivals[i] - sent[i];
                    System.out.println("Java subscriber woken by the C publisher after " + latency / 1000 + " us");
                    assertTrue(latency < MAX_WAKE_NS, "message " + i + " arrived " + latency / 1_000_000 + " ms late");
                }
                // Each commit found the Java subscriber counted in dataWaiters and woke it.
                assertEquals("2", done.get("wakes"), "the C publisher's wake-ups: " + done);
                assertEquals(0, publisher.waitFor(seconds(10)));
                final TopicStatus.SubscriberStatus status = topic.status().subscribers().getFirst();
                assertTrue(status.waits() >= 2, "the Java subscriber slept: " + status);
                assertTrue(cpuNs.get() < TimeUnit.MILLISECONDS.toNanos(400),
                    "the Java subscriber used " + cpuNs.get() / 1_000_000 + " ms of CPU in about 3 s of waiting");
            }
            finally
            {
                waiter.join(1000);
            }
        }
    }
}
