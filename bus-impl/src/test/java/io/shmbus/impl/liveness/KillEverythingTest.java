package io.shmbus.impl.liveness;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.TopicStatus;
import io.shmbus.impl.TestBus;
import io.shmbus.impl.process.ChildGroup;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.ChildSupport;
import io.shmbus.impl.process.CycleParticipantMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every participant of a topic, in two JVMs (each a shared publisher and a subscriber, one tethered, one durable
 * by name), SIGKILLed, then started again with the same names, cycle after cycle, with no cleanup between them:
 * 30 cycles by default, {@code -Dshmbus.test.killCycles=100} for a hundred (each cycle starts two JVMs, about a
 * CPU-second each, which is what the test spends its time on). Every
 * fourth cycle is killed at a random moment within 30 ms of opening (creating the topic, attaching, joining);
 * every other cycle must flow: each subscriber reads messages of this cycle from both publishers. At the end the
 * last two JVMs close normally, and {@code Bus.clean()} leaves the bus directory empty: no topic, no temporary
 * file of a creator that died.
 *
 * <p>The topic does not exist before the first cycle (this JVM never opens it until the end): the first cycles
 * race to create it.
 */
class KillEverythingTest
{
    private static final int CYCLES = Integer.getInteger("shmbus.test.killCycles", 30);
    private static final TopicOptions OPTIONS = TopicOptions.builder()
        .capacityBytes(16 * 1024)
        .maxMessageLength(64)
        .maxPublishers(4)
        .maxSubscribers(4)
        .build();
    private static final String TOPIC = "cycles";
    /** Cycles whose JVMs are started ahead of the running one. */
    private static final int LEAD = 3;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void killEveryParticipantAndRestartWithTheSameNames() throws IOException
    {
        final Path directory = TestBus.newDirectory("kill-everything");
        Files.createDirectories(directory);
        final long start = System.nanoTime();
        int flowed = 0;
        try (ChildGroup children = new ChildGroup())
        {
            // The JVMs of the next cycles start while this one runs: starting a JVM is what takes time.
            final Deque<List<ChildProcess>> started = new ArrayDeque<>();
            for (int cycle = 0; cycle <= CYCLES; cycle++)
            {
                while (started.size() <= LEAD && cycle + started.size() <= CYCLES)
                {
                    started.addLast(startCycle(children, directory, cycle + started.size()));
                }
                final List<ChildProcess> current = started.removeFirst();
                final boolean last = cycle == CYCLES;
                final boolean early = !last && cycle % 4 == 3;
                for (final ChildProcess child : current)
                {
                    child.awaitLine("STARTED", CrashRig.START);
                }
                for (final ChildProcess child : current)
                {
                    child.send("OPEN");
                }
                if (early)
                {
                    CrashRig.sleepMs(ThreadLocalRandom.current().nextInt(30));
                }
                else
                {
                    for (final ChildProcess child : current)
                    {
                        child.awaitLine("FLOWING", CrashRig.RUN);
                    }
                    flowed++;
                }
                if (last)
                {
                    for (final ChildProcess child : current)
                    {
                        child.send("CLOSE");
                    }
                    for (final ChildProcess child : current)
                    {
                        child.awaitLine("CLOSED", CrashRig.RUN);
                        assertEquals(0, child.awaitExit(CrashRig.RUN));
                    }
                }
                else
                {
                    for (final ChildProcess child : current)
                    {
                        child.signal("KILL");
                    }
                    for (final ChildProcess child : current)
                    {
                        assertTrue(child.awaitExit(CrashRig.RUN) != 0, child.name() + " was killed");
                    }
                }
            }
            System.out.printf("kill everything: %d cycles (%d flowing) in %.1f s%n", CYCLES, flowed,
                (System.nanoTime() - start) / 1e9);

            try (Bus bus = Bus.open(BusOptions.builder().directory(directory).build()))
            {
                final TopicStatus status;
                try (Topic topic = bus.openTopic(TOPIC))
                {
                    status = topic.status();
                }
                assertTrue(status.publishers().isEmpty(), "no publisher left: " + status.publishers());
                assertEquals(1, status.subscribers().size(), "only the durable subscriber's slot is kept: " +
                    status.subscribers());
                assertEquals(SubscriberOptions.Policy.DURABLE, status.subscribers().getFirst().policy());
                assertEquals("detached", status.subscribers().getFirst().state());
                final List<String> removed = bus.clean();
                System.out.printf("kill everything: %d repairs, %d reclaims; Bus.clean() removed %s%n",
                    status.repairs(), status.reclaims(), removed);
                assertTrue(removed.contains(TOPIC), "the topic was removed: " + removed);
                try (Stream<Path> left = Files.list(directory))
                {
                    assertEquals(List.of(), left.map(p -> p.getFileName().toString()).toList(),
                        "the bus directory is empty after clean (removed " + removed + ")");
                }
            }
        }
        finally
        {
            TestBus.delete(directory);
        }
    }

    private static List<ChildProcess> startCycle(final ChildGroup children, final Path directory, final int cycle)
    {
        final List<ChildProcess> started = new ArrayList<>();
        for (int jvm = 0; jvm < 2; jvm++)
        {
            started.add(children.start("cycle-" + cycle + "-" + jvm, List.of(), CrashRig.LEAN_JVM,
                CycleParticipantMain.class,
                "dir=" + directory, "topic=" + TOPIC, "spec=" + ChildSupport.spec(OPTIONS), "deadline=120",
                "cycle=" + cycle, "jvm=" + jvm, "jvms=2", "subscriber=" + (jvm == 0 ? "tethered" : "durable"),
                "name=cycler"));
        }
        return started;
    }
}
