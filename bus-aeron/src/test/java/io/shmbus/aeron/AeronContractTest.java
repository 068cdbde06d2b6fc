package io.shmbus.aeron;

import io.shmbus.Bus;
import io.shmbus.BusException;
import io.shmbus.BusOptions;
import io.shmbus.Claim;
import io.shmbus.MessageHandler;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The publisher and subscriber contract, run over one Aeron channel: {@code aeron:ipc} here, UDP on loopback in
 * {@link UdpContractTest}. Each test uses its own topic (so its own stream id) on one bus.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AeronContractTest
{
    static final long WAIT_NS = TimeUnit.SECONDS.toNanos(10);

    private static Path directory;
    private static Bus bus;

    static String channel()
    {
        return "aeron:ipc";
    }

    @BeforeAll
    static void open()
    {
        directory = TestDirs.newBusDirectory("contract");
    }

    @AfterAll
    static void close()
    {
        if (null != bus)
        {
            bus.close();
            bus = null;
        }
        TestDirs.delete(directory);
    }

    Bus bus()
    {
        if (null == bus)
        {
            bus = Bus.open(BusOptions.builder()
                .directory(directory)
                .transport("aeron")
                .property(AeronSettings.CHANNEL, channelForClass())
                .build());
        }
        return bus;
    }

    String channelForClass()
    {
        return channel();
    }

    private static final class Received
    {
        final List<String> bodies = new ArrayList<>();
        final List<Integer> types = new ArrayList<>();
        final List<Integer> publishers = new ArrayList<>();
        final MessageHandler handler = (buffer, offset, length, header) ->
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            bodies.add(new String(bytes, StandardCharsets.UTF_8));
            types.add(header.type());
            publishers.add(header.publisherId());
            assertEquals(length, header.length());
            assertTrue(header.nextPosition() > header.position(), "positions " + header.position() + ", " +
                header.nextPosition());
        };
    }

    private Topic topic(final TestInfo info, final TopicOptions options)
    {
        return bus().topic(info.getTestMethod().orElseThrow().getName(), options);
    }

    static long offerUntilPublished(final Publisher publisher, final UnsafeBuffer buffer, final int length,
        final int type)
    {
        final long deadlineNs = System.nanoTime() + WAIT_NS;
        long result;
        while ((result = publisher.offer(buffer, 0, length, type)) < 0)
        {
            assertTrue(result != Publisher.CLOSED, "closed");
            assertTrue(System.nanoTime() < deadlineNs, "not published within 10 s: last status " + result);
            sleepBriefly();
        }
        return result;
    }

    static void sleepBriefly()
    {
        java.util.concurrent.locks.LockSupport.parkNanos(100_000);
    }

    static void awaitConnected(final Publisher publisher)
    {
        final long deadlineNs = System.nanoTime() + WAIT_NS;
        while (!publisher.isConnected())
        {
            assertTrue(System.nanoTime() < deadlineNs, "publisher not connected within 10 s");
            sleepBriefly();
        }
    }

    static int pollUntil(final Subscriber subscriber, final MessageHandler handler, final int count)
    {
        final long deadlineNs = System.nanoTime() + WAIT_NS;
        int received = 0;
        while (received < count)
        {
            assertTrue(System.nanoTime() < deadlineNs, "received " + received + " of " + count + " within 10 s");
            received += subscriber.poll(handler, count - received, TimeUnit.MILLISECONDS.toNanos(10));
        }
        return received;
    }

    static UnsafeBuffer text(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void offerThenPollRoundTripWithTypeAndPublisherId(final TestInfo info)
    {
        final Topic topic = topic(info, TopicOptions.defaults());
        final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
        final Publisher one = topic.publisher(PublisherOptions.shared());
        final Publisher two = topic.publisher(PublisherOptions.exclusive());
        awaitConnected(one);
        awaitConnected(two);
        assertTrue(one.id() != two.id(), "publisher ids differ: " + one.id());
        for (int i = 0; i < 10; i++)
        {
            final UnsafeBuffer buffer = text("message " + i);
            offerUntilPublished(i % 2 == 0 ? one : two, buffer, buffer.capacity(), 100 + i);
        }
        final Received received = new Received();
        pollUntil(subscriber, received.handler, 10);
        final List<String> even = new ArrayList<>();
        final List<String> odd = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            final String body = received.bodies.get(i);
            final int index = Integer.parseInt(body.substring("message ".length()));
            assertEquals(100 + index, received.types.get(i), body);
            assertEquals(index % 2 == 0 ? one.id() : two.id(), received.publishers.get(i), body);
            (index % 2 == 0 ? even : odd).add(body);
        }
        assertEquals(List.of("message 0", "message 2", "message 4", "message 6", "message 8"), even);
        assertEquals(List.of("message 1", "message 3", "message 5", "message 7", "message 9"), odd);
        assertEquals(10, subscriber.deliveredMessages());
        topic.close();
    }

    @Test
    void emptyAndLargestMessagesRoundTripThroughFragmentation(final TestInfo info)
    {
        final Topic topic = topic(info, TopicOptions.builder().capacityBytes(1 << 20).maxMessageLength(65536).build());
        final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
        final Publisher publisher = topic.publisher(PublisherOptions.exclusive());
        awaitConnected(publisher);
        assertEquals(65536, publisher.maxMessageLength());
        final byte[] largest = new byte[65536];
        for (int i = 0; i < largest.length; i++)
        {
            largest[i] = (byte)(i * 31 + 7);
        }
        offerUntilPublished(publisher, new UnsafeBuffer(new byte[0]), 0, 1);
        offerUntilPublished(publisher, new UnsafeBuffer(largest), largest.length, 2);
        final List<byte[]> bodies = new ArrayList<>();
        pollUntil(subscriber, (buffer, offset, length, header) ->
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            bodies.add(bytes);
            assertEquals(bodies.size(), header.type());
        }, 2);
        assertEquals(0, bodies.get(0).length);
        assertArrayEquals(largest, bodies.get(1));
        assertThrows(IllegalArgumentException.class,
            () -> publisher.offer(new UnsafeBuffer(new byte[65537]), 0, 65537));
        topic.close();
    }

    @Test
    void tryClaimThenCommitAndAbort(final TestInfo info)
    {
        final Topic topic = topic(info, TopicOptions.defaults());
        final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
        final Publisher publisher = topic.publisher(PublisherOptions.exclusive());
        awaitConnected(publisher);
        final Claim claim = new Claim();
        final long deadlineNs = System.nanoTime() + WAIT_NS;
        while (publisher.tryClaim(16, claim) < 0)
        {
            assertTrue(System.nanoTime() < deadlineNs);
            sleepBriefly();
        }
        claim.buffer().putLong(claim.offset(), 42);
        claim.buffer().putLong(claim.offset() + 8, 43);
        assertThrows(IndexOutOfBoundsException.class, () -> claim.buffer().putLong(claim.offset() + 16, 1));
        claim.type(7).commit();
        assertTrue(publisher.tryClaim(8, claim) > 0);
        claim.buffer().putLong(0, 99);
        claim.abort();
        assertTrue(publisher.tryClaim(8, claim) > 0);
        claim.buffer().putLong(0, 44);
        claim.type(8).commit();
        final List<Long> values = new ArrayList<>();
        final List<Integer> types = new ArrayList<>();
        pollUntil(subscriber, (buffer, offset, length, header) ->
        {
            values.add(buffer.getLong(offset));
            types.add(header.type());
            assertEquals(publisher.id(), header.publisherId());
        }, 2);
        assertEquals(List.of(42L, 44L), values);
        assertEquals(List.of(7, 8), types);
        assertEquals(0, subscriber.poll((b, o, l, h) -> values.add(-1L), 10), "aborted claim delivered: " + values);
        topic.close();
    }

    @Test
    void tryClaimAboveAeronsClaimLimitIsAClearErrorAndOfferStillCarriesIt(final TestInfo info)
    {
        final Topic topic = topic(info, TopicOptions.defaults());
        final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
        final AeronPublisher publisher = (AeronPublisher)topic.publisher(PublisherOptions.shared());
        awaitConnected(publisher);
        final int limit = publisher.maxClaimLength();
        assertTrue(limit > 0 && limit < publisher.maxMessageLength(), "claim limit " + limit);
        final Claim claim = new Claim();
        final BusException error = assertThrows(BusException.class, () -> publisher.tryClaim(limit + 1, claim));
        assertTrue(error.getMessage().contains(Integer.toString(limit + 1)) &&
            error.getMessage().contains("claim limit of " + limit), error.getMessage());
        assertFalse(claim.isActive());
        final long deadlineNs = System.nanoTime() + WAIT_NS;
        while (publisher.tryClaim(limit, claim) < 0)
        {
            assertTrue(System.nanoTime() < deadlineNs);
            sleepBriefly();
        }
        claim.buffer().setMemory(0, limit, (byte)5);
        claim.commit();
        final UnsafeBuffer big = new UnsafeBuffer(new byte[limit + 1]);
        big.setMemory(0, limit + 1, (byte)6);
        offerUntilPublished(publisher, big, limit + 1, 0);
        final List<Integer> lengths = new ArrayList<>();
        pollUntil(subscriber, (buffer, offset, length, header) ->
        {
            lengths.add(length);
            for (int i = 0; i < length; i++)
            {
                assertEquals(lengths.size() == 1 ? 5 : 6, buffer.getByte(offset + i));
            }
        }, 2);
        assertEquals(List.of(limit, limit + 1), lengths);
        topic.close();
    }

    @Test
    void lengthOutsideTheRangeThrowsNamingIt(final TestInfo info)
    {
        final Topic topic = topic(info, TopicOptions.builder().maxMessageLength(100).build());
        final Publisher publisher = topic.publisher(PublisherOptions.shared());
        final IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
            () -> publisher.offer(new UnsafeBuffer(new byte[200]), 0, 101));
        assertTrue(tooLong.getMessage().contains("101") && tooLong.getMessage().contains("100"), tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> publisher.offer(new UnsafeBuffer(new byte[200]), 0, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> publisher.offer(new UnsafeBuffer(new byte[10]), 5, 10));
        topic.close();
    }

    @Test
    void notConnectedWithoutSubscriber(final TestInfo info)
    {
        final Topic topic = topic(info, TopicOptions.defaults());
        final Publisher publisher = topic.publisher(PublisherOptions.shared());
        assertFalse(publisher.isConnected());
        assertEquals(Publisher.NOT_CONNECTED, publisher.offer(text("nobody"), 0, 6));
        topic.close();
    }

    @Test
    void backPressuredWhenTetheredSubscriberDoesNotRead(final TestInfo info)
    {
        final Topic topic = topic(info, TopicOptions.builder().capacityBytes(1 << 16).build());
        final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
        final Publisher publisher = topic.publisher(PublisherOptions.exclusive());
        awaitConnected(publisher);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1000]);
        int published = 0;
        long result = 0;
        final long deadlineNs = System.nanoTime() + WAIT_NS;
        while (System.nanoTime() < deadlineNs)
        {
            buffer.putInt(0, published);
            result = publisher.offer(buffer, 0, 1000);
            if (result == Publisher.BACK_PRESSURED)
            {
                break;
            }
            if (result > 0)
            {
                published++;
            }
            else
            {
                sleepBriefly();
            }
        }
        assertEquals(Publisher.BACK_PRESSURED, result, "after " + published + " messages");
        assertTrue(published > 10, "published " + published);
        final AtomicInteger next = new AtomicInteger();
        pollUntil(subscriber, (b, o, l, h) -> assertEquals(next.getAndIncrement(), b.getInt(o)), published);
        assertEquals(published, next.get());
        topic.close();
    }

    @Test
    void manyMixedSizeMessagesInOrderWithChecksums(final TestInfo info)
    {
        final Topic topic = topic(info, TopicOptions.builder().capacityBytes(1 << 20).maxMessageLength(8192).build());
        final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
        final Publisher publisher = topic.publisher(PublisherOptions.exclusive());
        awaitConnected(publisher);
        final int count = 20_000;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8192]);
        final CRC32 crc = new CRC32();
        final long[] expected = {0};
        final long[] errors = {0};
        final MessageHandler verify = (b, o, l, h) ->
        {
            final long sequence = b.getLong(o);
            if (sequence != expected[0] || l != lengthOf(sequence) || checksum(b, o, l, crc) != b.getInt(o + 8))
            {
                errors[0]++;
            }
            expected[0] = sequence + 1;
        };
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        for (long sequence = 0; sequence < count; sequence++)
        {
            final int length = lengthOf(sequence);
            buffer.putLong(0, sequence);
            for (int i = 12; i < length; i++)
            {
                buffer.putByte(i, (byte)(sequence + i));
            }
            buffer.putInt(8, checksum(buffer, 0, length, crc));
            while (publisher.offer(buffer, 0, length) < 0)
            {
                assertTrue(System.nanoTime() < deadlineNs, "stuck at " + sequence);
                if (0 == subscriber.poll(verify, 256))
                {
                    Thread.yield();
                }
            }
        }
        while (expected[0] < count)
        {
            assertTrue(System.nanoTime() < deadlineNs, "received " + expected[0]);
            subscriber.poll(verify, 256, TimeUnit.MILLISECONDS.toNanos(10));
        }
        assertEquals(0, errors[0], "sequence, length or checksum errors");
        assertEquals(count, subscriber.deliveredMessages());
        topic.close();
    }

    static int lengthOf(final long sequence)
    {
        final int[] sizes = {12, 32, 100, 256, 1000, 1400, 3000, 8192};
        return sizes[(int)(sequence * 7 % sizes.length)];
    }

    static int checksum(final org.agrona.DirectBuffer buffer, final int offset, final int length, final CRC32 crc)
    {
        crc.reset();
        for (int i = 0; i < length; i++)
        {
            if (i < 8 || i >= 12)
            {
                crc.update(buffer.getByte(offset + i));
            }
        }
        return (int)crc.getValue();
    }

    @Test
    void messageLimitIsRespected(final TestInfo info)
    {
        final Topic topic = topic(info, TopicOptions.defaults());
        final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
        final Publisher publisher = topic.publisher(PublisherOptions.shared());
        awaitConnected(publisher);
        for (int i = 0; i < 10; i++)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4]);
            buffer.putInt(0, i);
            offerUntilPublished(publisher, buffer, 4, 0);
        }
        assertTrue(subscriber.awaitMessage(WAIT_NS));
        final List<Integer> seen = new ArrayList<>();
        final MessageHandler handler = (b, o, l, h) -> seen.add(b.getInt(o));
        int polls = 0;
        while (seen.size() < 10)
        {
            final int count = subscriber.poll(handler, 3, WAIT_NS);
            assertTrue(count >= 1 && count <= 3, "poll delivered " + count);
            polls++;
        }
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), seen);
        assertTrue(polls >= 4, "polls " + polls);
        topic.close();
    }

    @Test
    void throwingHandlerConsumesWhatCameBeforeAndIsNotRedelivered(final TestInfo info)
    {
        final Topic topic = topic(info, TopicOptions.defaults());
        final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
        final Publisher publisher = topic.publisher(PublisherOptions.shared());
        awaitConnected(publisher);
        for (int i = 0; i < 5; i++)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4]);
            buffer.putInt(0, i);
            offerUntilPublished(publisher, buffer, 4, 0);
        }
        assertTrue(subscriber.awaitMessage(WAIT_NS));
        final List<Integer> seen = new ArrayList<>();
        final IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> pollUntil(subscriber,
            (b, o, l, h) ->
            {
                seen.add(b.getInt(o));
                if (b.getInt(o) == 2)
                {
                    throw new IllegalStateException("handler fails at 2");
                }
            }, 5));
        assertEquals("handler fails at 2", thrown.getMessage());
        pollUntil(subscriber, (b, o, l, h) -> seen.add(b.getInt(o)), 2);
        assertEquals(List.of(0, 1, 2, 3, 4), seen);
        topic.close();
    }

    @Test
    void closedAfterClose(final TestInfo info)
    {
        final Topic topic = topic(info, TopicOptions.defaults());
        final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
        final Publisher publisher = topic.publisher(PublisherOptions.shared());
        awaitConnected(publisher);
        publisher.close();
        assertTrue(publisher.isClosed());
        assertEquals(Publisher.CLOSED, publisher.offer(text("late"), 0, 4));
        topic.close();
        assertTrue(subscriber.isClosed());
        assertEquals(0, subscriber.poll((b, o, l, h) -> { }, 10));
        assertThrows(BusException.class, () -> topic.publisher(PublisherOptions.shared()));
    }

    @Test
    void whatCannotHoldOverAeronIsRefusedByName(final TestInfo info)
    {
        final Topic topic = topic(info, TopicOptions.defaults());
        final BusException durable =
            assertThrows(BusException.class, () -> topic.subscriber(SubscriberOptions.durable("audit")));
        assertTrue(durable.getMessage().contains("durable subscriber 'audit'"), durable.getMessage());
        final BusException oldest = assertThrows(BusException.class,
            () -> topic.subscriber(SubscriberOptions.tethered().startAt(SubscriberOptions.StartPosition.OLDEST)));
        assertTrue(oldest.getMessage().contains("OLDEST"), oldest.getMessage());
        final BusException loss = assertThrows(BusException.class,
            () -> topic.subscriber(SubscriberOptions.untethered().lossHandler((m, b, f, t) -> { })));
        assertTrue(loss.getMessage().contains("loss handler"), loss.getMessage());
        final BusException anonymous =
            assertThrows(BusException.class, () -> bus().anonymousTopic("anon", TopicOptions.defaults()));
        assertTrue(anonymous.getMessage().contains("anonymous"), anonymous.getMessage());
        final Subscriber untethered = topic.subscriber(SubscriberOptions.untethered());
        assertFalse(untethered.isClosed());
        topic.close();
    }

    @Test
    void unknownTransportIsNamed()
    {
        final BusException error = assertThrows(BusException.class, () -> Bus.open(BusOptions.builder()
            .directory(directory).transport("carrier-pigeon").build()));
        assertTrue(error.getMessage().contains("'carrier-pigeon'") && error.getMessage().contains("aeron") &&
            error.getMessage().contains("shm"), error.getMessage());
    }

    @Test
    void busIsAnAeronBusChosenByConfiguration()
    {
        assertInstanceOf(AeronBus.class, bus());
    }
}
