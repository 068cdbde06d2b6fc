package io.shmbus.impl.process;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One JVM of a kill-everything cycle: a shared publisher and a subscriber (tethered, or durable by name) on one
 * topic, meant to be SIGKILLed and started again, over and over, with the same names.
 *
 * <p>Arguments ({@code key=value}): {@code dir}, {@code topic}, {@code spec}, {@code cycle}, {@code jvm} (this
 * JVM's number in its cycle, 0 up), {@code jvms} (JVMs per cycle), {@code subscriber} ({@code tethered} or
 * {@code durable}), {@code name} (durable), {@code deadline}.
 *
 * <p>It opens the bus (the costly part of starting: binding the C library), prints {@code STARTED}, waits for
 * {@code OPEN}, then opens the topic, attaches its publisher and subscriber and prints {@code READY}. Then, once a
 * millisecond, it offers one message, typed {@code cycle << 8 | jvm} and holding a sequence number, and reads what
 * has arrived. Messages of earlier cycles (a durable subscriber resumes where it stopped) are skipped; of each
 * publisher it checks that sequence numbers go up by one. It prints {@code FLOWING} once it has read a message of
 * this cycle from every JVM of the cycle. On {@code CLOSE} it closes everything, prints {@code CLOSED} and exits.
 */
public final class CycleParticipantMain
{
    private CycleParticipantMain()
    {
    }

    public static void main(final String[] args)
    {
        ChildSupport.main(args, 120, CycleParticipantMain::run);
    }

    private static void run(final ChildArgs a)
    {
        final TopicOptions options = ChildSupport.options(a.get("spec"));
        final int cycle = a.getInt("cycle");
        final int jvm = a.getInt("jvm");
        final int jvms = a.getInt("jvms");
        final boolean durable = "durable".equals(a.get("subscriber"));
        try (Bus bus = Bus.open(BusOptions.builder().directory(Path.of(a.get("dir"))).build()))
        {
            ChildSupport.out("STARTED");
            ChildSupport.awaitCommand("OPEN");
            final Topic topic = bus.topic(a.get("topic"), options);
            final Publisher publisher = topic.publisher(PublisherOptions.shared());
            final Subscriber subscriber = topic.subscriber(durable ?
                SubscriberOptions.durable(a.get("name")).startAt(SubscriberOptions.StartPosition.OLDEST) :
                SubscriberOptions.tethered());
            ChildSupport.out("READY " + publisher.id() + " " + subscriber.id());

            final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
            final Map<Integer, Long> last = new HashMap<>();
            final boolean[] seen = new boolean[jvms];
            final int[] missing = {jvms};
            final int type = cycle << 8 | jvm;
            long sequence = 0;
            boolean flowing = false;
            while (!ChildSupport.pollCommand("CLOSE"))
            {
                message.putLong(0, sequence);
                if (publisher.offer(message, 0, 8, type) > 0)
                {
                    sequence++;
                }
                subscriber.poll((buffer, offset, length, header) ->
                {
                    final int from = header.type();
                    if (length != 8 || (from >> 8) > cycle)
                    {
                        ChildSupport.fail("unexpected message: type " + from + ", length " + length);
                    }
                    final long got = buffer.getLong(offset);
                    final Long previous = last.put(from, got);
                    if (null != previous && got != previous + 1)
                    {
                        ChildSupport.fail("message " + got + " of cycle " + (from >> 8) + " JVM " + (from & 0xFF) +
                            " after " + previous);
                    }
                    if ((from >> 8) == cycle && !seen[from & 0xFF])
                    {
                        seen[from & 0xFF] = true;
                        missing[0]--;
                    }
                }, 64);
                if (!flowing && missing[0] == 0)
                {
                    flowing = true;
                    ChildSupport.out("FLOWING " + sequence);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            subscriber.close();
            publisher.close();
            topic.close();
        }
        ChildSupport.out("CLOSED");
    }
}
