package io.shmbus.impl.process;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A subscriber whose handler tries to write into the ring behind the read-only buffer it is given, by wrapping the
 * buffer's raw address in a writable buffer of its own. The ring is mapped read-only in subscribers, so the write
 * faults (SIGSEGV) and this JVM dies; nothing shared is changed.
 *
 * <p>Arguments ({@code key=value}): {@code dir}, {@code topic}, {@code deadline}. Prints {@code READY <position>}
 * once attached, and {@code WRITING <address>} just before the write; {@code SURVIVED} would mean the write went
 * through.
 */
public final class VandalSubscriberMain
{
    private VandalSubscriberMain()
    {
    }

    public static void main(final String[] args)
    {
        final ChildArgs a = new ChildArgs(args);
        ChildSupport.start(a.getLong("deadline", 60));
        try (Bus bus = Bus.open(BusOptions.builder().directory(Path.of(a.get("dir"))).build()))
        {
            final Topic topic = bus.openTopic(a.get("topic"));
            final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered()
                .startAt(SubscriberOptions.StartPosition.OLDEST));
            ChildSupport.out("READY " + subscriber.position());
            while (0 == subscriber.poll((buffer, offset, length, header) ->
            {
                final long address = buffer.addressOffset() + offset;
                ChildSupport.out("WRITING " + Long.toHexString(address));
                new UnsafeBuffer(address, length).putLong(0, 0x5555_5555_5555_5555L);
                ChildSupport.out("SURVIVED");
            }, 1, TimeUnit.SECONDS.toNanos(1)))
            {
                Thread.onSpinWait();
            }
        }
        catch (final Throwable ex)
        {
            ChildSupport.fail(ex);
        }
        System.exit(0);
    }
}
