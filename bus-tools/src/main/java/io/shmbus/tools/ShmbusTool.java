package io.shmbus.tools;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicStatus;
import io.shmbus.impl.layout.TopicHeaderDescriptor;
import io.shmbus.aeron.bridge.BridgeCommand;
import io.shmbus.aeron.bridge.BridgeStatus;
import io.shmbus.journal.tools.JournalInfoCommand;
import io.shmbus.journal.tools.JournalTrimCommand;
import io.shmbus.journal.tools.RecordCommand;
import io.shmbus.journal.tools.ReplayCommand;
import org.agrona.DirectBuffer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The {@code shmbus} command line: list, stat, tail, inspect and clean the topics of a bus directory, drop
 * durable subscriptions, bridge a topic to another host ({@code bridge}), record it to disk and replay it
 * ({@code record}, {@code replay}, {@code journal info}, {@code journal trim}). Run by {@code bin/shmbus}. It
 * reads the counters the participants keep in shared memory, so it observes a live topic without slowing it
 * (a tail attaches an untethered subscriber, which never holds publishers back).
 */
@Command(
    name = "shmbus",
    mixinStandardHelpOptions = true,
    description = "Inspect and maintain shmbus topics.",
    subcommands = {
        ShmbusTool.ListCommand.class,
        ShmbusTool.StatCommand.class,
        ShmbusTool.TailCommand.class,
        ShmbusTool.InspectCommand.class,
        ShmbusTool.CleanCommand.class,
        ShmbusTool.DropDurableCommand.class,
        BridgeCommand.class,
        RecordCommand.class,
        ReplayCommand.class,
        ShmbusTool.JournalCommand.class })
public final class ShmbusTool
{
    /** Before the command's name (the journal and bridge commands take their own). */
    @Option(names = { "-d", "--dir" }, description = "bus directory (default: /dev/shm/shmbus-<user>)")
    Path directory;

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new ShmbusTool()).execute(args));
    }

    Bus openBus()
    {
        return Bus.open(null == directory ? BusOptions.defaults() : BusOptions.builder().directory(directory).build());
    }

    @Command(name = "list", description = "List the topics with their tail, participants and liveness.")
    static final class ListCommand implements Callable<Integer>
    {
        @CommandLine.ParentCommand
        ShmbusTool parent;

        @Override
        public Integer call() throws Exception
        {
            try (Bus bus = parent.openBus(); Stream<Path> files = Files.list(bus.directory()))
            {
                final Map<String, List<BridgeStatus.Snapshot>> bridges = bridgesByTopic(bus.directory());
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
                    .append(livenessWord(side.liveness()));
            }
            return marks.toString();
        }

        private static String alive(final long alive, final int total)
        {
            return alive + "/" + total;
        }
    }

    @Command(name = "stat", description = "Show a topic's participants, positions, lag and rates.")
    static final class StatCommand implements Callable<Integer>
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
                    final Map<String, List<BridgeStatus.Snapshot>> bridges = bridgesByTopic(bus.directory());
                    for (int i = 0; i < topics.size(); i++)
                    {
                        print(before.get(i), topics.get(i).status(), bridges.remove(topics.get(i).name()));
                    }
                    if (null == name)
                    {
                        for (final Map.Entry<String, List<BridgeStatus.Snapshot>> orphan : bridges.entrySet())
                        {
                            System.out.printf("topic %s  (no such topic in %s)%n", orphan.getKey(), bus.directory());
                            orphan.getValue().forEach(side -> bridgeLines(side).forEach(System.out::println));
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
                sides.forEach(side -> bridgeLines(side).forEach(System.out::println));
            }
        }
    }

    static Map<String, List<BridgeStatus.Snapshot>> bridgesByTopic(final Path busDirectory)
    {
        final Map<String, List<BridgeStatus.Snapshot>> byTopic = new LinkedHashMap<>();
        for (final BridgeStatus.Snapshot side : BridgeStatus.list(busDirectory))
        {
            byTopic.computeIfAbsent(side.topic(), topic -> new ArrayList<>()).add(side);
        }
        return byTopic;
    }

    static String livenessWord(final BridgeStatus.Liveness liveness)
    {
        return switch (liveness)
        {
            case ALIVE -> "alive";
            case STOPPED -> "stopped";
            case DEAD -> "DEAD";
        };
    }

    /**
     * A bridge side as {@code stat} shows it: what it is and whether it lives, its channels, and its counters as
     * {@code key=value}.
     */
    static List<String> bridgeLines(final BridgeStatus.Snapshot side)
    {
        final long nowMs = System.currentTimeMillis();
        final List<String> lines = new ArrayList<>();
        final StringBuilder head = new StringBuilder("  bridge ").append(side.role()).append(" pid ").append(side.pid())
            .append(' ').append(livenessWord(side.liveness()));
        switch (side.liveness())
        {
            case ALIVE -> head.append(side.connected() ? " connected" : " NOT CONNECTED")
                .append(" up ").append(seconds(nowMs - side.startedMs()))
                .append(" heartbeat ").append(Math.max(0, nowMs - side.heartbeatMs())).append(" ms ago");
            case STOPPED -> head.append(" at ").append(Instant.ofEpochMilli(side.stoppedMs()));
            case DEAD -> head.append(" (killed or crashed; last heartbeat ")
                .append(Instant.ofEpochMilli(side.heartbeatMs())).append(')');
        }
        if (side.isOut())
        {
            head.append(side.tethered() ? " tethered durable '" + side.durableName() + "'" : " untethered");
        }
        head.append(" peer ").append(side.peer().isEmpty() ? "-" : side.peer());
        lines.add(head.toString());
        lines.add("    data " + side.channel() + " stream " + side.streamId() + "  acks " + side.ackChannel() +
            " stream " + side.ackStreamId() + "  state " + side.stateDirectory());
        final StringBuilder counters = new StringBuilder("   ");
        final BridgeStatus.Counter[] shown = side.isOut() ? OUT_COUNTERS : IN_COUNTERS;
        for (final BridgeStatus.Counter counter : shown)
        {
            counters.append(' ').append(counter.key()).append('=').append(counter == BridgeStatus.Counter.EPOCH ?
                Long.toHexString(side.get(counter)) : Long.toString(side.get(counter)));
        }
        lines.add(counters.toString());
        if (!side.isOut() && side.get(BridgeStatus.Counter.GAPS) > 0)
        {
            lines.add("    last gap: sequences " + side.get(BridgeStatus.Counter.LAST_GAP_FROM_SEQUENCE) + ".." +
                side.get(BridgeStatus.Counter.LAST_GAP_TO_SEQUENCE) + ", source positions " +
                side.get(BridgeStatus.Counter.LAST_GAP_FROM_POSITION) + ".." +
                side.get(BridgeStatus.Counter.LAST_GAP_TO_POSITION));
        }
        return lines;
    }

    private static String seconds(final long ms)
    {
        return String.format("%.1f s", Math.max(0, ms) / 1000.0);
    }

    private static final BridgeStatus.Counter[] OUT_COUNTERS = {
        BridgeStatus.Counter.MESSAGES, BridgeStatus.Counter.BYTES, BridgeStatus.Counter.FRAMES_SENT,
        BridgeStatus.Counter.FRAMES_RECEIVED, BridgeStatus.Counter.BACK_PRESSURED, BridgeStatus.Counter.NOT_CONNECTED,
        BridgeStatus.Counter.DROPPED, BridgeStatus.Counter.HOLD_EXPIRED, BridgeStatus.Counter.RESENDS,
        BridgeStatus.Counter.LAST_SEQUENCE, BridgeStatus.Counter.ACKED_SEQUENCE, BridgeStatus.Counter.EPOCH};

    private static final BridgeStatus.Counter[] IN_COUNTERS = {
        BridgeStatus.Counter.MESSAGES, BridgeStatus.Counter.BYTES, BridgeStatus.Counter.FRAMES_RECEIVED,
        BridgeStatus.Counter.FRAMES_SENT, BridgeStatus.Counter.DUPLICATES, BridgeStatus.Counter.AHEAD_DROPPED,
        BridgeStatus.Counter.GAPS, BridgeStatus.Counter.GAP_MESSAGES, BridgeStatus.Counter.BACK_PRESSURED,
        BridgeStatus.Counter.RESENDS, BridgeStatus.Counter.LAST_SEQUENCE, BridgeStatus.Counter.EPOCH};

    @Command(name = "tail", description = "Print messages as they are published (untethered: never slows anyone).")
    static final class TailCommand implements Callable<Integer>
    {
        @CommandLine.ParentCommand
        ShmbusTool parent;

        @Parameters(index = "0", description = "topic name")
        String name;

        @Option(names = { "-n", "--count" }, description = "stop after this many messages", defaultValue = "10")
        long count;

        @Option(names = "--timeout-ms", description = "stop after this long without a message", defaultValue = "10000")
        long timeoutMs;

        @Override
        public Integer call()
        {
            try (Bus bus = parent.openBus(); Topic topic = bus.openTopic(name);
                Subscriber subscriber = topic.subscriber(SubscriberOptions.untethered().lossHandler(
                    (messages, bytes, from, to) -> System.out.printf(
                        "-- lost %d messages (%d bytes)%n", messages, bytes))))
            {
                final long[] seen = { 0 };
                while (seen[0] < count)
                {
                    final int n = subscriber.poll((buffer, offset, length, header) ->
                    {
                        seen[0]++;
                        System.out.printf("%d position %d type %d publisher %d length %d  %s%n", seen[0],
                            header.position(), header.type(), header.publisherId(), length,
                            preview(buffer, offset, length));
                    }, (int)Math.min(64, count - seen[0]), TimeUnit.MILLISECONDS.toNanos(timeoutMs));
                    if (n == 0)
                    {
                        System.out.println("-- no message for " + timeoutMs + " ms");
                        break;
                    }
                }
            }
            return 0;
        }

        private static String preview(final DirectBuffer buffer, final int offset, final int length)
        {
            final StringBuilder sb = new StringBuilder();
            for (int i = 0; i < Math.min(length, 32); i++)
            {
                sb.append(String.format("%02x", buffer.getByte(offset + i)));
            }
            return length > 32 ? sb + "..." : sb.toString();
        }
    }

    @Command(name = "inspect", description = "Print a topic file's header.")
    static final class InspectCommand implements Callable<Integer>
    {
        @CommandLine.ParentCommand
        ShmbusTool parent;

        @Parameters(index = "0", description = "topic name")
        String name;

        @Override
        public Integer call()
        {
            try (Bus bus = parent.openBus(); Topic topic = bus.openTopic(name))
            {
                System.out.printf("topic %s%n  layout version %d%n  settings %s%n  anonymous %b%n", name,
                    TopicHeaderDescriptor.LAYOUT_VERSION, topic.options(), topic.isAnonymous());
                final TopicStatus status = topic.status();
                System.out.printf("  tail %d, oldest retained %d%n", status.tail(), status.oldest());
            }
            return 0;
        }
    }

    @Command(name = "clean", description = "Remove topics no process has open, and files of dead creators.")
    static final class CleanCommand implements Callable<Integer>
    {
        @CommandLine.ParentCommand
        ShmbusTool parent;

        @Override
        public Integer call()
        {
            try (Bus bus = parent.openBus())
            {
                final List<String> removed = bus.clean();
                removed.forEach(name -> System.out.println("removed " + name));
                System.out.println(removed.size() + " file(s) removed from " + bus.directory());
            }
            return 0;
        }
    }

    @Command(name = "drop-durable", description = "Remove a durable subscription that is away (its slot and position).")
    static final class DropDurableCommand implements Callable<Integer>
    {
        @CommandLine.ParentCommand
        ShmbusTool parent;

        @Parameters(index = "0", description = "topic name")
        String topicName;

        @Parameters(index = "1", description = "durable subscriber name")
        String durableName;

        @Override
        public Integer call()
        {
            try (Bus bus = parent.openBus(); Topic topic = bus.openTopic(topicName))
            {
                if (topic.dropDurable(durableName))
                {
                    System.out.printf("dropped durable subscription '%s' of %s%n", durableName, topicName);
                    return 0;
                }
                System.out.printf("topic %s has no durable subscription '%s'%n", topicName, durableName);
                return 1;
            }
        }
    }

    @Command(name = "journal", mixinStandardHelpOptions = true, description = "Look at a topic journal on disk.",
        subcommands = {JournalInfoCommand.class, JournalTrimCommand.class})
    static final class JournalCommand implements Callable<Integer>
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call()
        {
            spec.commandLine().usage(System.out);
            return 2;
        }
    }
}
