package io.shmbus.interop;

import io.shmbus.BusException;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.ShareOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicShare;
import io.shmbus.impl.mapping.AnonymousTopicFiles;
import io.shmbus.impl.platform.Linux;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.shmbus.interop.Proc.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Anonymous (memfd) topics joined from C over the owner's Unix socket: the descriptor arrives with SCM_RIGHTS,
 * the joiner checks its seals and header, then reads and publishes on it. Owners that refuse, or send something
 * a joiner must not trust, are turned away by the C joiner and by the Java one alike.
 */
class InteropAnonymousTest
{
    private static final int SPAN = TestMessage.DEFAULT_SPAN;

    @BeforeAll
    static void build()
    {
        CPrograms.require();
    }

    private static String socketName(final String what)
    {
        return "shmbus-interop-" + what + "-" + ProcessHandle.current().pid() + "-" +
            Long.toHexString(System.nanoTime());
    }

    @Test
    @Timeout(60)
    void cReadsAndPublishesOnAnAnonymousTopic() throws Exception
    {
        final int javaCount = 20_000;
        final int cCount = 10_000;
        final String address = socketName("share");
        try (InteropBus test = new InteropBus("anonymous");
            Topic topic = test.bus().anonymousTopic("book", InteropReadTest.options(32 * 1024, true));
            TopicShare share = topic.share(ShareOptions.abstractName(address));
            Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
            Collector collector = new Collector(subscriber, SPAN, javaCount + cCount);
            Proc reader = CPrograms.read("c-anon-reader", "--anon", "@" + address, "--count",
                String.valueOf(javaCount + cCount), "--span", String.valueOf(SPAN), "--idle-ms", "20000");
            Publisher publisher = topic.publisher(PublisherOptions.shared()))
        {
            final Map<String, String> joined = Proc.fields(reader.await("JOINED", seconds(10)));
            assertEquals("book", joined.get("label"));
            assertEquals("32768", joined.get("capacity"));
            assertEquals(String.valueOf(1 | 2 | 4), joined.get("flags"), "timestamps, requireSubscriber, anonymous");
            reader.await("READY", seconds(10));
            try (Proc cPublisher = CPrograms.publish("c-anon-publisher", "--anon", "@" + address, "--tag", "8",
                "--count", String.valueOf(cCount), "--span", String.valueOf(SPAN)))
            {
                Publishing.publish(publisher, 9, javaCount, SPAN);
                final Map<String, String> cDone = Proc.fields(cPublisher.await("DONE", seconds(30)));
                assertEquals(0, cPublisher.waitFor(seconds(10)));
                collector.await(20_000);
                assertEquals(0, collector.verifier.bad, collector.verifier.firstBad);
                assertEquals(cCount, collector.verifier.count(8), "the C publisher's messages, in Java");
                assertEquals(javaCount, collector.verifier.count(9));
                assertEquals(cDone.get("fnv"), collector.verifier.fnvHex(8));
            }
            final Map<String, String> done = Proc.fields(reader.await("DONE", seconds(30)));
            assertEquals(String.valueOf(javaCount + cCount), done.get("received"), reader.recent());
            assertEquals("0", done.get("bad"));
            assertEquals("0", done.get("gaps"));
            assertEquals(0, reader.waitFor(seconds(10)));
            assertEquals(TestMessage.expectedFnv(9, javaCount, SPAN), Proc.fields(reader.recent().lines()
                .filter(l -> l.startsWith("out: TAG tag=9 ")).findFirst().orElseThrow()).get("fnv"));
            assertEquals(2, share.handedOut(), "the C reader and the C publisher each got the descriptor");
        }
    }

    @Test
    @Timeout(30)
    void aRefusalReachesTheCJoiner() throws Exception
    {
        final String address = socketName("deny");
        try (InteropBus test = new InteropBus("anonymous-deny");
            Topic topic = test.bus().anonymousTopic("secret", InteropReadTest.options(16 * 1024, false));
            TopicShare share = topic.share(ShareOptions.abstractName(address).denyOwnUid());
            Proc reader = CPrograms.read("c-denied", "--anon", "@" + address))
        {
            final String error = reader.next("ERROR", seconds(10));
            assertEquals(6, reader.waitFor(seconds(10)), reader.recent());
            assertNotNull(error, reader.recent());
            assertTrue(error.contains("refused by the owner: uid " + Linux.getuid()), error);
            assertTrue(error.contains("not on the allow-list of topic secret"), error);
            assertEquals(1, share.refused());
            assertEquals(0, share.handedOut());
        }
        try (Proc reader = CPrograms.read("c-nobody", "--anon", "@" + address))
        {
            final String error = reader.next("ERROR", seconds(10));
            assertEquals(6, reader.waitFor(seconds(10)));
            assertTrue(null != error && error.contains("no process offers a topic"), error);
        }
    }

    /**
     * What an owner sends, and what a joiner must say about it.
     */
    private record Offer(String what, String payload, int seals, boolean anonymousFlag, boolean descriptor,
        String refusal)
    {
    }

    @Test
    @Timeout(60)
    void untrustworthyOffersAreRefusedByBothJoiners() throws Exception
    {
        final int allSeals = AnonymousTopicFiles.ANONYMOUS_SEALS;
        final List<Offer> offers = List.of(
            new Offer("a memfd without seals", "SHMBUS1 OK fake", 0, true, true, "not sealed against resizing"),
            new Offer("a memfd that can still grow", "SHMBUS1 OK fake", Linux.F_SEAL_SHRINK | Linux.F_SEAL_SEAL, true,
                true, "not sealed against resizing"),
            new Offer("a sealed memfd whose header is not marked anonymous", "SHMBUS1 OK fake", allSeals, false, true,
                "header is not marked anonymous"),
            new Offer("no descriptor", "SHMBUS1 OK fake", allSeals, true, false, "sent no descriptor"),
            new Offer("another protocol", "HELLO 2", allSeals, true, true, "does not speak the shmbus share protocol"),
            new Offer("an invalid label", "SHMBUS1 OK ../etc", allSeals, true, true, "invalid topic label"));
        try (InteropBus test = new InteropBus("anonymous-fake"))
        {
            test.bus().topic("fake", InteropReadTest.options(16 * 1024, false)).close();
            final byte[] named = Files.readAllBytes(test.directory().resolve("fake"));
            final List<String> failures = new ArrayList<>();
            for (final Offer offer : offers)
            {
                final String address = socketName("fake");
                final int listen = Linux.unixListen(address, true, 4);
                final Thread owner = new Thread(() -> serve(listen, offer, named, 2), "fake-owner");
                owner.setDaemon(true);
                owner.start();
                try
                {
                    final String cSays;
                    try (Proc reader = CPrograms.read("c-joiner", "--anon", "@" + address))
                    {
                        cSays = reader.next("ERROR", seconds(10));
                        final int exit = reader.waitFor(seconds(10));
                        if (null == cSays || !cSays.contains(offer.refusal()) || (exit != 6 && exit != 2))
                        {
                            failures.add(offer.what() + ": C exits " + exit + " saying " + cSays);
                        }
                    }
                    final BusException java = assertThrows(BusException.class, () ->
                        test.bus().joinAnonymous(ShareOptions.abstractName(address), TimeUnit.SECONDS.toNanos(5)));
                    if (!java.getMessage().contains(offer.refusal()))
                    {
                        failures.add(offer.what() + ": Java says " + java.getMessage());
                    }
                    System.out.println("OFFER " + offer.what() + "\n  C:    " + cSays + "\n  Java: " +
                        java.getMessage());
                }
                finally
                {
                    owner.join(5000);
                    Linux.close(listen);
                }
            }
            assertTrue(failures.isEmpty(), String.join("\n", failures));
        }
    }

    private static void serve(final int listen, final Offer offer, final byte[] named, final int connections)
    {
        for (int i = 0; i < connections; i++)
        {
            int connection = -1;
            int memfd = -1;
            try
            {
                connection = Linux.unixAccept(listen);
                memfd = Linux.memfdCreate("fake", true);
                final byte[] bytes = named.clone();
                final ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
                if (offer.anonymousFlag())
                {
                    header.putInt(72, header.getInt(72) | 4);
                }
                try (FileChannel file = FileChannel.open(Path.of("/proc/self/fd/" + memfd), StandardOpenOption.WRITE))
                {
                    file.write(ByteBuffer.wrap(bytes));
                }
                if (offer.seals() != 0)
                {
                    Linux.addSeals(memfd, offer.seals());
                }
                Linux.sendFd(connection, offer.descriptor() ? memfd : -1,
                    offer.payload().getBytes(StandardCharsets.US_ASCII));
            }
            catch (final Exception ex)
            {
                System.out.println("fake owner: " + ex);
            }
            finally
            {
                Linux.close(memfd);
                Linux.close(connection);
            }
        }
    }
}
