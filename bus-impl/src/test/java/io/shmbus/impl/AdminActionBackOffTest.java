package io.shmbus.impl;

import io.shmbus.MessageHandler;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.TopicStatus;
import io.shmbus.impl.layout.ControlDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ADMIN_ACTION is "retry soon", not "spin": while a live participant holds the cleaning lock (here another
 * publisher of this process, whose code the test stores in cleanLock as if it were inside a round), every offer that
 * needs a round is answered ADMIN_ACTION and counted in the publisher's status; a blocking offer waits for a round
 * that is moving without burning the CPU, honours its timeout and goes through once the round is over; and a round
 * that shows no progress is taken over.
 */
class AdminActionBackOffTest
{
    private static final TopicOptions OPTIONS = TopicOptions.builder()
        .capacityBytes(64 * 1024)
        .maxMessageLength(1024)
        .maxPublishers(4)
        .maxSubscribers(4)
        .build();
    private static final MessageHandler IGNORE = (buffer, offset, length, header) -> { };
    private static final long BLOCKED_MS = 600;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void heldRoundIsCountedAndWaitedForWithoutSpinning() throws Exception
    {
        // A round that is never taken over: as if its owner were slow but moving (takeovers: the test below).
        final java.lang.reflect.Field patience = Class.forName("io.shmbus.impl.ring.RoomMaker")
            .getDeclaredField("takeOverPatienceNs");
        patience.setAccessible(true);
        final long defaultPatience = patience.getLong(null);
        patience.setLong(null, Long.MAX_VALUE / 2);
        try (TestBus bus = TestBus.create("admin-action"); Topic topic = bus.bus().topic("t", OPTIONS))
        {
            final UnsafeBuffer control = ((ShmTopic)topic).ring().control();
            final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
            final Publisher publisher = topic.publisher(PublisherOptions.shared());
            final Publisher owner = topic.publisher(PublisherOptions.shared());
            final UnsafeBuffer message = new UnsafeBuffer(new byte[200]);

            // The owner (alive: its slot lock is held by this process) is "inside a round" from here on.
            control.putLongVolatile(ControlDescriptor.CLEAN_LOCK_OFFSET, owner.id() + 1);
            long result = 0;
            int published = 0;
            while (published < 10_000)
            {
                result = publisher.offer(message, 0, message.capacity());
                if (result < 0)
                {
                    break;
                }
                published++;
                subscriber.poll(IGNORE, 100);
            }
            assertEquals(Publisher.ADMIN_ACTION, result, "the offer that needed a round, after " + published);
            assertEquals(Publisher.ADMIN_ACTION, publisher.offer(message, 0, message.capacity()), "and again");
            assertTrue(adminActions(topic, publisher.id()) >= 2, "counted: " + adminActions(topic, publisher.id()));
            assertEquals(0, adminActions(topic, owner.id()), "the owner was never answered ADMIN_ACTION");

            final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            final long[] cpuAndWall = CompletableFuture.supplyAsync(() ->
            {
                final long cpu0 = threads.getCurrentThreadCpuTime();
                final long wall0 = System.nanoTime();
                final long blocked = publisher.offerBlocking(message, 0, message.capacity(),
                    TimeUnit.MILLISECONDS.toNanos(BLOCKED_MS));
                return new long[] {blocked, threads.getCurrentThreadCpuTime() - cpu0, System.nanoTime() - wall0};
            }).get(30, TimeUnit.SECONDS);
            assertEquals(Publisher.ADMIN_ACTION, cpuAndWall[0], "timed out behind the held round");
            assertTrue(cpuAndWall[2] >= TimeUnit.MILLISECONDS.toNanos(BLOCKED_MS), "waited its timeout");
            assertTrue(cpuAndWall[1] < cpuAndWall[2] / 4,
                "a blocked offer used " + cpuAndWall[1] / 1_000_000 + " ms of CPU in " + cpuAndWall[2] / 1_000_000 +
                " ms: it spun");

            final CompletableFuture<Long> later = CompletableFuture.supplyAsync(() ->
                publisher.offerBlocking(message, 0, message.capacity(), TimeUnit.SECONDS.toNanos(20)));
            Thread.sleep(100);
            assertTrue(!later.isDone(), "still waiting while the round is held");
            control.putLongVolatile(ControlDescriptor.CLEAN_LOCK_OFFSET, 0); // the round is over
            assertTrue(later.get(30, TimeUnit.SECONDS) > 0, "published once the round was over");
        }
        finally
        {
            patience.setLong(null, defaultPatience);
        }
    }

    /**
     * The same held round with the default patience: the blocked offer takes the round over (its owner showed no
     * progress for 200 us) and goes through at once, instead of waiting for an owner that may never go on.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void heldRoundIsTakenOverByABlockedOffer() throws Exception
    {
        try (TestBus bus = TestBus.create("admin-takeover"); Topic topic = bus.bus().topic("t", OPTIONS))
        {
            final UnsafeBuffer control = ((ShmTopic)topic).ring().control();
            final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
            final Publisher publisher = topic.publisher(PublisherOptions.shared());
            final Publisher owner = topic.publisher(PublisherOptions.shared());
            final UnsafeBuffer message = new UnsafeBuffer(new byte[200]);
            control.putLongVolatile(ControlDescriptor.CLEAN_LOCK_OFFSET, owner.id() + 1);
            long result;
            while ((result = publisher.offer(message, 0, message.capacity())) > 0)
            {
                subscriber.poll(IGNORE, 100);
            }
            assertEquals(Publisher.ADMIN_ACTION, result, "the offer that needed a round");
            final long takeovers = topic.status().takeovers();
            final long started = System.nanoTime();
            assertTrue(publisher.offerBlocking(message, 0, message.capacity(), TimeUnit.SECONDS.toNanos(20)) > 0);
            final long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(ms < 5_000, "took " + ms + " ms");
            assertEquals(takeovers + 1, topic.status().takeovers(), "the held round was taken over");
            assertEquals(0, control.getLongVolatile(ControlDescriptor.CLEAN_LOCK_OFFSET));
        }
    }

    private static long adminActions(final Topic topic, final int publisherId)
    {
        for (final TopicStatus.PublisherStatus p : topic.status().publishers())
        {
            if (p.id() == publisherId)
            {
                return p.adminActions();
            }
        }
        throw new AssertionError("no publisher " + publisherId);
    }
}
