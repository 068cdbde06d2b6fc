package io.shmbus.impl.mapping;

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A topic file truncated under live participants: they get an exception naming what happened, the JVM does
 * not crash (the kernel's SIGBUS on the vanished pages becomes the JVM's InternalError, turned into
 * TopicCorruptedException).
 */
class TruncatedTopicTest
{
    @Test
    @Timeout(30)
    void readerAndWriterOfATruncatedFileGetTopicCorrupted() throws Exception
    {
        try (TestBus test = TestBus.create("truncate"))
        {
            final Topic topic = test.bus().topic("t", TopicOptions.builder().capacityBytes(64 * 1024).build());
            final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
            final Publisher publisher = topic.publisher(PublisherOptions.exclusive());
            final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
            for (int i = 0; i < 100; i++)
            {
                assertTrue(publisher.offer(message, 0, 64) > 0);
            }
            assertEquals(10, subscriber.poll((b, o, l, h) -> {}, 10));

            try (FileChannel channel = FileChannel.open(test.directory().resolve("t"), StandardOpenOption.WRITE))
            {
                channel.truncate(4096);
            }

            final TopicCorruptedException readFault = assertThrows(
                TopicCorruptedException.class, () -> subscriber.poll((b, o, l, h) -> b.getLong(o), 100));
            assertTrue(readFault.getMessage().contains("truncated"), readFault.getMessage());
            final TopicCorruptedException writeFault = assertThrows(
                TopicCorruptedException.class, () ->
                {
                    for (int i = 0; i < 10_000; i++)
                    {
                        publisher.offer(message, 0, 64);
                    }
                });
            assertTrue(writeFault.getMessage().contains("4096 bytes"), writeFault.getMessage());
        }
    }
}
