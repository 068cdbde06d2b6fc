package io.shmbus.impl.process;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.TopicOptions;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A child that publishes one message when told to, on one of several topics: for tests that need a commit from
 * another process at a moment they choose.
 *
 * <p>Arguments ({@code key=value}): {@code dir}, {@code topics} (names separated by commas), {@code spec} (the same
 * settings for all), optionally {@code deadline} (seconds).
 *
 * <p>Prints {@code READY <publisherId>...} (one id per topic). On {@code PUB <index>} it offers one
 * {@value WaitChildSupport#MESSAGE_LENGTH}-byte message to topic {@code index} (sequence numbers per topic from 0,
 * retrying for up to 10 s while back-pressured) and prints {@code PUBLISHED <index> <position>} once the offer has
 * returned, that is after the commit and its wake-up call.
 */
public final class CommandPublisherMain
{
    private CommandPublisherMain()
    {
    }

    public static void main(final String[] args)
    {
        ChildSupport.main(args, 300, CommandPublisherMain::run);
    }

    private static void run(final ChildArgs a)
    {
        final TopicOptions options = ChildSupport.options(a.get("spec"));
        final String[] names = a.get("topics").split(",");
        try (Bus bus = Bus.open(BusOptions.builder().directory(Path.of(a.get("dir"))).build()))
        {
            final Publisher[] publishers = new Publisher[names.length];
            final long[] sequences = new long[names.length];
            final StringBuilder ids = new StringBuilder("READY");
            for (int i = 0; i < names.length; i++)
            {
                publishers[i] = bus.topic(names[i], options).publisher(PublisherOptions.exclusive());
                ids.append(' ').append(publishers[i].id());
            }
            final UnsafeBuffer message = new UnsafeBuffer(new byte[WaitChildSupport.MESSAGE_LENGTH]);
            ChildSupport.out(ids.toString());
            while (true)
            {
                final String command = ChildSupport.nextCommand();
                if (!command.startsWith("PUB "))
                {
                    continue;
                }
                final int index = Integer.parseInt(command.substring(4).trim());
                message.putLong(WaitChildSupport.SEQUENCE_OFFSET, sequences[index]++);
                message.putLong(WaitChildSupport.NANOS_OFFSET, System.nanoTime());
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                long result;
                while ((result = publishers[index].offer(message, 0, WaitChildSupport.MESSAGE_LENGTH)) < 0)
                {
                    if (result == Publisher.CLOSED || System.nanoTime() - deadline > 0)
                    {
                        ChildSupport.fail("cannot publish on " + names[index] + ": " + result);
                    }
                    Thread.yield();
                }
                ChildSupport.out("PUBLISHED " + index + " " + result);
            }
        }
    }
}
