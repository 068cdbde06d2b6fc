package io.shmbus.impl.process;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;

import java.nio.file.Path;

/**
 * A child that opens a topic and, with {@code join=POLICY}, joins it as a subscriber of that policy (tethered,
 * untethered or durable), while a fault point (set by the test) halts it at one step so that the test can truncate
 * the file there. It prints {@code RESULT OK} or {@code RESULT <exception class> <message>} and exits 0: what the
 * public API reported is the test's to judge.
 *
 * <p>Arguments ({@code key=value}): {@code dir}, {@code topic}, {@code join} (optional), {@code deadline}.
 */
public final class TruncationVictimMain
{
    private TruncationVictimMain()
    {
    }

    public static void main(final String[] args)
    {
        final ChildArgs a = new ChildArgs(args);
        ChildSupport.start(a.getLong("deadline", 120));
        final String join = a.get("join", "");
        try (Bus bus = Bus.open(BusOptions.builder().directory(Path.of(a.get("dir"))).build()))
        {
            String result = "OK";
            try (Topic topic = bus.openTopic(a.get("topic")))
            {
                if (!join.isEmpty())
                {
                    final SubscriberOptions options = switch (join)
                    {
                        case "untethered" -> SubscriberOptions.untethered();
                        case "durable" -> SubscriberOptions.durable("victim");
                        default -> SubscriberOptions.tethered();
                    };
                    try (Subscriber ignored = topic.subscriber(options))
                    {
                        result = "OK";
                    }
                }
            }
            catch (final Throwable ex)
            {
                result = ex.getClass().getName() + " " + ex.getMessage();
            }
            ChildSupport.out("RESULT " + result.replace('\n', ' '));
        }
        catch (final Throwable ex)
        {
            ChildSupport.fail(ex);
        }
        System.exit(0);
    }
}
