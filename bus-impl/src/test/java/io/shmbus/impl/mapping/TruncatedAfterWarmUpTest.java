package io.shmbus.impl.mapping;

import io.shmbus.MessageHandler;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicCorruptedException;
import io.shmbus.TopicOptions;
import io.shmbus.impl.TestBus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A topic truncated after its polls and offers were compiled by the JIT: the JVM then reports the fault on the
 * vanished pages late, at its next safepoint check, possibly after the access's own try block. The very first
 * poll must still throw TopicCorruptedException (polls are laid out for it, see RingSubscriber); an offer reports
 * TopicCorruptedException or the JVM's own late error. Nothing may crash.
 */
class TruncatedAfterWarmUpTest
{
    @Test
    @Timeout(120)
    void lateFaultReportsStillComeOutAsTopicCorrupted() throws Exception
    {
        for (final boolean tethered : new boolean[]{true, false})
        {
            try (TestBus test = TestBus.create("truncwarm"))
            {
                final Topic topic = test.bus().topic("t", TopicOptions.builder().capacityBytes(64 * 1024).build());
                final Subscriber subscriber = topic.subscriber(tethered ? SubscriberOptions.tethered() :
                    SubscriberOptions.untethered());
                final Publisher publisher = topic.publisher(PublisherOptions.exclusive());
                final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
                final long[] sum = {0};
                final MessageHandler handler = (buffer, offset, length, header) -> sum[0] += buffer.getLong(offset);
                for (int i = 0; i < 1_000_000; i++) // enough for the JIT's top tier
                {
                    publisher.offer(message, 0, message.capacity());
                    subscriber.poll(handler, 10);
                }
                for (int i = 0; i < 100; i++)
                {
                    publisher.offer(message, 0, message.capacity());
                }
                try (FileChannel file = FileChannel.open(test.directory().resolve("t"), StandardOpenOption.WRITE))
                {
                    file.truncate(4096);
                }
                final TopicCorruptedException first = assertThrows(TopicCorruptedException.class,
                    () -> subscriber.poll(handler, 100), "the first poll after the truncation");
                assertTrue(first.getMessage().contains("its size is now 4096 bytes"), first.getMessage());
                assertThrows(TopicCorruptedException.class, () -> subscriber.poll(handler, 100));
                System.out.println("TRUNCATED after warm-up, " + (tethered ? "tethered" : "untethered") + " poll -> " +
                    first.getMessage());
                // An offer is short enough to be inlined into this loop: its fault may be reported just after it.
                TruncatedTopicTest.assertFaultReported(() ->
                {
                    for (int i = 0; i < 3; i++)
                    {
                        publisher.offer(message, 0, message.capacity());
                    }
                }, "4096 bytes");
                topic.close();
            }
        }
    }
}
