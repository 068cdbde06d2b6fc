package io.shmbus.aeron;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One application written against bus-api only, run twice: on shared memory and on Aeron, chosen by the system
 * property {@code shmbus.transport} alone.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnchangedApplicationTest
{
    /**
     * The application: publish checksummed messages and read them back. Knows nothing of the transport.
     */
    static String application(final Path directory, final long count)
    {
        try (Bus bus = Bus.open(BusOptions.builder().directory(directory).build()))
        {
            final Topic topic = bus.topic("app",
                TopicOptions.builder().capacityBytes(1 << 20).maxMessageLength(4096).build());
            final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
            final Publisher publisher = topic.publisher(PublisherOptions.exclusive());
            final CheckedStream.Verifier verifier = new CheckedStream.Verifier();
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
            final CRC32 crc = new CRC32();
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (long sequence = 0; sequence < count && System.nanoTime() < deadlineNs; )
            {
                final int length = CheckedStream.fill(buffer, sequence, crc);
                if (publisher.offer(buffer, 0, length, CheckedStream.typeOf(sequence)) > 0)
                {
                    sequence++;
                }
                else
                {
                    subscriber.poll(verifier, 256);
                }
            }
            while (verifier.next < count && System.nanoTime() < deadlineNs)
            {
                subscriber.poll(verifier, 256, TimeUnit.MILLISECONDS.toNanos(10));
            }
            assertEquals(0, verifier.errors, verifier.describe());
            assertEquals(count, verifier.next, verifier.describe());
            return bus.getClass().getSimpleName();
        }
    }

    private static String runWith(final String transport)
    {
        final Path directory = TestDirs.newBusDirectory("app-" + transport);
        System.setProperty(BusOptions.TRANSPORT_PROPERTY, transport);
        System.setProperty(AeronSettings.CHANNEL, "aeron:ipc");
        try
        {
            return application(directory, 10_000);
        }
        finally
        {
            System.clearProperty(BusOptions.TRANSPORT_PROPERTY);
            System.clearProperty(AeronSettings.CHANNEL);
            TestDirs.delete(directory);
        }
    }

    @Test
    void theSameApplicationRunsOnSharedMemoryAndOnAeronByConfiguration()
    {
        assertEquals("ShmBus", runWith("shm"));
        assertEquals("AeronBus", runWith("aeron"));
    }
}
