package io.shmbus.impl.layout;

import io.shmbus.MessageHandler;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.impl.TestBus;
import io.shmbus.impl.layout.TopicHeaderDescriptor.Geometry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The data ring, the one region mapped on its own (read-only, for subscribers), starts at a multiple of 64 KiB
 * whatever the topic's settings, so that a kernel with 64 KiB pages can map it; here, on a 4 KiB-page kernel, the
 * mapping at that offset is used for real.
 */
class RegionAlignmentTest
{
    @Test
    void theDataRingStartsAtA64KiBBoundaryForEverySetting()
    {
        for (final int publishers : new int[] {1, 2, 7, 64, 1024})
        {
            for (final int subscribers : new int[] {1, 3, 100, 1024})
            {
                for (final int capacity : new int[] {4096, 65536, 1 << 20})
                {
                    final Geometry g = Geometry.of(capacity, capacity / 8, publishers, subscribers,
                        publishers % 2 == 0);
                    assertEquals(0, g.dataOffset() % Layout.REGION_ALIGNMENT, "data offset of " + g);
                    assertTrue(g.dataOffset() >= g.controlOffset() + g.controlLength(), "regions overlap: " + g);
                    assertEquals(g.dataOffset() + capacity, g.fileLength(), "file length of " + g);
                }
            }
        }
    }

    @Test
    void aTopicIsMappedAndReadThroughTheAlignedOffset() throws Exception
    {
        final TopicOptions options = TopicOptions.builder().capacityBytes(4096).maxMessageLength(256)
            .maxPublishers(3).maxSubscribers(5).build();
        try (TestBus bus = TestBus.create("alignment");
             Topic topic = bus.bus().topic("aligned", options);
             Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
             Publisher publisher = topic.publisher(PublisherOptions.exclusive()))
        {
            final Geometry g = Geometry.of(4096, 256, 3, 5, false);
            assertEquals(Layout.REGION_ALIGNMENT, g.dataOffset(), "header page and control region fit below 64 KiB");
            assertEquals(g.fileLength(), Files.size(bus.directory().resolve("aligned")));
            final UnsafeBuffer message = new UnsafeBuffer(new byte[200]);
            final long[] sum = {0};
            final MessageHandler handler = (buffer, offset, length, header) -> sum[0] += buffer.getLong(offset);
            for (int i = 0; i < 100; i++)
            {
                message.putLong(0, i);
                assertTrue(publisher.offer(message, 0, 200) > 0);
                assertEquals(1, subscriber.poll(handler, 10)); // read through the read-only mapping of the ring
            }
            assertEquals(99 * 100 / 2, sum[0]);
        }
    }
}
