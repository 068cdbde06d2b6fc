package io.shmbus.impl.process;

import io.shmbus.Bus;
import io.shmbus.BusException;
import io.shmbus.BusOptions;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Topic;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A child that tries one thing on a bus and says how it went, for tests of what a process may do: another user,
 * another group, a JVM without the flags shmbus needs, a permissive umask.
 *
 * <p>Arguments ({@code key=value}): {@code dir}, optionally {@code group} (for {@link BusOptions.Builder#group}),
 * {@code topic}, {@code action}: {@code open} (open the bus and the topic), {@code create} (create the topic with
 * the settings {@code spec}), {@code anonymous} (create an anonymous topic with the settings {@code spec}),
 * {@code publish} (open, then publish one message naming this process's user),
 * {@code bus} (only open the bus).
 *
 * <p>Prints {@code OK <action>} when everything worked, {@code BUS_EXCEPTION <class> <message>} when shmbus refused
 * with a {@link BusException} (the expected refusal), or {@code OTHER <throwable>} for anything else (exit code 1).
 */
public final class BusProbeMain
{
    private BusProbeMain()
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
        catch (final BusException ex)
        {
            ChildSupport.out("BUS_EXCEPTION " + ex.getClass().getSimpleName() + " " +
                String.valueOf(ex.getMessage()).replace('\n', ' '));
        }
        catch (final Throwable ex)
        {
            ex.printStackTrace();
            ChildSupport.out("OTHER " + ex.toString().replace('\n', ' '));
            System.exit(1);
        }
        System.exit(0);
    }

    private static void run(final ChildArgs a) throws InterruptedException
    {
        final String action = a.get("action");
        final BusOptions.Builder options = BusOptions.builder().directory(Path.of(a.get("dir")));
        final String group = a.get("group", "");
        if (!group.isEmpty())
        {
            options.group(group);
        }
        try (Bus bus = Bus.open(options.build()))
        {
            switch (action)
            {
                case "bus" -> { }
                case "open" -> bus.openTopic(a.get("topic"));
                case "create" -> bus.topic(a.get("topic"), ChildSupport.options(a.get("spec")));
                case "anonymous" -> bus.anonymousTopic(a.get("topic"), ChildSupport.options(a.get("spec")));
                case "publish" ->
                {
                    final Topic topic = bus.openTopic(a.get("topic"));
                    final Publisher publisher = topic.publisher(PublisherOptions.shared());
                    final byte[] message = ("from " + System.getProperty("user.name")).getBytes(
                        StandardCharsets.US_ASCII);
                    final long result = publisher.offerBlocking(new UnsafeBuffer(message), 0, message.length,
                        TimeUnit.SECONDS.toNanos(20));
                    if (result <= 0)
                    {
                        throw new IllegalStateException("offer returned " + result);
                    }
                }
                default -> throw new IllegalArgumentException("action " + action);
            }
            ChildSupport.out("OK " + action);
        }
    }
}
