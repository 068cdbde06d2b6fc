package io.shmbus.interop;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.WaitStrategy;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM with a tethered subscriber of an existing topic that sleeps on the futex, waiting for messages that
 * do not come, until it is killed. Arguments: {@code dir topic}. Prints {@code READY slot=<j>}.
 */
public final class JavaSubscriberMain
{
    private JavaSubscriberMain()
    {
    }

    public static void main(final String[] args)
    {
        try (Bus bus = Bus.open(BusOptions.builder().directory(Path.of(args[0])).build());
            Topic topic = bus.openTopic(args[1]);
            Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered().waitStrategy(WaitStrategy.futex())))
        {
            System.out.println("READY slot=" + subscriber.id());
            while (true)
            {
                subscriber.poll((buffer, offset, length, header) -> { }, 16, TimeUnit.SECONDS.toNanos(60));
            }
        }
        catch (final Throwable ex)
        {
            System.out.println("FAIL " + ex);
            System.exit(1);
        }
    }
}
