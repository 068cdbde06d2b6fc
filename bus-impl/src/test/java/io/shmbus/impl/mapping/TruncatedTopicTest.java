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

            assertFaultReported(() -> subscriber.poll((b, o, l, h) -> b.getLong(o), 100), "4096 bytes");
            assertFaultReported(() ->
            {
                for (int i = 0; i < 10_000; i++)
                {
                    publisher.offer(message, 0, 64);
                }
            }, "4096 bytes");
        }
    }

    /**
     * The kernel answers an access to a page past the end of a truncated file with SIGBUS, which the JVM turns
     * into an asynchronous {@link InternalError}: it is raised at the thread's next safepoint check. When that
     * check is inside a shmbus call, shmbus reports a {@link TopicCorruptedException} naming the file's new
     * size; when the JIT inlined the call into the caller's loop, the check may come after the call returned,
     * and the caller sees the JVM's own error. Either way the process goes on: no crash.
     *
     * @param action   what touches the truncated memory.
     * @param sizeText what the shmbus message must say about the new size.
     */
    static void assertFaultReported(final org.junit.jupiter.api.function.Executable action, final String sizeText)
    {
        final Throwable fault = assertThrows(Throwable.class, action);
        if (fault instanceof TopicCorruptedException corrupted)
        {
            assertTrue(corrupted.getMessage().contains("truncated") && corrupted.getMessage().contains(sizeText),
                corrupted.getMessage());
        }
        else
        {
            assertTrue(fault instanceof InternalError && fault.getMessage().contains("unsafe memory access"),
                () -> "neither TopicCorruptedException nor the JVM's memory-fault error: " + fault);
        }
    }
}
