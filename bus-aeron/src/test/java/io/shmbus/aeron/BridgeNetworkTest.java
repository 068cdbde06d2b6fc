package io.shmbus.aeron;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.aeron.bridge.BridgeMain;
import io.shmbus.aeron.bridge.BridgeState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The bridge between two network namespaces joined by a veth pair (10.254.77.1/30 and 10.254.77.2/30, a subnet
 * that exists only between them). The producer and the verifying consumer run in this JVM on two shared-memory
 * buses; each bridge side runs in its own JVM inside its namespace.
 *
 * <p>Message counts: {@code -Dshmbus.aeron.test.messages} (1,000,000 by default) for the plain stream; a
 * twentieth of it with 5% loss injected, a tenth of it for each kill -9 test.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class BridgeNetworkTest
{
    static final String OUT_ADDRESS = "10.254.77.1";
    static final String IN_ADDRESS = "10.254.77.2";
    static final int DATA_PORT = 40456;
    static final int ACK_PORT = 40457;
    static final long MESSAGES = Long.getLong("shmbus.aeron.test.messages", 1_000_000);
    static final TopicOptions OPTIONS = TopicOptions.builder().capacityBytes(1 << 22).maxMessageLength(4096).build();

    private static NetworkNamespaces net;
    private static String outNamespace;
    private static String inNamespace;

    private Path source;
    private Path destination;
    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void createNamespaces()
    {
        final String reason = NetworkNamespaces.unavailableReason();
        Assumptions.assumeTrue(null == reason, reason);
        net = new NetworkNamespaces("bridge");
        outNamespace = net.addNamespace("O");
        inNamespace = net.addNamespace("I");
        net.link(outNamespace, OUT_ADDRESS, inNamespace, IN_ADDRESS, "30");
    }

    @AfterAll
    static void removeNamespaces()
    {
        if (null != net)
        {
            net.close();
        }
    }

    @AfterEach
    void stopChildren()
    {
        for (final Process process : processes)
        {
            NetworkNamespaces.kill(process);
        }
        TestDirs.delete(source);
        TestDirs.delete(destination);
    }

    private Process startSide(final String side, final String logName, final List<String> properties)
    {
        final Path bus = "out".equals(side) ? source : destination;
        final Path ready = bus.resolve(logName + ".ready");
        try
        {
            Files.deleteIfExists(ready);
        }
        catch (final java.io.IOException ex)
        {
            throw new IllegalStateException(ex);
        }
        final List<String> systemProperties = new ArrayList<>(properties);
        systemProperties.add("-Daeron.publication.connection.timeout=2s");
        systemProperties.add("-Daeron.image.liveness.timeout=3s");
        final Process process = net.startJvm("out".equals(side) ? outNamespace : inNamespace, logName,
            systemProperties, BridgeMain.class.getName(), side,
            "--dir", bus.toString(), "--topic", "ticks",
            "--channel", "aeron:udp?endpoint=" + IN_ADDRESS + ":" + DATA_PORT,
            "--ack-channel", "aeron:udp?endpoint=" + OUT_ADDRESS + ":" + ACK_PORT,
            "--ready-file", ready.toString());
        processes.add(process);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(ready))
        {
            if (!process.isAlive())
            {
                fail("bridge " + side + " exited with " + process.exitValue() + ":\n" + net.log(logName));
            }
            if (System.nanoTime() > deadlineNs)
            {
                fail("bridge " + side + " not ready in 30 s:\n" + net.log(logName));
            }
            AeronContractTest.sleepBriefly();
        }
        return process;
    }

    /**
     * Run a stream of {@code count} messages through the bridge, with something happening once a third of it
     * has arrived, and verify it at the far end.
     */
    private Map<String, Object> stream(final TestInfo info, final long count, final List<String> inProperties,
        final String killSide) throws Exception
    {
        final String name = info.getTestMethod().orElseThrow().getName();
        source = TestDirs.newBusDirectory("net-src");
        destination = TestDirs.newBusDirectory("net-dst");
        try (Bus sourceBus = Bus.open(BusOptions.builder().directory(source).build());
            Bus destinationBus = Bus.open(BusOptions.builder().directory(destination).build()))
        {
            final Topic sourceTopic = sourceBus.topic("ticks", OPTIONS);
            final Topic destinationTopic = destinationBus.topic("ticks", OPTIONS);
            final Subscriber subscriber = destinationTopic.subscriber(SubscriberOptions.tethered());
            Process in = startSide("in", name + "-in", inProperties);
            Process out = startSide("out", name + "-out", List.of());
            final Publisher publisher = sourceTopic.publisher(PublisherOptions.exclusive());
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(110);
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLong published = new AtomicLong();
            final Thread producer = new Thread(
                () -> published.set(CheckedStream.publish(publisher, 0, count, deadlineNs, stop::get)), "producer");
            producer.start();
            final CheckedStream.Verifier verifier = new CheckedStream.Verifier();
            boolean killed = null == killSide;
            final long startNs = System.nanoTime();
            while (verifier.next < count && System.nanoTime() < deadlineNs && verifier.errors == 0)
            {
                subscriber.poll(verifier, 256, TimeUnit.MILLISECONDS.toNanos(10));
                if (!killed && verifier.next >= count / 3)
                {
                    killed = true;
                    if ("out".equals(killSide))
                    {
                        NetworkNamespaces.kill(out);
                        out = startSide("out", name + "-out", List.of());
                    }
                    else
                    {
                        NetworkNamespaces.kill(in);
                        in = startSide("in", name + "-in", inProperties);
                    }
                }
                if (!in.isAlive() || !out.isAlive())
                {
                    fail("a bridge side died: in " + in.isAlive() + ", out " + out.isAlive() + "\nin:\n" +
                        net.log(name + "-in") + "\nout:\n" + net.log(name + "-out"));
                }
            }
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            stop.set(true);
            producer.join(10_000);
            // Nothing more may come: no duplicate after the last message.
            subscriber.poll(verifier, 256, TimeUnit.MILLISECONDS.toNanos(300));
            final Path inState = destination.resolve(".bridge-in-ticks").resolve("in-ticks.state");
            final Map<String, Object> status = BridgeState.read(inState);
            status.put("elapsedMs", elapsedMs);
            status.put("naksSent", DriverCounters.value(
                destination.resolve(".bridge-in-ticks").resolve(AeronSettings.EMBEDDED_DIR_NAME).toFile(),
                "NAKs sent"));
            status.put("retransmitsSent", DriverCounters.value(
                source.resolve(".bridge-out-ticks").resolve(AeronSettings.EMBEDDED_DIR_NAME).toFile(),
                "Retransmits sent"));
            System.out.println(name + ": " + count + " messages in " + elapsedMs + " ms; " + status);
            assertEquals(0, verifier.errors, verifier.describe() + "; in side " + status);
            assertEquals(count, verifier.next, verifier.describe() + "; published " + published.get() + "; in side " +
                status + "\nin:\n" + net.log(name + "-in") + "\nout:\n" + net.log(name + "-out"));
            assertEquals(count, subscriber.deliveredMessages(), "delivered to the remote subscriber");
            assertEquals(count, status.get("lastSequence"), status.toString());
            assertEquals(0L, status.get("gapMessages"), status.toString());
            for (final Process process : processes)
            {
                process.destroy();
            }
            for (final Process process : processes)
            {
                process.waitFor(15, TimeUnit.SECONDS);
            }
            return status;
        }
    }

    @Test
    void checksummedMessagesOfMixedSizesInOrderNoneLost(final TestInfo info) throws Exception
    {
        final Map<String, Object> status = stream(info, MESSAGES, List.of(), null);
        assertEquals(0L, status.get("duplicatesDropped"), status.toString());
    }

    @Test
    void fivePercentLossOnTheReceivingSideIsRepairedByRetransmission(final TestInfo info) throws Exception
    {
        final Map<String, Object> status = stream(info, MESSAGES / 20, List.of(
            "-Daeron.ReceiveChannelEndpoint.supplier=io.aeron.driver.ext.DebugReceiveChannelEndpointSupplier",
            "-Daeron.debug.receive.data.loss.rate=0.05",
            "-Daeron.debug.receive.data.loss.seed=7"), null);
        assertTrue((long)status.get("naksSent") > 0, "no loss was injected: " + status);
        assertTrue((long)status.get("retransmitsSent") > 0, "nothing was retransmitted: " + status);
    }

    @Test
    void killMinus9OfTheOutSideThenRestartDeliversEveryMessageOnce(final TestInfo info) throws Exception
    {
        stream(info, MESSAGES / 10, List.of(), "out");
    }

    @Test
    void killMinus9OfTheInSideThenRestartDeliversEveryMessageOnce(final TestInfo info) throws Exception
    {
        stream(info, MESSAGES / 10, List.of(), "in");
    }
}
