package io.shmbus.impl.anonymous;

import io.shmbus.BusException;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.ShareOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.TopicShare;
import io.shmbus.impl.TestBus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Anonymous topics in one process: threads share the topic object; a second "process view" joins through
 * the socket and gets the same memory; refused peers get a clear error; nothing appears in the bus directory.
 */
class AnonymousTopicTest
{
    @Test
    @Timeout(30)
    void joinedThroughTheSocketSeesTheSameMemory() throws Exception
    {
        try (TestBus test = TestBus.create("anon"))
        {
            final Topic owner = test.bus().anonymousTopic("feed",
                TopicOptions.builder().capacityBytes(64 * 1024).build());
            assertTrue(owner.isAnonymous());
            final String address = "shmbus-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
            try (TopicShare share = owner.share(ShareOptions.abstractName(address)))
            {
                final Topic joined = test.bus().joinAnonymous(ShareOptions.abstractName(address), 5_000_000_000L);
                assertTrue(joined.isAnonymous());
                assertEquals(owner.options(), joined.options());
                final Subscriber subscriber = joined.subscriber(SubscriberOptions.tethered());
                final Publisher publisher = owner.publisher(PublisherOptions.exclusive());
                final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
                for (long i = 0; i < 1000; i++)
                {
                    message.putLong(0, i);
                    while (publisher.offer(message, 0, 8) < 0)
                    {
                        Thread.onSpinWait();
                    }
                }
                final long[] next = {0};
                while (next[0] < 1000)
                {
                    subscriber.poll((b, o, l, h) -> assertEquals(next[0]++, b.getLong(o)), 100, 1_000_000_000L);
                }
                assertEquals(1, share.handedOut());
            }
            try (java.util.stream.Stream<java.nio.file.Path> files = Files.list(test.directory()))
            {
                assertEquals(0, files.count(), "an anonymous topic leaves nothing in the bus directory");
            }
        }
    }

    @Test
    @Timeout(30)
    void aPeerNotOnTheAllowListIsRefused()
    {
        try (TestBus test = TestBus.create("anondeny"))
        {
            final Topic owner = test.bus().anonymousTopic("secret", TopicOptions.defaults());
            final String address = "shmbus-test-deny-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
            try (TopicShare share = owner.share(ShareOptions.abstractName(address).denyOwnUid().allowUid(54321)))
            {
                final BusException refused = assertThrows(BusException.class,
                    () -> test.bus().joinAnonymous(ShareOptions.abstractName(address), 5_000_000_000L));
                assertTrue(refused.getMessage().contains("refused") && refused.getMessage().contains("allow-list"),
                    refused.getMessage());
                assertEquals(1, share.refused());
                assertEquals(0, share.handedOut());
            }
        }
    }

    @Test
    @Timeout(30)
    void joiningWhereNobodyListensFailsClearly()
    {
        try (TestBus test = TestBus.create("anonnone"))
        {
            final BusException missing = assertThrows(BusException.class, () -> test.bus().joinAnonymous(
                ShareOptions.abstractName("shmbus-test-nobody-" + System.nanoTime()), 1_000_000_000L));
            assertTrue(missing.getMessage().contains("no process offers"), missing.getMessage());
        }
    }

    @Test
    void namedTopicsAreNotShared()
    {
        try (TestBus test = TestBus.create("anonnamed"))
        {
            final Topic named = test.bus().topic("named", TopicOptions.defaults());
            assertFalse(named.isAnonymous());
            assertThrows(BusException.class, () -> named.share(ShareOptions.abstractName("x" + System.nanoTime())));
        }
    }
}
