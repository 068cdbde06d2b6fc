package io.shmbus.impl.process;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicCorruptedException;
import io.shmbus.WaitStrategy;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A child that reads a named topic until the topic fails under it, for tests that damage a topic another process
 * is reading (truncate its file, say).
 *
 * <p>Arguments ({@code key=value}): {@code dir}, {@code topic}, {@code policy} ({@code tethered} or
 * {@code untethered}), {@code wait} ({@code spin}: poll in a loop; {@code futex}: sleep in
 * {@code poll(handler, limit, timeout)} on the topic's futex), {@code deadline}.
 *
 * <p>Prints {@code READY <position>} once attached and {@code RECEIVED <n>} after its first messages; when a poll
 * throws {@link TopicCorruptedException} it prints {@code CORRUPTED <message>}, then closes the subscriber, the
 * topic and the bus, prints {@code CLOSED} and exits 0. Anything else thrown prints {@code OTHER <throwable>} and
 * exits 1.
 */
public final class FaultReaderMain
{
    private FaultReaderMain()
    {
    }

    public static void main(final String[] args)
    {
        final ChildArgs a = new ChildArgs(args);
        ChildSupport.start(a.getLong("deadline", 60));
        try
        {
            run(a);
        }
        catch (final Throwable ex)
        {
            ex.printStackTrace();
            ChildSupport.out("OTHER " + ex.toString().replace('\n', ' '));
            System.exit(1);
        }
        System.exit(0);
    }

    private static void run(final ChildArgs a)
    {
        final boolean futex = "futex".equals(a.get("wait", "spin"));
        final Bus bus = Bus.open(BusOptions.builder().directory(Path.of(a.get("dir"))).build());
        final Topic topic = bus.openTopic(a.get("topic"));
        final SubscriberOptions options = ("untethered".equals(a.get("policy")) ? SubscriberOptions.untethered() :
            SubscriberOptions.tethered()).startAt(SubscriberOptions.StartPosition.OLDEST)
            .waitStrategy(futex ? WaitStrategy.futex() : WaitStrategy.backoff());
        final Subscriber subscriber = topic.subscriber(options);
        ChildSupport.out("READY " + subscriber.position());
        long received = 0;
        boolean reported = false;
        try
        {
            while (true)
            {
                final int count = futex ?
                    subscriber.poll((b, o, l, h) -> b.getByte(o + l - 1), 64, TimeUnit.MILLISECONDS.toNanos(500)) :
                    subscriber.poll((b, o, l, h) -> b.getByte(o + l - 1), 64);
                received += count;
                if (received > 0 && !reported)
                {
                    reported = true;
                    ChildSupport.out("RECEIVED " + received);
                }
                if (count == 0 && !futex)
                {
                    Thread.onSpinWait();
                }
            }
        }
        catch (final TopicCorruptedException ex)
        {
            ChildSupport.out("CORRUPTED " + String.valueOf(ex.getMessage()).replace('\n', ' '));
        }
        subscriber.close();
        topic.close();
        bus.close();
        ChildSupport.out("CLOSED");
    }
}
