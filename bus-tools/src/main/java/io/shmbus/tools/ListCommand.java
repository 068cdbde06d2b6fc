package io.shmbus.tools;

import io.shmbus.Bus;
import io.shmbus.Topic;
import io.shmbus.TopicStatus;
import io.shmbus.aeron.bridge.BridgeStatus;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code shmbus list}: the topics of a bus directory, one line each, with the bridge sides that serve them.
 */
@Command(name = "list", description = "List the topics with their tail, participants and liveness.")
final class ListCommand implements Callable<Integer>
{
    @CommandLine.ParentCommand
    ShmbusTool parent;

    @Override
    public Integer call() throws Exception
    {
        try (Bus bus = parent.openBus(); Stream<Path> files = Files.list(bus.directory()))
        {
            final Map<String, List<BridgeStatus.Snapshot>> bridges = BridgeSides.byTopic(bus.directory());
            System.out.printf("%-32s %12s %16s %10s %12s  %s%n", "topic", "capacity", "tail", "publishers",
                "subscribers", "bridge");
            for (final Path file : files.sorted().toList())
            {
                final String name = file.getFileName().toString();
                if (name.startsWith(BridgeStatus.PREFIX))
                {
                    continue; // a bridge side's status file or state directory: shown with its topic
                }
                if (name.startsWith("."))
                {
                    System.out.printf("%-32s (temporary file of a creator)%n", name);
                    continue;
                }
                try (Topic topic = bus.openTopic(name))
                {
                    final TopicStatus status = topic.status();
                    System.out.printf("%-32s %12d %16d %10s %12s  %s%n", name, status.capacityBytes(),
                        status.tail(),
                        alive(status.publishers().stream().filter(TopicStatus.PublisherStatus::alive).count(),
                            status.publishers().size()),
                        alive(status.subscribers().stream().filter(TopicStatus.SubscriberStatus::alive).count(),
                            status.subscribers().size()),
                        bridgeMarks(bridges.remove(name)));
                }
                catch (final RuntimeException ex)
                {
                    System.out.printf("%-32s unreadable: %s%n", name, ex.getMessage());
                }
            }
            for (final Map.Entry<String, List<BridgeStatus.Snapshot>> orphan : bridges.entrySet())
            {
                System.out.printf("%-32s (no such topic)  %s%n", orphan.getKey(), bridgeMarks(orphan.getValue()));
            }
        }
        return 0;
    }

    private static String bridgeMarks(final List<BridgeStatus.Snapshot> sides)
    {
        if (null == sides)
        {
            return "";
        }
        final StringBuilder marks = new StringBuilder();
        for (final BridgeStatus.Snapshot side : sides)
        {
            marks.append(marks.isEmpty() ? "" : " ").append(side.role()).append(':')
                .append(BridgeSides.livenessWord(side.liveness()));
        }
        return marks.toString();
    }

    private static String alive(final long alive, final int total)
    {
        return alive + "/" + total;
    }
}
