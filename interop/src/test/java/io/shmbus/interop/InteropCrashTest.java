package io.shmbus.interop;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.TopicStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicLong;

import static io.shmbus.interop.Proc.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * C participants killed with SIGKILL in the worst places, and the Java participants that repair what they left:
 * a publisher in the middle of a claim (every reader is stuck behind it) and a tethered subscriber that holds
 * publishers back. The Java side goes on, and the dead participant's slot is reclaimed: with two slots of each
 * kind, a new C participant can only join in the dead one's.
 */
class InteropCrashTest
{
    private static final int SPAN = TestMessage.DEFAULT_SPAN;

    @BeforeAll
    static void build()
    {
        CPrograms.require();
    }

    private static TopicOptions options(final int capacity)
    {
        return TopicOptions.builder()
            .capacityBytes(capacity)
            .maxMessageLength(256)
            .maxPublishers(2)
            .maxSubscribers(2)
            .build();
    }

    @Test
    @Timeout(60)
    void aCPublisherKilledInTheMiddleOfAClaimIsRepaired() throws Exception
    {
        final int before = 300;
        final int javaCount = 500;
        final int after = 100;
        try (InteropBus test = new InteropBus("crash-publisher");
            Topic topic = test.bus().topic("fills", options(64 * 1024));
            Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
            Collector collector = new Collector(subscriber, SPAN, before + javaCount + after);
            Publisher publisher = topic.publisher(PublisherOptions.shared()))
        {
            // The Java publisher takes a slot first, so the one the C publisher dies in is the only other.
            final long deadSlot;
            try (Proc doomed = CPrograms.publish("c-publisher", "--topic", test.path("fills"), "--tag", "1",
                "--count", "1000", "--span", String.valueOf(SPAN), "--hold-at", String.valueOf(before)))
            {
                deadSlot = Proc.field(doomed.await("READY", seconds(10)), "slot");
                final String holding = doomed.await("HOLDING", seconds(20));
                waitFor(() -> collector.received == before, 10_000, "the first messages");
                Thread.sleep(200);
                assertEquals(before, collector.received, "nothing passes the claim that is being written");
                assertTrue(subscriber.position() < topic.status().tail(), holding);
                doomed.kill9();
            }

            // Java publishes on: the subscriber, stuck at the dead claim, finds its publisher dead and repairs it.
            Publishing.publish(publisher, 2, javaCount, SPAN);
            // The dead publisher's slot was reclaimed: of the two slots, it is the one a newcomer gets.
            try (Proc newcomer = CPrograms.publish("c-publisher-2", "--topic", test.path("fills"), "--tag", "3",
                "--count", String.valueOf(after), "--span", String.valueOf(SPAN)))
            {
                assertEquals(deadSlot, Proc.field(newcomer.await("READY", seconds(10)), "slot"));
                newcomer.await("DONE", seconds(20));
                assertEquals(0, newcomer.waitFor(seconds(10)));
            }
            collector.await(20_000);
            final TestMessage.Verifier v = collector.verifier;
            assertEquals(0, v.bad, v.firstBad);
            assertEquals(before, v.count(1), "the C publisher's messages before it died");
            assertEquals(0, v.gaps(1));
            assertEquals(javaCount, v.count(2));
            assertEquals(after, v.count(3));
            final TopicStatus status = topic.status();
            System.out.println("after the repair: " + status);
            assertTrue(status.repairs() >= 1, "the claim was turned into padding: " + status);
            assertTrue(status.reclaims() >= 1, "the slot was reclaimed: " + status);
            assertEquals(1, status.publishers().size(), "only the Java publisher is attached: " + status);
        }
    }

    @Test
    @Timeout(60)
    void aCSubscriberKilledWhileHoldingPublishersBackIsReclaimed() throws Exception
    {
        final int count = 3000; // some 370 KB through a 32 KiB ring
        try (InteropBus test = new InteropBus("crash-subscriber");
            Topic topic = test.bus().topic("quotes", options(32 * 1024));
            Proc doomed = CPrograms.read("c-reader", "--topic", test.path("quotes"), "--span", String.valueOf(SPAN),
                "--stall-after", "50", "--idle-ms", "60000"))
        {
            final long deadSlot = Proc.field(doomed.await("READY", seconds(10)), "slot");
            try (Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
                Collector collector = new Collector(subscriber, SPAN, count);
                Publisher publisher = topic.publisher(PublisherOptions.shared()))
            {
                final AtomicLong published = new AtomicLong();
                final Thread publishing = new Thread(() -> Publishing.publish(publisher, 7, count, SPAN, published));
                publishing.start();
                try
                {
                    doomed.await("STALLED", seconds(10));
                    // Held back: the stalled reader keeps the publisher from passing it.
                    long seen;
                    do
                    {
                        seen = published.get();
                        Thread.sleep(300);
                    }
                    while (published.get() != seen);
                    assertTrue(seen < count, "the publisher was not held back by the stalled C reader");
                    assertTrue(topic.status().publishers().getFirst().backPressured() > 0);
                    doomed.kill9();
                    publishing.join(20_000);
                    assertEquals(count, published.get(), "the publisher went on after the C reader died");
                }
                finally
                {
                    publishing.join(5000);
                }
                collector.await(20_000);
                assertEquals(0, collector.verifier.bad, collector.verifier.firstBad);
                assertEquals(count, collector.verifier.count(7));
                assertEquals(0, collector.verifier.gaps(7));
                final TopicStatus status = topic.status();
                System.out.println("after the repair: " + status);
                assertEquals(1, status.subscribers().size(), status.toString());
                assertTrue(status.reclaims() >= 1, status.toString());
                // Its slot is free again: a new C reader gets it (the other one is the Java subscriber's).
                try (Proc newcomer = CPrograms.read("c-reader-2", "--topic", test.path("quotes"), "--idle-ms", "200"))
                {
                    assertEquals(deadSlot, Proc.field(newcomer.await("READY", seconds(10)), "slot"));
                    assertEquals(5, newcomer.waitFor(seconds(10)), newcomer.recent());
                }
            }
        }
    }

    @Test
    @Timeout(60)
    void aCJoinerFreesADeadJavaSubscribersSlot() throws Exception
    {
        // One subscriber slot: the C reader can only join in the dead Java subscriber's.
        final TopicOptions options = TopicOptions.builder().capacityBytes(16 * 1024).maxMessageLength(256)
            .maxPublishers(1).maxSubscribers(1).build();
        try (InteropBus test = new InteropBus("crash-java-subscriber");
            Topic topic = test.bus().topic("rates", options))
        {
            final java.nio.file.Path file = test.directory().resolve("rates");
            try (Proc doomed = Proc.java("java-subscriber", JavaSubscriberMain.class, test.directory().toString(),
                "rates"))
            {
                assertEquals(0, Proc.field(doomed.await("READY", seconds(20)), "slot"));
                waitFor(() -> readInt(file, ControlWords.DATA_WAITERS) == 1, 10_000, "the Java subscriber to sleep");
                assertEquals(1, readInt(file, ControlWords.SUBSCRIBER_COUNT));
                doomed.kill9();
            }
            // Dead, it still counts as a subscriber and as a sleeper until somebody repairs its slot.
            assertEquals(1, readInt(file, ControlWords.SUBSCRIBER_COUNT));
            assertEquals(1, readInt(file, ControlWords.DATA_WAITERS));
            try (Proc reader = CPrograms.read("c-reader", "--topic", test.path("rates"), "--count", "1", "--span",
                String.valueOf(SPAN), "--idle-ms", "20000"))
            {
                assertEquals(0, Proc.field(reader.await("READY", seconds(10)), "slot"));
                // The C joiner took the dead subscriber out of dataWaiters and subscriberCount, then counted itself.
                assertEquals(1, readInt(file, ControlWords.SUBSCRIBER_COUNT));
                final TopicStatus status = topic.status();
                assertEquals(1, status.reclaims(), status.toString());
                assertEquals(1, status.subscribers().size());
                assertTrue(status.subscribers().getFirst().alive(), status.toString());
                try (Publisher publisher = topic.publisher(PublisherOptions.shared()))
                {
                    Publishing.publish(publisher, 1, 1, SPAN);
                }
                assertEquals("1", Proc.fields(reader.await("DONE", seconds(10))).get("received"));
                assertEquals(0, reader.waitFor(seconds(10)));
            }
            assertEquals(0, readInt(file, ControlWords.DATA_WAITERS));
            assertEquals(0, readInt(file, ControlWords.SUBSCRIBER_COUNT));
        }
    }

    private static int readInt(final java.nio.file.Path file, final int offset)
    {
        try
        {
            return ControlWords.readInt(file, offset);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static void waitFor(final java.util.function.BooleanSupplier condition, final long timeoutMs,
        final String what) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
