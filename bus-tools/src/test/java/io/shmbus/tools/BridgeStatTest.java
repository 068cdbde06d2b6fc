package io.shmbus.tools;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.aeron.bridge.BridgeIn;
import io.shmbus.aeron.bridge.BridgeMain;
import io.shmbus.aeron.bridge.BridgeOut;
import io.shmbus.aeron.bridge.BridgeSettings;
import io.shmbus.aeron.bridge.BridgeStatus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code shmbus stat} and {@code shmbus list} show the bridge sides of a topic from their status files: a
 * bridge pair over UDP on loopback in this JVM, and a bridge side in a child JVM killed with {@code kill -9}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BridgeStatTest
{
    private static final Pattern COUNTER = Pattern.compile("(\\w+)=(-?[0-9a-f]+)");
    private final List<Path> directories = new ArrayList<>();
    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception
    {
        for (final Process child : children)
        {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
        for (final Path directory : directories)
        {
            delete(directory);
        }
    }

    @Test
    void statShowsBothSidesOfABridgeWithCountersThatMatchWhatWasSent() throws Exception
    {
        final Path source = newBusDirectory("src");
        final Path destination = newBusDirectory("dst");
        final int dataPort = freeUdpPort();
        final int ackPort = freeUdpPort();
        final TopicOptions options = TopicOptions.builder().capacityBytes(1 << 20).maxMessageLength(1024).build();
        final int count = 3_000;
        long bytes = 0;
        try (Bus sourceBus = Bus.open(BusOptions.builder().directory(source).build());
            Bus destinationBus = Bus.open(BusOptions.builder().directory(destination).build()))
        {
            final Topic sourceTopic = sourceBus.topic("quotes", options);
            final Topic destinationTopic = destinationBus.topic("quotes", options);
            final Subscriber subscriber = destinationTopic.subscriber(SubscriberOptions.tethered());
            final BridgeOut out = new BridgeOut(settings(source, dataPort, ackPort));
            final BridgeIn in = new BridgeIn(settings(destination, dataPort, ackPort));
            final Thread outThread = new Thread(out::run, "bridge-out");
            final Thread inThread = new Thread(in::run, "bridge-in");
            outThread.start();
            inThread.start();
            try
            {
                final Publisher publisher = sourceTopic.publisher(PublisherOptions.exclusive());
                final UnsafeBuffer message = new UnsafeBuffer(new byte[1024]);
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                final long[] received = {0};
                for (int i = 0; i < count; i++)
                {
                    final int length = 8 + i % 300;
                    message.putLong(0, i);
                    while (publisher.offer(message, 0, length, 3) < 0)
                    {
                        assertTrue(System.nanoTime() < deadlineNs, "the producer stayed back-pressured");
                        subscriber.poll((b, o, l, h) -> received[0]++, 256);
                    }
                    bytes += length;
                }
                while (received[0] < count && System.nanoTime() < deadlineNs)
                {
                    subscriber.poll((b, o, l, h) -> received[0]++, 256, TimeUnit.MILLISECONDS.toNanos(10));
                }
                assertEquals(count, received[0], "delivered through the bridge");
                // The out side's last counters come with the acks and its heartbeat: wait for them.
                final Path outFile = source.resolve(".bridge-out-quotes.status");
                while (BridgeStatus.read(outFile).get(BridgeStatus.Counter.ACKED_SEQUENCE) < count &&
                    System.nanoTime() < deadlineNs)
                {
                    Thread.sleep(10);
                }
                while (BridgeStatus.read(outFile).peer().isEmpty() && System.nanoTime() < deadlineNs)
                {
                    Thread.sleep(10);
                }

                final String outStat = run("--dir", source.toString(), "stat", "quotes", "--interval-ms", "10");
                final Map<String, String> outCounters = bridgeCounters(outStat, "out");
                assertTrue(outStat.contains("bridge out pid " + ProcessHandle.current().pid() + " alive connected"),
                    outStat);
                assertTrue(outStat.contains("tethered durable 'bridge-out'"), outStat);
                assertTrue(outStat.contains("peer 127.0.0.1:"), outStat);
                assertTrue(outStat.contains("data aeron:udp?endpoint=127.0.0.1:" + dataPort + " stream 1001"), outStat);
                assertTrue(outStat.contains("acks aeron:udp?endpoint=127.0.0.1:" + ackPort + " stream 1002"), outStat);
                assertEquals(Long.toString(count), outCounters.get("messages"), outStat);
                assertEquals(Long.toString(bytes), outCounters.get("bytes"), outStat);
                assertEquals(Long.toString(count), outCounters.get("lastSequence"), outStat);
                assertEquals(Long.toString(count), outCounters.get("ackedSequence"), outStat);
                assertTrue(Long.parseLong(outCounters.get("framesSent")) >= count, outStat);
                assertTrue(Long.parseLong(outCounters.get("framesReceived")) > 0, "acks received: " + outStat);
                assertEquals("0", outCounters.get("dropped"), outStat);
                assertEquals("0", outCounters.get("holdExpired"), outStat);

                final String inStat = run("--dir", destination.toString(), "stat", "--interval-ms", "10");
                final Map<String, String> inCounters = bridgeCounters(inStat, "in");
                System.out.println("stat of the source:\n" + outStat + "stat of the destination:\n" + inStat);
                assertTrue(inStat.contains("topic quotes"), inStat);
                assertTrue(inStat.contains("bridge in pid " + ProcessHandle.current().pid() + " alive connected"),
                    inStat);
                assertEquals(Long.toString(count), inCounters.get("messages"), inStat);
                assertEquals(Long.toString(bytes), inCounters.get("bytes"), inStat);
                assertEquals(Long.toString(count), inCounters.get("lastSequence"), inStat);
                assertEquals("0", inCounters.get("gaps"), inStat);
                assertEquals("0", inCounters.get("gapMessages"), inStat);
                assertEquals("0", inCounters.get("duplicates"), inStat);
                assertEquals(count + Long.parseLong(inCounters.get("aheadDropped")),
                    Long.parseLong(inCounters.get("framesReceived")), "every data frame was published once: " + inStat);
                assertTrue(Long.parseLong(inCounters.get("framesSent")) > 0, "acks sent: " + inStat);
                assertEquals(outCounters.get("epoch"), inCounters.get("epoch"), "one numbering: " + outStat + inStat);

                final String outList = run("--dir", source.toString(), "list");
                assertTrue(outList.matches("(?s).*quotes .* out:alive\\R.*"), outList);
                final String inList = run("--dir", destination.toString(), "list");
                assertTrue(inList.matches("(?s).*quotes .* in:alive\\R.*"), inList);
                assertTrue(!inList.contains(".bridge-"),
                    "state directories and status files are not topics: " + inList);
            }
            finally
            {
                out.stop();
                in.stop();
                outThread.join(10_000);
                inThread.join(10_000);
                out.close();
                in.close();
            }
            final String stopped = run("--dir", destination.toString(), "stat", "quotes", "--interval-ms", "0");
            assertTrue(stopped.contains("bridge in pid " + ProcessHandle.current().pid() + " stopped at "), stopped);
            assertTrue(run("--dir", destination.toString(), "list").contains("in:stopped"));
        }
    }

    @Test
    void aBridgeSideKilledWithKillMinus9ShowsAsDeadAtOnce() throws Exception
    {
        final Path destination = newBusDirectory("killed");
        final Path ready = destination.resolve(".ready");
        final Path log = Path.of("target", "bridge-stat-child.log");
        Files.createDirectories(log.getParent());
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
            "-Xmx128m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), BridgeMain.class.getName(),
            "in", "--dir", destination.toString(), "--topic", "quotes", "--capacity", "65536",
            "--channel", "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort(),
            "--ack-channel", "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort(), "--ready-file", ready.toString()));
        final Process child = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        children.add(child);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(ready))
        {
            if (!child.isAlive())
            {
                fail("bridge in exited with " + child.exitValue() + ":\n" + Files.readString(log));
            }
            assertTrue(System.nanoTime() < deadlineNs, "the bridge in side was not ready in 60 s");
            Thread.sleep(20);
        }
        final String alive = run("--dir", destination.toString(), "stat", "quotes", "--interval-ms", "0");
        assertTrue(alive.contains("bridge in pid " + child.pid() + " alive NOT CONNECTED"), alive);

        child.destroyForcibly(); // SIGKILL
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not die");
        // No wait: the kernel dropped the side's lock with its process.
        final String dead = run("--dir", destination.toString(), "stat", "quotes", "--interval-ms", "0");
        System.out.println("after kill -9:\n" + dead);
        assertTrue(dead.contains("bridge in pid " + child.pid() + " DEAD (killed or crashed"), dead);
        assertTrue(run("--dir", destination.toString(), "list").contains("in:DEAD"));
        // And a new side takes over the status file of the dead one.
        final BridgeSettings settings = settings(destination, freeUdpPort(), freeUdpPort());
        try (BridgeIn in = new BridgeIn(settings))
        {
            final String again = run("--dir", destination.toString(), "stat", "quotes", "--interval-ms", "0");
            assertTrue(again.contains("bridge in pid " + ProcessHandle.current().pid() + " alive"), again);
            assertEquals(1, BridgeStatus.list(destination).size(), again);
        }
    }

    @Test
    void aSecondSideOfTheSameTopicIsRefusedNamingTheFirst() throws Exception
    {
        final Path destination = newBusDirectory("twice");
        try (BridgeIn first = new BridgeIn(settings(destination, freeUdpPort(), freeUdpPort())))
        {
            final io.shmbus.BusException refused = org.junit.jupiter.api.Assertions.assertThrows(
                io.shmbus.BusException.class, () -> new BridgeIn(settings(destination, freeUdpPort(), freeUdpPort())));
            assertTrue(refused.getMessage().contains("already runs") &&
                refused.getMessage().contains("pid " + ProcessHandle.current().pid()), refused.getMessage());
            assertEquals(BridgeStatus.Liveness.ALIVE, BridgeStatus.list(destination).get(0).liveness());
        }
    }

    private static Map<String, String> bridgeCounters(final String stat, final String role)
    {
        final String[] lines = stat.split("\\R");
        for (int i = 0; i < lines.length; i++)
        {
            if (lines[i].startsWith("  bridge " + role + " ") && i + 2 < lines.length)
            {
                final Map<String, String> counters = new HashMap<>();
                final Matcher matcher = COUNTER.matcher(lines[i + 2]);
                while (matcher.find())
                {
                    counters.put(matcher.group(1), matcher.group(2));
                }
                return counters;
            }
        }
        fail("no bridge " + role + " side in\n" + stat);
        return null;
    }

    private static BridgeSettings settings(final Path bus, final int dataPort, final int ackPort)
    {
        final BridgeSettings settings = new BridgeSettings();
        settings.busDirectory = bus;
        settings.topic = "quotes";
        settings.channel = "aeron:udp?endpoint=127.0.0.1:" + dataPort;
        settings.ackChannel = "aeron:udp?endpoint=127.0.0.1:" + ackPort;
        settings.capacityBytes = 1 << 20;
        settings.maxMessageLength = 1024;
        settings.topicWaitMs = 5_000;
        return settings;
    }

    private Path newBusDirectory(final String label) throws IOException
    {
        final Path base = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of("target");
        final Path directory = Files.createTempDirectory(base, "shmbus-tools-bridge-" + label + "-");
        directories.add(directory);
        return directory;
    }

    private static void delete(final Path directory) throws IOException
    {
        if (!Files.exists(directory))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    private static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static String run(final String... args)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream original = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try
        {
            final int exit = new CommandLine(new ShmbusTool()).execute(args);
            assertEquals(0, exit, "exit code of shmbus " + String.join(" ", args) + ": " + bytes);
        }
        finally
        {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
