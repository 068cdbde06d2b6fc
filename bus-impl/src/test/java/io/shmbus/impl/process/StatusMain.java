package io.shmbus.impl.process;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Topic;
import io.shmbus.TopicStatus;

import java.nio.file.Path;

/**
 * A child that opens a topic (which repairs the slots of dead participants, as every open does), prints its
 * status and exits: how a process other than the participants' sees them.
 *
 * <p>Arguments ({@code key=value}): {@code dir}, {@code topic}, {@code deadline}. Prints one line per publisher,
 * {@code P <slot> <alive>}, one per subscriber, {@code S <slot> <alive> <state>}, then
 * {@code END <repairs> <reclaims>}.
 */
public final class StatusMain
{
    private StatusMain()
    {
    }

    public static void main(final String[] args)
    {
        final ChildArgs a = new ChildArgs(args);
        ChildSupport.start(a.getLong("deadline", 120));
        try (Bus bus = Bus.open(BusOptions.builder().directory(Path.of(a.get("dir"))).build());
            Topic topic = bus.openTopic(a.get("topic")))
        {
            final TopicStatus status = topic.status();
            for (final TopicStatus.PublisherStatus p : status.publishers())
            {
                ChildSupport.out("P " + p.id() + " " + p.alive());
            }
            for (final TopicStatus.SubscriberStatus s : status.subscribers())
            {
                ChildSupport.out("S " + s.id() + " " + s.alive() + " " + s.state());
            }
            ChildSupport.out("END " + status.repairs() + " " + status.reclaims());
        }
        catch (final Throwable ex)
        {
            ChildSupport.fail(ex);
        }
        System.exit(0);
    }
}
