package io.shmbus.aeron;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.aeron.bridge.BridgeIn;
import io.shmbus.aeron.bridge.BridgeOut;
import io.shmbus.aeron.bridge.BridgeSettings;
import io.shmbus.aeron.bridge.BridgeState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bridge inside one JVM, over UDP on loopback: a local topic, the out side, the in side, a second local
 * topic and its tethered subscriber, which verifies every message.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BridgeLoopbackTest
{
    private Path source;
    private Path destination;

    @AfterEach
    void cleanUp()
    {
        TestDirs.delete(source);
        TestDirs.delete(destination);
    }

    static BridgeSettings settings(final Path bus, final String topic, final int dataPort, final int ackPort)
    {
        final BridgeSettings settings = new BridgeSettings();
        settings.busDirectory = bus;
        settings.topic = topic;
        settings.channel = "aeron:udp?endpoint=127.0.0.1:" + dataPort;
        settings.ackChannel = "aeron:udp?endpoint=127.0.0.1:" + ackPort;
        settings.capacityBytes = 1 << 21;
        settings.maxMessageLength = 4096;
        return settings;
    }

    @Test
    void everyMessageOnceInOrderThroughTheBridge() throws Exception
    {
        source = TestDirs.newBusDirectory("bridge-src");
        destination = TestDirs.newBusDirectory("bridge-dst");
        final TopicOptions options = TopicOptions.builder().capacityBytes(1 << 21).maxMessageLength(4096).build();
        final int dataPort = TestDirs.freeUdpPort();
        final int ackPort = TestDirs.freeUdpPort();
        final long count = 50_000;
        try (Bus sourceBus = Bus.open(BusOptions.builder().directory(source).build());
            Bus destinationBus = Bus.open(BusOptions.builder().directory(destination).build()))
        {
            final Topic sourceTopic = sourceBus.topic("ticks", options);
            final Topic destinationTopic = destinationBus.topic("ticks", options);
            final Subscriber subscriber = destinationTopic.subscriber(SubscriberOptions.tethered());
            final BridgeOut out = new BridgeOut(settings(source, "ticks", dataPort, ackPort));
            final BridgeIn in = new BridgeIn(settings(destination, "ticks", dataPort, ackPort));
            final Thread outThread = new Thread(out::run, "bridge-out");
            final Thread inThread = new Thread(in::run, "bridge-in");
            outThread.start();
            inThread.start();
            final Publisher publisher = sourceTopic.publisher(PublisherOptions.exclusive());
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            final CheckedStream.Verifier verifier = new CheckedStream.Verifier();
            final Thread producer = new Thread(
                () -> CheckedStream.publish(publisher, 0, count, deadlineNs, () -> false), "producer");
            producer.start();
            while (verifier.next < count && System.nanoTime() < deadlineNs)
            {
                subscriber.poll(verifier, 256, TimeUnit.MILLISECONDS.toNanos(10));
            }
            producer.join(TimeUnit.SECONDS.toMillis(10));
            out.stop();
            in.stop();
            outThread.join(10_000);
            inThread.join(10_000);
            assertEquals(0, verifier.errors, verifier.describe());
            assertEquals(count, verifier.next, verifier.describe());
            assertEquals(0, subscriber.poll(verifier, 10, TimeUnit.MILLISECONDS.toNanos(200)), "more than sent");
            final Map<String, Object> inStatus = BridgeState.read(
                destination.resolve(".bridge-in-ticks").resolve("in-ticks.state"));
            assertEquals(count, inStatus.get("lastSequence"), inStatus.toString());
            assertEquals(count, inStatus.get("deliveredMessages"), inStatus.toString());
            assertEquals(0L, inStatus.get("gapMessages"), inStatus.toString());
            final Map<String, Object> outStatus = BridgeState.read(
                source.resolve(".bridge-out-ticks").resolve("out-ticks.state"));
            assertTrue((long)outStatus.get("ackedSequence") > 0, outStatus.toString());
            assertEquals(0L, outStatus.get("droppedMessages"), outStatus.toString());
            assertEquals(0, io.shmbus.aeron.bridge.BridgeCommand.execute("status", "--state",
                destination.resolve(".bridge-in-ticks").resolve("in-ticks.state").toString()), "status of a live side");
            in.close();
            out.close();
        }
    }

    @Test
    void untetheredOutSideDropsWhenLappedAndTheInSideReportsTheExactGap() throws Exception
    {
        source = TestDirs.newBusDirectory("bridge-src");
        destination = TestDirs.newBusDirectory("bridge-dst");
        final TopicOptions small = TopicOptions.builder().capacityBytes(1 << 16).maxMessageLength(4096).build();
        final TopicOptions large = TopicOptions.builder().capacityBytes(1 << 21).maxMessageLength(4096).build();
        final int dataPort = TestDirs.freeUdpPort();
        final int ackPort = TestDirs.freeUdpPort();
        final long count = 30_000;
        try (Bus sourceBus = Bus.open(BusOptions.builder().directory(source).build());
            Bus destinationBus = Bus.open(BusOptions.builder().directory(destination).build()))
        {
            final Topic sourceTopic = sourceBus.topic("ticks", small);
            final Topic destinationTopic = destinationBus.topic("ticks", large);
            final Subscriber subscriber = destinationTopic.subscriber(SubscriberOptions.tethered());
            final BridgeSettings outSettings = settings(source, "ticks", dataPort, ackPort);
            outSettings.untethered = true;
            final BridgeOut out = new BridgeOut(outSettings);
            final BridgeIn in = new BridgeIn(settings(destination, "ticks", dataPort, ackPort));
            final Thread outThread = new Thread(out::run, "bridge-out");
            final Thread inThread = new Thread(in::run, "bridge-in");
            outThread.start();
            inThread.start();
            final Publisher publisher = sourceTopic.publisher(PublisherOptions.exclusive());
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            // The remote subscriber does not read yet: the far ring fills, the channel backs up, and the
            // untethered out side is lapped by the producer, which it never slows.
            final long published = CheckedStream.publish(publisher, 0, count, deadlineNs, () -> false);
            assertEquals(count, published, "the producer was held back");
            final long[] expected = {0};
            final long[] missing = {0};
            final long[] errors = {0};
            final java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            final io.shmbus.MessageHandler handler = (buffer, offset, length, header) ->
            {
                final long sequence = buffer.getLong(offset);
                if (sequence < expected[0] || length != CheckedStream.lengthOf(sequence) ||
                    buffer.getInt(offset + 8) != CheckedStream.checksum(buffer, offset, length, crc))
                {
                    errors[0]++;
                }
                missing[0] += Math.max(0, sequence - expected[0]);
                expected[0] = sequence + 1;
            };
            final Path inState = destination.resolve(".bridge-in-ticks").resolve("in-ticks.state");
            final Path outState = source.resolve(".bridge-out-ticks").resolve("out-ticks.state");
            // The newest messages stay in the ring, so the last one always arrives.
            while (expected[0] < count && System.nanoTime() < deadlineNs)
            {
                subscriber.poll(handler, 256, TimeUnit.MILLISECONDS.toNanos(10));
            }
            assertEquals(0, subscriber.poll(handler, 256, TimeUnit.MILLISECONDS.toNanos(300)), "more than sent");
            out.stop();
            in.stop();
            outThread.join(10_000);
            inThread.join(10_000);
            final Map<String, Object> inStatus = BridgeState.read(inState);
            final Map<String, Object> outStatus = BridgeState.read(outState);
            System.out.println("untethered: consumer saw " + (expected[0] - missing[0]) + " messages, " + missing[0] +
                " missing; in " + inStatus + "; out " + outStatus);
            assertEquals(0, errors[0], "corrupt, duplicated or reordered messages");
            assertTrue(missing[0] > 0, "the out side was never lapped: " + outStatus);
            assertEquals(count, expected[0], "the last message did not arrive");
            assertEquals(missing[0], outStatus.get("droppedMessages"), "dropped at the out side: " + outStatus);
            assertEquals(missing[0], inStatus.get("gapMessages"), "gap reported by the in side: " + inStatus);
            assertEquals(count - missing[0], inStatus.get("deliveredMessages"), inStatus.toString());
            assertEquals(count, inStatus.get("lastSequence"), inStatus.toString());
            in.close();
            out.close();
        }
    }

    @Test
    void aHoldLimitThatExpiresWhileTheOutSideIsAwayIsReportedAsAnExactGapByTheInSide() throws Exception
    {
        source = TestDirs.newBusDirectory("bridge-src");
        destination = TestDirs.newBusDirectory("bridge-dst");
        final TopicOptions small = TopicOptions.builder().capacityBytes(1 << 16).maxMessageLength(4096).build();
        final TopicOptions large = TopicOptions.builder().capacityBytes(1 << 22).maxMessageLength(4096).build();
        final int dataPort = TestDirs.freeUdpPort();
        final int ackPort = TestDirs.freeUdpPort();
        final long before = 100;
        final long count = 2_100;
        try (Bus sourceBus = Bus.open(BusOptions.builder().directory(source).build());
            Bus destinationBus = Bus.open(BusOptions.builder().directory(destination).build()))
        {
            final Topic sourceTopic = sourceBus.topic("ticks", small);
            final Topic destinationTopic = destinationBus.topic("ticks", large);
            final Subscriber subscriber = destinationTopic.subscriber(SubscriberOptions.tethered());
            final BridgeSettings outSettings = settings(source, "ticks", dataPort, ackPort);
            outSettings.holdLimitMs = 200;
            final BridgeIn in = new BridgeIn(settings(destination, "ticks", dataPort, ackPort));
            final Thread inThread = new Thread(in::run, "bridge-in");
            inThread.start();
            BridgeOut out = new BridgeOut(outSettings);
            Thread outThread = new Thread(out::run, "bridge-out");
            outThread.start();
            final Publisher publisher = sourceTopic.publisher(PublisherOptions.exclusive());
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            final long[] expected = {0};
            final long[] missing = {0};
            final long[] errors = {0};
            final java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            final io.shmbus.MessageHandler handler = (buffer, offset, length, header) ->
            {
                final long sequence = buffer.getLong(offset);
                if (sequence < expected[0] || length != CheckedStream.lengthOf(sequence) ||
                    buffer.getInt(offset + 8) != CheckedStream.checksum(buffer, offset, length, crc))
                {
                    errors[0]++;
                }
                missing[0] += Math.max(0, sequence - expected[0]);
                expected[0] = sequence + 1;
            };
            final Path outState = source.resolve(".bridge-out-ticks").resolve("out-ticks.state");
            final Path inState = destination.resolve(".bridge-in-ticks").resolve("in-ticks.state");
            try
            {
                assertEquals(before, CheckedStream.publish(publisher, 0, before, deadlineNs, () -> false));
                while (expected[0] < before && System.nanoTime() < deadlineNs)
                {
                    subscriber.poll(handler, 256, TimeUnit.MILLISECONDS.toNanos(10));
                }
                assertEquals(before, expected[0], "the first messages arrived");
                while ((long)BridgeState.read(outState).get("resumeSequence") != before + 1 &&
                    System.nanoTime() < deadlineNs)
                {
                    Thread.sleep(10);
                }
                assertEquals(before + 1, BridgeState.read(outState).get("resumeSequence"), "all acknowledged");

                // The out side goes away; its durable subscriber holds the producer for 200 ms, then the ring is
                // reused over messages the in side never had.
                out.stop();
                outThread.join(10_000);
                out.close();
                assertEquals(count, CheckedStream.publish(publisher, before, count, deadlineNs, () -> false),
                    "the producer was held past the hold limit");

                out = new BridgeOut(outSettings);
                outThread = new Thread(out::run, "bridge-out-again");
                outThread.start();
                while (expected[0] < count && System.nanoTime() < deadlineNs)
                {
                    subscriber.poll(handler, 256, TimeUnit.MILLISECONDS.toNanos(10));
                }
                assertEquals(0, subscriber.poll(handler, 256, TimeUnit.MILLISECONDS.toNanos(300)), "more than sent");
            }
            finally
            {
                out.stop();
                in.stop();
                outThread.join(10_000);
                inThread.join(10_000);
            }
            final Map<String, Object> inStatus = BridgeState.read(inState);
            final Map<String, Object> outStatus = BridgeState.read(outState);
            final io.shmbus.aeron.bridge.BridgeStatus.Snapshot inSide = io.shmbus.aeron.bridge.BridgeStatus.read(
                destination.resolve(".bridge-in-ticks.status"));
            final io.shmbus.aeron.bridge.BridgeStatus.Snapshot outSide = io.shmbus.aeron.bridge.BridgeStatus.read(
                source.resolve(".bridge-out-ticks.status"));
            System.out.println("hold limit expired: consumer saw " + (expected[0] - missing[0]) + " messages, " +
                missing[0] + " missing; in " + inStatus + "; out " + outStatus);
            assertEquals(0, errors[0], "corrupt, duplicated or reordered messages");
            assertEquals(count, expected[0], "the last message arrived");
            assertTrue(missing[0] > 0, "the hold limit never expired: " + outStatus);
            assertEquals(missing[0], outStatus.get("droppedMessages"), "lost at the out side: " + outStatus);
            assertEquals(1L, inStatus.get("gaps"), "one gap at the in side: " + inStatus);
            assertEquals(missing[0], inStatus.get("gapMessages"), "the gap the in side reports: " + inStatus);
            assertEquals((before + 1) + ".." + (before + missing[0]), inStatus.get("lastGapSequences"),
                inStatus.toString());
            assertEquals(count - missing[0], inStatus.get("deliveredMessages"), inStatus.toString());
            assertEquals(missing[0], inSide.get(io.shmbus.aeron.bridge.BridgeStatus.Counter.GAP_MESSAGES));
            assertEquals(missing[0], outSide.get(io.shmbus.aeron.bridge.BridgeStatus.Counter.HOLD_EXPIRED));
            in.close();
            out.close();
        }
    }
}
