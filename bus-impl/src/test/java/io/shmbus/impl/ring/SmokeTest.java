package io.shmbus.impl.ring;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.impl.TestBus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SmokeTest
{
    @Test
    void oneMillionThroughSmallRing()
    {
        try (TestBus test = TestBus.create("smoke"))
        {
            final Topic topic = test.bus().topic(
                "t", TopicOptions.builder().capacityBytes(4096).maxMessageLength(200).build());
            final Subscriber sub = topic.subscriber(SubscriberOptions.tethered());
            final Publisher pub = topic.publisher(PublisherOptions.exclusive());
            final UnsafeBuffer msg = new UnsafeBuffer(new byte[200]);
            final long[] next = {0};
            long sent = 0;
            final int total = 1_000_000;
            while (next[0] < total)
            {
                if (sent < total)
                {
                    msg.putLong(0, sent);
                    final int len = 8 + (int)(sent % 190);
                    if (pub.offer(msg, 0, len) > 0)
                    {
                        sent++;
                    }
                }
                sub.poll((b, o, l, h) ->
                {
                    assertEquals(next[0], b.getLong(o));
                    assertEquals(8 + (int)(next[0] % 190), l);
                    next[0]++;
                }, 10);
            }
            assertEquals(total, next[0]);
        }
    }

    @Test
    void futexWaitWakesOnCommit() throws Exception
    {
        try (TestBus test = TestBus.create("smokewait"))
        {
            final Topic topic = test.bus().topic("t", TopicOptions.builder().capacityBytes(4096).build());
            final Subscriber sub = topic.subscriber(
                SubscriberOptions.tethered().waitStrategy(io.shmbus.WaitStrategy.futex()));
            final Publisher pub = topic.publisher(PublisherOptions.shared());
            final UnsafeBuffer msg = new UnsafeBuffer(new byte[8]);
            final Thread sender = new Thread(() ->
            {
                for (int i = 0; i < 1000; i++)
                {
                    try
                    {
                        Thread.sleep(0, 200_000);
                    }
                    catch (final InterruptedException e)
                    {
                        return;
                    }
                    msg.putLong(0, i);
                    while (pub.offerBlocking(msg, 0, 8, 1_000_000_000L) < 0) { }
                }
            });
            sender.start();
            final long[] got = {0};
            while (got[0] < 1000)
            {
                final int n = sub.poll((b, o, l, h) ->
                {
                    assertEquals(got[0], b.getLong(o));
                    got[0]++;
                }, 10, 5_000_000_000L);
                org.junit.jupiter.api.Assertions.assertTrue(n > 0, "timed out at " + got[0]);
            }
            sender.join();
        }
    }
}
