package io.shmbus.tools;

import io.shmbus.Bus;
import io.shmbus.Topic;
import io.shmbus.TopicStatus;
import io.shmbus.aeron.bridge.BridgeStatus;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code shmbus stat}: each topic's participants, positions, lag and rates over an interval, and its bridge sides.
 */
@Command(name = "stat", description = "Show a topic's participants, positions, lag and rates.")
final class StatCommand implements Callable<Integer>
{
    @CommandLine.ParentCommand
    ShmbusTool parent;

    @Parameters(index = "0", arity = "0..1", description = "topic name (default: every topic)")
    String name;

    @Option(names = "--interval-ms", description = "time between the two samples for rates", defaultValue = "1000")
    long intervalMs;

    @Override
    public Integer call() throws Exception
    {
        try (Bus bus = parent.openBus())
        {
            final List<String> names = new ArrayList<>();
            if (null != name)
            {
                names.add(name);
            }
            else
            {
                try (Stream<Path> files = Files.list(bus.directory()))
                {
                    files.map(file -> file.getFileName().toString()).filter(file -> !file.startsWith("."))
                        .sorted().forEach(names::add);
                }
            }
            final List<Topic> topics = new ArrayList<>();
            try
            {
                for (final String topicName : names)
                {
                    try
                    {
                        topics.add(bus.openTopic(topicName));
                    }
                    catch (final RuntimeException ex)
                    {
                        if (null != name)
                        {
                            throw ex;
                        }
                        System.out.printf("%s: unreadable: %s%n", topicName, ex.getMessage());
                    }
                }
                final List<TopicStatus> before = new ArrayList<>();
                for (final Topic topic : topics)
                {
                    before.add(topic.status());
                }
                Thread.sleep(intervalMs);
                final Map<String, List<BridgeStatus.Snapshot>> bridges = BridgeSides.byTopic(bus.directory());
                for (int i = 0; i < topics.size(); i++)
                {
                    print(before.get(i), topics.get(i).status(), bridges.remove(topics.get(i).name()));
                }
                if (null == name)
                {
                    for (final Map.Entry<String, List<BridgeStatus.Snapshot>> orphan : bridges.entrySet())
                    {
                        System.out.printf("topic %s  (no such topic in %s)%n", orphan.getKey(), bus.directory());
                        orphan.getValue().forEach(side -> BridgeSides.lines(side).forEach(System.out::println));
                    }
                }
            }
            finally
            {
                topics.forEach(Topic::close);
            }
        }
        return 0;
    }

    private void print(final TopicStatus before, final TopicStatus after, final List<BridgeStatus.Snapshot> sides)
    {
        final double seconds = Math.max(1, intervalMs) / 1000.0;
        System.out.printf("topic %s  capacity %d  tail %d  oldest %d  %.1f MB/s  repairs %d  reclaims %d  " +
            "takeovers %d  holes %d  demotions %d%n",
            after.name(), after.capacityBytes(), after.tail(), after.oldest(),
            (after.tail() - before.tail()) / seconds / 1e6, after.repairs(), after.reclaims(), after.takeovers(),
            after.holes(), after.demotions());
        for (final TopicStatus.PublisherStatus p : after.publishers())
        {
            System.out.printf("  publisher %3d pid %7d %-5s %-9s published %d back-pressured %d " +
                "admin-action %d wakes %d skipped %d%n", p.id(), p.pid(), p.alive() ? "alive" : "DEAD",
                p.exclusive() ? "exclusive" : "shared", p.publishedMessages(), p.backPressured(),
                p.adminActions(), p.wakesIssued(), p.wakesSkipped());
        }
        for (final TopicStatus.SubscriberStatus s : after.subscribers())
        {
            final TopicStatus.SubscriberStatus earlier = before.subscribers().stream()
                .filter(b -> b.id() == s.id()).findFirst().orElse(s);
            System.out.printf("  subscriber %3d pid %7d %-5s %-8s %-10s %-12s position %d lag %d B " +
                "delivered %d (%.0f msg/s) lost %d waits %d%n", s.id(), s.pid(), s.alive() ? "alive" : "DEAD",
                s.state(), s.demoted() ? "DEMOTED" : s.policy(), null == s.name() ? "" : s.name(), s.position(),
                s.lagBytes(),
                s.deliveredMessages(), (s.deliveredMessages() - earlier.deliveredMessages()) / seconds,
                s.lostMessages(), s.waits());
        }
        if (null != sides)
        {
            sides.forEach(side -> BridgeSides.lines(side).forEach(System.out::println));
        }
    }
}
