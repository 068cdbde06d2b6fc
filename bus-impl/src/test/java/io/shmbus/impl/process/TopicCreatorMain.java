package io.shmbus.impl.process;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Topic;
import io.shmbus.TopicMismatchException;
import io.shmbus.TopicOptions;
import io.shmbus.impl.layout.TopicHeaderDescriptor;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A child that races its siblings to create the same topics.
 *
 * <p>Arguments ({@code key=value}): {@code dir} (the bus), {@code barrier} (a directory), {@code rounds},
 * {@code spec} (the settings it asks for), {@code deadline}. For each round r it prints {@code WAITING r}, waits
 * for the file {@code barrier/go-r} to appear, and calls {@code bus.topic("race-r", ...)}. It prints
 * {@code OK r <creatorPid> <inode> <startNs> <endNs>} (the creator's pid as the topic header records it, the
 * file's inode, and {@link System#nanoTime()} around the call: CLOCK_MONOTONIC, comparable across processes), or
 * {@code MISMATCH r <startNs> <endNs> <message>}. It keeps its topics open until {@code EXIT}, then prints
 * {@code DONE}.
 */
public final class TopicCreatorMain
{
    private TopicCreatorMain()
    {
    }

    public static void main(final String[] args)
    {
        ChildSupport.main(args, 120, TopicCreatorMain::run);
    }

    private static void run(final ChildArgs a) throws IOException
    {
        final TopicOptions options = ChildSupport.options(a.get("spec"));
        final Path barrier = Path.of(a.get("barrier"));
        final int rounds = a.getInt("rounds");
        final List<Topic> topics = new ArrayList<>();
        try (Bus bus = Bus.open(BusOptions.builder().directory(Path.of(a.get("dir"))).build()))
        {
            for (int round = 0; round < rounds; round++)
            {
                final String name = "race-" + round;
                ChildSupport.out("WAITING " + round);
                final Path go = barrier.resolve("go-" + round);
                while (!Files.exists(go))
                {
                    Thread.yield();
                }
                final long startNs = System.nanoTime();
                try
                {
                    final Topic topic = bus.topic(name, options);
                    final long endNs = System.nanoTime();
                    topics.add(topic);
                    final Path file = bus.directory().resolve(name);
                    ChildSupport.out("OK " + round + " " + creatorPid(file) + " " +
                        Files.getAttribute(file, "unix:ino") + " " + startNs + " " + endNs);
                }
                catch (final TopicMismatchException ex)
                {
                    final long endNs = System.nanoTime();
                    ChildSupport.out("MISMATCH " + round + " " + startNs + " " + endNs + " " + ex.getMessage());
                }
            }
            ChildSupport.awaitCommand("EXIT");
            for (final Topic topic : topics)
            {
                topic.close();
            }
        }
        ChildSupport.out("DONE");
    }

    private static int creatorPid(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final MappedByteBuffer header = channel.map(FileChannel.MapMode.READ_ONLY, 0,
                TopicHeaderDescriptor.HEADER_LENGTH);
            return header.order(ByteOrder.LITTLE_ENDIAN).getInt(TopicHeaderDescriptor.CREATOR_PID_OFFSET);
        }
    }
}
