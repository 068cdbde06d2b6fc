package io.shmbus.impl;

import io.shmbus.Bus;
import io.shmbus.Claim;
import io.shmbus.MessageHandler;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.SubscriberOptions.StartPosition;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * What every publisher promises, run for the exclusive and the shared publisher: round trips through offer and
 * tryClaim, aborted claims, the header, argument checks, every status code, a throwing handler, and where new
 * subscribers start. In one process, on a 4 KiB ring.
 */
@ParameterizedClass(name = "{0} publisher")
@ValueSource(strings = {"exclusive", "shared"})
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PublisherContractTest
{
    private static final int CAPACITY = 4096;
    private static final int MAX = 512;
    private static final TopicOptions OPTIONS = TopicOptions.builder()
        .capacityBytes(CAPACITY).maxMessageLength(MAX).maxPublishers(4).maxSubscribers(8).build();

    private final PublisherOptions publisherOptions;
    private TestBus test;
    private Topic topic;

    PublisherContractTest(final String mode)
    {
        this.publisherOptions = "exclusive".equals(mode) ? PublisherOptions.exclusive() : PublisherOptions.shared();
    }

    @BeforeEach
    void open()
    {
        test = TestBus.create("contract");
        topic = test.bus().topic("contract", OPTIONS);
    }

    @AfterEach
    void close()
    {
        test.close();
    }

    private Publisher publisher()
    {
        return topic.publisher(publisherOptions);
    }

    private static UnsafeBuffer text(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static int aligned(final int length)
    {
        return (16 + length + 15) & -16;
    }

    /** A message as delivered: copied out of the handler's arguments. */
    private record Received(String body, int type, int publisherId, long position, long nextPosition, int length)
    {
    }

    /** Collects what a subscriber delivers. */
    private static final class Collector implements MessageHandler
    {
        final List<Received> received = new ArrayList<>();

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length,
            final io.shmbus.MessageHeader header)
        {
            received.add(new Received(buffer.getStringWithoutLengthAscii(offset, length), header.type(),
                header.publisherId(), header.position(), header.nextPosition(), header.length()));
        }

        List<String> bodies()
        {
            return received.stream().map(Received::body).toList();
        }
    }

    private static Collector drain(final Subscriber subscriber)
    {
        final Collector collector = new Collector();
        for (int i = 0; i < 100 && subscriber.poll(collector, 1000) > 0; i++)
        {
            // until empty
        }
        return collector;
    }

    private static long offer(final Publisher publisher, final String body, final int type)
    {
        final UnsafeBuffer buffer = text(body);
        return publisher.offer(buffer, 0, buffer.capacity(), type);
    }

    @Test
    void offerThenPollRoundTrip()
    {
        final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
        final Publisher publisher = publisher();
        final long first = offer(publisher, "hello", 7);
        final long second = publisher.offer(text("world!"), 0, 6);
        assertEquals(aligned(5), first, "offer returns the position after the message");
        assertEquals(first + aligned(6), second);
        assertEquals(second, publisher.position());

        final Collector collector = drain(subscriber);
        assertEquals(List.of(
            new Received("hello", 7, publisher.id(), 0, first, 5),
            new Received("world!", 0, publisher.id(), first, second, 6)), collector.received);
        assertEquals(second, subscriber.position());
        assertEquals(2, subscriber.deliveredMessages());
    }

    @Test
    void emptyAndLargestMessagesRoundTrip()
    {
        final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
        final Publisher publisher = publisher();
        assertEquals(MAX, publisher.maxMessageLength());
        final byte[] largest = new byte[MAX];
        for (int i = 0; i < MAX; i++)
        {
            largest[i] = (byte)('a' + i % 26);
        }
        assertTrue(publisher.offer(new UnsafeBuffer(new byte[0]), 0, 0, 1) > 0);
        assertTrue(publisher.offer(new UnsafeBuffer(largest), 0, MAX, 2) > 0);
        final Collector collector = drain(subscriber);
        assertEquals(2, collector.received.size());
        assertEquals(new Received("", 1, publisher.id(), 0, 16, 0), collector.received.get(0));
        assertEquals(new String(largest, StandardCharsets.US_ASCII), collector.received.get(1).body());
        assertEquals(MAX, collector.received.get(1).length());
    }

    @Test
    void tryClaimThenCommit()
    {
        final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
        final Publisher publisher = publisher();
        offer(publisher, "first", 1);
        final Claim claim = new Claim();
        final long result = publisher.tryClaim(9, claim);
        assertEquals(aligned(5), claim.position(), "the claim starts after the first message");
        assertEquals(claim.position() + aligned(9), result);
        assertEquals(9, claim.length());
        assertEquals(9, claim.buffer().capacity(), "the claim's buffer covers exactly the body");
        assertTrue(claim.isActive());
        claim.buffer().putStringWithoutLengthAscii(claim.offset(), "claimed!!");
        assertEquals(0, subscriber.poll(new Collector(), 10) - 1, "only the first message before the commit");
        claim.type(77).commit();
        assertFalse(claim.isActive());
        assertThrows(IllegalStateException.class, claim::commit, "a claim commits once");
        assertThrows(IllegalStateException.class, claim::abort);

        final Collector collector = drain(subscriber);
        assertEquals(List.of(new Received("claimed!!", 77, publisher.id(), claim.position(), result, 9)),
            collector.received);
    }

    @Test
    void abortedClaimIsSkippedByEverySubscriber()
    {
        final Subscriber tethered = topic.subscriber(SubscriberOptions.tethered());
        final Subscriber untethered = topic.subscriber(SubscriberOptions.untethered());
        final Publisher publisher = publisher();
        final Claim claim = new Claim();
        assertTrue(publisher.tryClaim(20, claim) > 0);
        claim.buffer().putStringWithoutLengthAscii(0, "must never be seen!!");
        claim.type(13).abort();
        assertFalse(claim.isActive());
        assertThrows(IllegalStateException.class, claim::commit);
        final long after = offer(publisher, "after", 14);
        assertEquals(aligned(20) + aligned(5), after, "the aborted record keeps its place in the stream");

        for (final Subscriber subscriber : List.of(tethered, untethered))
        {
            final Collector collector = drain(subscriber);
            assertEquals(List.of("after"), collector.bodies());
            assertEquals(aligned(20), collector.received.get(0).position());
            assertEquals(1, subscriber.deliveredMessages());
            assertEquals(0, subscriber.lostMessages());
            assertEquals(after, subscriber.position());
        }
    }

    @Test
    void headerCarriesTypeAndPublisherId()
    {
        final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
        final Publisher publisher = publisher();
        final List<Publisher> publishers = new ArrayList<>(List.of(publisher));
        if (!publisherOptions.isExclusive())
        {
            publishers.add(topic.publisher(PublisherOptions.shared()));
            publishers.add(topic.publisher(PublisherOptions.shared()));
            assertEquals(3, publishers.stream().mapToInt(Publisher::id).distinct().count(), "distinct slots");
        }
        final int[] types = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE};
        for (final int type : types)
        {
            for (final Publisher p : publishers)
            {
                assertTrue(offer(p, "from " + p.id(), type) > 0);
            }
        }
        final List<Received> received = drain(subscriber).received;
        assertEquals(types.length * publishers.size(), received.size());
        int i = 0;
        for (final int type : types)
        {
            for (final Publisher p : publishers)
            {
                final Received r = received.get(i++);
                assertEquals(type, r.type());
                assertEquals(p.id(), r.publisherId());
                assertEquals("from " + p.id(), r.body());
            }
        }
    }

    @Test
    void laterClaimCommittedFirstStaysInvisibleUntilTheEarlierOneIsDone()
    {
        assumeFalse(publisherOptions.isExclusive(), "needs two publishers");
        final Subscriber tethered = topic.subscriber(SubscriberOptions.tethered());
        final Subscriber untethered = topic.subscriber(SubscriberOptions.untethered());
        final Publisher early = publisher();
        final Publisher late = topic.publisher(PublisherOptions.shared());
        for (final boolean commit : new boolean[]{true, false})
        {
            final Claim claim = new Claim();
            assertTrue(early.tryClaim(5, claim) > 0);
            assertTrue(offer(late, "late", 2) > 0, "the later claim is taken and committed at once");
            for (final Subscriber subscriber : List.of(tethered, untethered))
            {
                assertEquals(0, subscriber.poll((b, o, l, h) -> { }, 10), "nothing past the open claim");
            }
            claim.buffer().putStringWithoutLengthAscii(0, "early");
            if (commit)
            {
                claim.type(1).commit();
            }
            else
            {
                claim.abort();
            }
            final List<String> expected = commit ? List.of("early", "late") : List.of("late");
            for (final Subscriber subscriber : List.of(tethered, untethered))
            {
                assertEquals(expected, drain(subscriber).bodies(), commit ? "committed" : "aborted");
            }
        }
    }

    @Test
    void lengthAboveMaximumThrowsNamingBothNumbers()
    {
        topic.subscriber(SubscriberOptions.tethered());
        final Publisher publisher = publisher();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[MAX + 1]);
        final IllegalArgumentException offer = assertThrows(IllegalArgumentException.class,
            () -> publisher.offer(buffer, 0, MAX + 1));
        assertTrue(offer.getMessage().contains(Integer.toString(MAX + 1)) &&
            offer.getMessage().contains(Integer.toString(MAX)), offer.getMessage());
        final IllegalArgumentException claim = assertThrows(IllegalArgumentException.class,
            () -> publisher.tryClaim(MAX + 1, new Claim()));
        assertTrue(claim.getMessage().contains(Integer.toString(MAX + 1)) &&
            claim.getMessage().contains(Integer.toString(MAX)), claim.getMessage());
        assertEquals(0, publisher.position(), "nothing was published");
    }

    @Test
    void negativeLengthThrows()
    {
        topic.subscriber(SubscriberOptions.tethered());
        final Publisher publisher = publisher();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        final IllegalArgumentException offer = assertThrows(IllegalArgumentException.class,
            () -> publisher.offer(buffer, 0, -1));
        assertTrue(offer.getMessage().contains("-1"), offer.getMessage());
        final IllegalArgumentException claim = assertThrows(IllegalArgumentException.class,
            () -> publisher.tryClaim(-5, new Claim()));
        assertTrue(claim.getMessage().contains("-5"), claim.getMessage());
        assertEquals(0, publisher.position());
    }

    @Test
    void notConnectedWithoutSubscriber()
    {
        final Publisher publisher = publisher();
        final Claim claim = new Claim();
        assertFalse(publisher.isConnected());
        assertEquals(Publisher.NOT_CONNECTED, offer(publisher, "nobody listens", 0));
        assertEquals(Publisher.NOT_CONNECTED, publisher.tryClaim(8, claim));
        assertFalse(claim.isActive());
        assertEquals(0, publisher.position());

        final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
        assertTrue(publisher.isConnected());
        assertTrue(offer(publisher, "now", 0) > 0);
        assertEquals(List.of("now"), drain(subscriber).bodies());

        subscriber.close();
        assertFalse(publisher.isConnected());
        assertEquals(Publisher.NOT_CONNECTED, offer(publisher, "gone", 0));
    }

    @Test
    void publishesWithoutSubscriberWhenNotRequired()
    {
        final Topic loose = test.bus().topic("loose", OPTIONS.toBuilder().requireSubscriber(false).build());
        final Publisher publisher = loose.publisher(publisherOptions);
        for (int i = 0; i < 1000; i++)
        {
            assertTrue(offer(publisher, "into the void " + i, i) > 0, "message " + i);
        }
    }

    @Test
    void backPressuredWhenTetheredSubscriberDoesNotRead()
    {
        final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
        final Publisher publisher = publisher();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[100]);
        int published = 0;
        long result;
        while ((result = publisher.offer(buffer, 0, 100, published)) > 0)
        {
            published++;
            assertTrue(published < 1000, "never back-pressured");
        }
        assertEquals(Publisher.BACK_PRESSURED, result);
        assertTrue((long)published * aligned(100) > CAPACITY - 2 * aligned(100),
            "the ring fills before back-pressure: " + published + " messages");
        assertEquals(Publisher.BACK_PRESSURED, publisher.tryClaim(100, new Claim()));
        while (publisher.offer(buffer, 0, 0, published) > 0)
        {
            published++; // smaller messages fill what is left
            assertTrue(published < 1000, "never back-pressured");
        }
        assertEquals(CAPACITY - 16, publisher.position(),
            "the ring fills up to one alignment unit short of the unread subscriber's lap");

        final int[] next = {0};
        assertEquals(published, subscriber.poll((b, o, l, h) -> assertEquals(next[0]++, h.type()), 1000));
        for (int i = 0; i < 10 * published; i++)
        {
            assertTrue(publisher.offer(buffer, 0, 100, i) > 0, "room again after the subscriber read");
            assertEquals(1, subscriber.poll((b, o, l, h) -> { }, 10));
        }
    }

    @Test
    void untetheredSubscriberNeverBackPressures()
    {
        final Subscriber subscriber = topic.subscriber(SubscriberOptions.untethered());
        final Publisher publisher = publisher();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[100]);
        final int count = 20 * CAPACITY / aligned(100);
        for (int i = 0; i < count; i++)
        {
            assertTrue(publisher.offer(buffer, 0, 100, i) > 0, "message " + i);
        }
        final long[] lost = new long[1];
        final Subscriber counted = topic.subscriber(SubscriberOptions.untethered().lossHandler(
            (messages, bytes, from, to) -> lost[0] += messages));
        assertEquals(0, counted.poll((b, o, l, h) -> { }, 1000), "a subscriber joining at the tail gets nothing old");
        final int[] last = {-1};
        int delivered = 0;
        for (int i = 0; i < 10; i++)
        {
            delivered += subscriber.poll((b, o, l, h) -> last[0] = h.type(), 1000);
        }
        assertEquals(count - 1, last[0], "the lapped subscriber ends with the newest message");
        assertEquals(count, delivered + subscriber.lostMessages(), "delivered and lost add up to what was published");
        assertEquals(0, lost[0]);
    }

    @Test
    void closedAfterClose()
    {
        topic.subscriber(SubscriberOptions.tethered());
        final Publisher publisher = publisher();
        assertTrue(offer(publisher, "before", 0) > 0);
        publisher.close();
        publisher.close();
        assertTrue(publisher.isClosed());
        assertEquals(Publisher.CLOSED, offer(publisher, "after", 0));
        assertEquals(Publisher.CLOSED, publisher.tryClaim(8, new Claim()));

        final Publisher second = publisher();
        assertTrue(offer(second, "second", 0) > 0, "the slot was released");
        topic.close();
        assertTrue(second.isClosed(), "closing the topic closes its publishers");
        assertEquals(Publisher.CLOSED, offer(second, "after topic close", 0));

        final Bus bus = test.bus();
        final Topic again = bus.topic("contract", OPTIONS);
        again.subscriber(SubscriberOptions.tethered());
        final Publisher third = again.publisher(publisherOptions);
        assertTrue(offer(third, "third", 0) > 0);
        bus.close();
        assertTrue(third.isClosed(), "closing the bus closes its publishers");
        assertEquals(Publisher.CLOSED, offer(third, "after bus close", 0));
        assertEquals(Publisher.CLOSED, third.tryClaim(0, new Claim()));
    }

    @Test
    void throwingHandlerConsumesWhatCameBeforeAndIsNotRedelivered()
    {
        final Subscriber tethered = topic.subscriber(SubscriberOptions.tethered());
        final Subscriber untethered = topic.subscriber(SubscriberOptions.untethered());
        final Publisher publisher = publisher();
        for (int i = 1; i <= 5; i++)
        {
            assertTrue(offer(publisher, "m" + i, i) > 0);
        }
        for (final Subscriber subscriber : List.of(tethered, untethered))
        {
            final IllegalStateException boom = new IllegalStateException("boom");
            final List<Integer> seen = new ArrayList<>();
            final RuntimeException thrown = assertThrows(RuntimeException.class, () -> subscriber.poll((b, o, l, h) ->
            {
                seen.add(h.type());
                if (h.type() == 3)
                {
                    throw boom;
                }
            }, 10));
            assertSame(boom, thrown);
            assertEquals(List.of(1, 2, 3), seen);
            assertEquals(3, subscriber.deliveredMessages(), "the throwing message counts as delivered");
            assertEquals(List.of("m4", "m5"), drain(subscriber).bodies(), "the rest, and not m3 again");
            assertEquals(5, subscriber.deliveredMessages());
            assertEquals(publisher.position(), subscriber.position());
        }
    }

    @Test
    void newSubscribersStartAtTailOrOldest()
    {
        final Subscriber first = topic.subscriber(SubscriberOptions.tethered());
        final Publisher publisher = publisher();
        for (int i = 0; i < 10; i++)
        {
            assertTrue(offer(publisher, "early " + i, i) > 0);
        }
        final Subscriber tetheredOldest = topic.subscriber(SubscriberOptions.tethered().startAt(StartPosition.OLDEST));
        final Subscriber tetheredTail = topic.subscriber(SubscriberOptions.tethered().startAt(StartPosition.TAIL));
        final Subscriber untetheredOldest = topic.subscriber(
            SubscriberOptions.untethered().startAt(StartPosition.OLDEST));
        final Subscriber untetheredTail = topic.subscriber(SubscriberOptions.untethered().startAt(StartPosition.TAIL));
        assertEquals(0, tetheredOldest.position());
        assertEquals(publisher.position(), tetheredTail.position());
        assertTrue(offer(publisher, "late", 10) > 0);

        final List<String> all = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            all.add("early " + i);
        }
        all.add("late");
        assertEquals(all, drain(first).bodies());
        assertEquals(all, drain(tetheredOldest).bodies());
        assertEquals(all, drain(untetheredOldest).bodies());
        assertEquals(List.of("late"), drain(tetheredTail).bodies());
        assertEquals(List.of("late"), drain(untetheredTail).bodies());
    }

    @Test
    void oldestIsTheOldestRetainedMessageAfterManyLaps()
    {
        final Subscriber reader = topic.subscriber(SubscriberOptions.tethered());
        final Publisher publisher = publisher();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final int count = 30 * CAPACITY / aligned(64);
        for (int i = 0; i < count; i++)
        {
            assertTrue(publisher.offer(buffer, 0, 64, i) > 0, "message " + i);
            assertEquals(1, reader.poll((b, o, l, h) -> { }, 10));
        }
        for (final SubscriberOptions options : List.of(
            SubscriberOptions.tethered().startAt(StartPosition.OLDEST),
            SubscriberOptions.untethered().startAt(StartPosition.OLDEST)))
        {
            final Subscriber late = topic.subscriber(options);
            final List<Integer> types = new ArrayList<>();
            for (int i = 0; i < 10; i++)
            {
                late.poll((b, o, l, h) -> types.add(h.type()), 1000);
            }
            assertFalse(types.isEmpty(), options + " got nothing");
            assertEquals(count - 1, types.getLast(), options + " ends with the newest message");
            for (int i = 1; i < types.size(); i++)
            {
                assertEquals(types.get(i - 1) + 1, types.get(i), options + ": in order, without gaps");
            }
            assertTrue(types.size() * aligned(64) > CAPACITY / 2,
                options + " starts well back in the ring: only " + types.size() + " messages");
            assertEquals(0, late.lostMessages());
            late.close();
        }
    }
}
