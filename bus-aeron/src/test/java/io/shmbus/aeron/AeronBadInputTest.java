package io.shmbus.aeron;

import io.shmbus.Bus;
import io.shmbus.BusException;
import io.shmbus.BusOptions;
import io.shmbus.Claim;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.aeron.bridge.BridgeCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input to the Aeron transport and the bridge: each a {@link BusException} that names the value and the
 * cause, never a hang or a silent loss.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AeronBadInputTest
{
    private Path directory;

    @AfterEach
    void cleanUp()
    {
        TestDirs.delete(directory);
    }

    private Bus open(final String channel)
    {
        directory = null == directory ? TestDirs.newBusDirectory("bad") : directory;
        return Bus.open(BusOptions.builder().directory(directory).transport("aeron")
            .property(AeronSettings.CHANNEL, channel).build());
    }

    private static void assertMentions(final Throwable error, final String... parts)
    {
        for (final String part : parts)
        {
            assertTrue(error.getMessage().contains(part), "'" + part + "' not in: " + error.getMessage());
        }
    }

    private static Topic topicOn(final Bus bus, final String name, final String channel, final TopicOptions options)
    {
        System.setProperty(AeronSettings.CHANNEL_PREFIX + name, channel);
        try
        {
            return bus.topic(name, options);
        }
        finally
        {
            System.clearProperty(AeronSettings.CHANNEL_PREFIX + name);
        }
    }

    @Test
    void malformedOrUnusableChannelsAreNamed()
    {
        try (Bus bus = open("aeron:ipc"))
        {
            final String[][] cases = {
                {"aeron:udp?endpoint", "aeron:udp?endpoint"},
                {"udp://10.0.0.1:40000", "udp://10.0.0.1:40000"},
                {"aeron:tcp?endpoint=x:1", "media 'tcp'"},
                {"aeron:udp?interface=127.0.0.1", "no endpoint"},
                {"aeron:udp?endpoint=127.0.0.1:99999", "port 99999"},
                {"aeron:udp?endpoint=127.0.0.1", "not host:port"},
                {"aeron:udp?endpoint=no-such-host.invalid:40000", "'no-such-host.invalid' of endpoint"},
            };
            for (int i = 0; i < cases.length; i++)
            {
                final String channel = cases[i][0];
                final String name = "bad" + i;
                final BusException error = assertThrows(BusException.class,
                    () -> topicOn(bus, name, channel, TopicOptions.defaults()), channel);
                assertMentions(error, cases[i][1], "topic " + name);
            }
            final BusException smallTerm = assertThrows(BusException.class, () -> topicOn(bus, "small",
                "aeron:ipc?term-length=65536",
                TopicOptions.builder().capacityBytes(1 << 20).maxMessageLength(65536).build()));
            assertMentions(smallTerm, "term-length 65536", "maxMessageLength is 65536");
            final BusException stream = assertThrows(BusException.class, () ->
            {
                System.setProperty(AeronSettings.STREAM_PREFIX + "s", "one");
                try
                {
                    bus.topic("s", TopicOptions.defaults());
                }
                finally
                {
                    System.clearProperty(AeronSettings.STREAM_PREFIX + "s");
                }
            });
            assertMentions(stream, "'one'");
        }
    }

    @Test
    void tetheredMulticastWithoutMinFlowControlIsRefused()
    {
        try (Bus bus = open("aeron:ipc"))
        {
            final Topic topic = topicOn(bus, "mc", "aeron:udp?endpoint=239.255.77.9:40777|interface=127.0.0.1",
                TopicOptions.defaults());
            final BusException error = assertThrows(BusException.class,
                () -> topic.subscriber(SubscriberOptions.tethered()));
            assertMentions(error, "fc=min", "multicast");
        }
    }

    @Test
    void portInUseIsNamed() throws Exception
    {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            final String channel = "aeron:udp?endpoint=127.0.0.1:" + taken.getLocalPort();
            try (Bus bus = open(channel))
            {
                final Topic topic = bus.topic("taken", TopicOptions.defaults());
                final BusException error =
                    assertThrows(BusException.class, () -> topic.subscriber(SubscriberOptions.tethered()));
                assertMentions(error, "127.0.0.1:" + taken.getLocalPort(), "topic taken");
                System.out.println("port in use: " + error.getMessage());
            }
        }
    }

    @Test
    void messageTooLongForTryClaimIsAClearErrorAndNothingIsClaimed()
    {
        try (Bus bus = open("aeron:ipc"))
        {
            final Topic topic = bus.topic("claims", TopicOptions.defaults());
            topic.subscriber(SubscriberOptions.tethered());
            final AeronPublisher publisher = (AeronPublisher)topic.publisher(PublisherOptions.exclusive());
            final long before = publisher.position();
            final Claim claim = new Claim();
            final BusException error =
                assertThrows(BusException.class, () -> publisher.tryClaim(publisher.maxClaimLength() + 1, claim));
            assertMentions(error, Integer.toString(publisher.maxClaimLength() + 1), "claim limit",
                "offer() carries up to " + publisher.maxMessageLength());
            assertFalse(claim.isActive());
            assertEquals(before, publisher.position(), "nothing was claimed");
        }
    }

    @Test
    void embeddedDriverDirectoryInUseIsNamed()
    {
        try (Bus first = open("aeron:ipc"))
        {
            final BusException error = assertThrows(BusException.class, () -> Bus.open(BusOptions.builder()
                .directory(directory).transport("aeron").build()));
            assertMentions(error, "in use", AeronSettings.EMBEDDED_DIR_NAME, AeronSettings.DIR);
            assertTrue(first.topic("still", TopicOptions.defaults()) != null);
        }
        assertFalse(Files.exists(directory.resolve(AeronSettings.EMBEDDED_DIR_NAME)),
            "driver directory removed on close");
    }

    @Test
    void externalDriverThatDoesNotAnswerIsNamed()
    {
        directory = TestDirs.newBusDirectory("nodriver");
        final String missing = directory.resolve("no-driver-here").toString();
        final BusException error = assertThrows(BusException.class, () -> Bus.open(BusOptions.builder()
            .directory(directory).transport("aeron")
            .property(AeronSettings.DIR, missing)
            .property(AeronSettings.DRIVER_TIMEOUT_MS, "500").build()));
        assertMentions(error, "no media driver answered", missing, "500 ms");
    }

    @Test
    void notConnectedEndpointReturnsNotConnectedNothingSilentlyPublished()
    {
        final int port = TestDirs.freeUdpPort();
        try (Bus bus = open("aeron:udp?endpoint=127.0.0.1:" + port))
        {
            final Publisher publisher = bus.topic("nobody", TopicOptions.defaults())
                .publisher(PublisherOptions.shared());
            final long result = publisher.offerBlocking(AeronContractTest.text("hello"), 0, 5,
                TimeUnit.MILLISECONDS.toNanos(300));
            assertEquals(Publisher.NOT_CONNECTED, result);
        }
    }

    @Test
    void bridgeWithAMalformedChannelExitsWithTheReason()
    {
        directory = TestDirs.newBusDirectory("bridge-bad");
        final StringWriter err = new StringWriter();
        final int code = BridgeCommand.execute(new PrintWriter(err, true), "in", "--dir", directory.toString(),
            "--topic", "t", "--channel", "aeron:udp?endpoint", "--ack-channel", "aeron:udp?endpoint=127.0.0.1:40001");
        assertEquals(1, code, err.toString());
        assertTrue(err.toString().contains("malformed Aeron channel URI 'aeron:udp?endpoint'"), err.toString());
    }
}
