package io.shmbus.aeron;

import io.shmbus.Bus;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-message paths of the Aeron transport allocate nothing: offer (exclusive and shared), tryClaim and
 * commit, and poll, measured on the calling thread after a warm-up.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AllocationTest
{
    private static final int MESSAGES = 100_000;

    private static final class Counter implements MessageHandler
    {
        long count;
        long sum;

        @Override
        public void onMessage(final org.agrona.DirectBuffer buffer, final int offset, final int length,
            final io.shmbus.MessageHeader header)
        {
            count++;
            sum += buffer.getLong(offset) + header.type() + header.publisherId();
        }
    }

    @Test
    void offerClaimAndPollAllocateNothingPerMessage()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final Path directory = TestDirs.newBusDirectory("alloc");
        try (Bus bus = Bus.open(BusOptions.builder().directory(directory).transport("aeron")
            .property(AeronSettings.CHANNEL, "aeron:ipc").build()))
        {
            final Topic topic = bus.topic("alloc", TopicOptions.builder().capacityBytes(1 << 20).build());
            final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
            final Publisher exclusive = topic.publisher(PublisherOptions.exclusive());
            final Publisher shared = topic.publisher(PublisherOptions.shared());
            AeronContractTest.awaitConnected(exclusive);
            AeronContractTest.awaitConnected(shared);
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
            final Claim claim = new Claim();
            final Counter counter = new Counter();
            run(exclusive, shared, subscriber, buffer, claim, counter);
            final long before = threads.getCurrentThreadAllocatedBytes();
            run(exclusive, shared, subscriber, buffer, claim, counter);
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            System.out.println("allocated " + allocated + " bytes on the calling thread for " + 3 * MESSAGES +
                " messages");
            assertEquals(2L * 3 * MESSAGES, counter.count);
            assertTrue(counter.sum != 0);
            // A few hundred bytes of incidental allocation at most, against 300,000 messages.
            assertTrue(allocated < 4096, allocated + " bytes allocated for " + 3 * MESSAGES + " messages");
        }
        finally
        {
            TestDirs.delete(directory);
        }
    }

    private static void run(final Publisher exclusive, final Publisher shared, final Subscriber subscriber,
        final UnsafeBuffer buffer, final Claim claim, final Counter counter)
    {
        final long target = counter.count + 3L * MESSAGES;
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        for (int i = 0; i < MESSAGES; i++)
        {
            buffer.putLong(0, i);
            while (exclusive.offer(buffer, 0, 64, 1) < 0)
            {
                subscriber.poll(counter, 64);
            }
            while (shared.offer(buffer, 0, 32, 2) < 0)
            {
                subscriber.poll(counter, 64);
            }
            while (exclusive.tryClaim(16, claim) < 0)
            {
                subscriber.poll(counter, 64);
            }
            claim.buffer().putLong(0, i);
            claim.type(3).commit();
            subscriber.poll(counter, 64);
        }
        while (counter.count < target && System.nanoTime() < deadlineNs)
        {
            subscriber.poll(counter, 64);
        }
    }
}
