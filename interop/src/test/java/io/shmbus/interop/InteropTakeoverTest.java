package io.shmbus.interop;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.shmbus.interop.Proc.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cleaning rounds taken over across the two implementations (docs/LAYOUT.md 10.6, 10.7). A C shared publisher
 * stops for a few milliseconds at every other point of its rounds where an owner may stall (after its walk, inside
 * a zeroing step, before its commit), while two Java shared publishers publish on the same small ring: they take
 * its rounds over after their patience, mark the steps it is inside as holes and pad over them; the C publisher
 * goes on, zeroes its step late, clears the hole and finds its round gone. Nothing is halted for good and nothing
 * dies: a Java subscriber and a C reader still get every message of all three, intact and in order.
 *
 * <p>And the other way round: a Java publisher (in a child JVM) halted inside a zeroing step of its round, the
 * C publisher takes the round over, marks the step a hole, and pads over the hole lap after lap until the Java
 * publisher, released, zeroes its step late, clears the hole and publishes the rest of its messages.
 */
class InteropTakeoverTest
{
    private static final int SPAN = TestMessage.DEFAULT_SPAN;

    @BeforeAll
    static void build()
    {
        CPrograms.require();
    }

    @Test
    @Timeout(60)
    void javaPublishersTakeOverTheRoundsOfAStallingCPublisher() throws Exception
    {
        final int count = 6_000;
        final int cTag = 7;
        final int[] javaTags = {8, 9};
        final long total = 3L * count;
        try (InteropBus test = new InteropBus("takeover");
            Topic topic = test.bus().topic("orders", InteropReadTest.options(32 * 1024, false));
            Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
            Collector collector = new Collector(subscriber, SPAN, total);
            Proc reader = CPrograms.read("c-reader", "--topic", test.path("orders"), "--count",
                String.valueOf(total), "--span", String.valueOf(SPAN), "--idle-ms", "20000");
            Proc cPublisher = CPrograms.publish("c-publisher", "--topic", test.path("orders"), "--tag",
                String.valueOf(cTag), "--count", String.valueOf(count), "--span", String.valueOf(SPAN), "--go",
                "--stall-us", "3000", "--stall-every", "2");
            Publisher first = topic.publisher(PublisherOptions.shared());
            Publisher second = topic.publisher(PublisherOptions.shared()))
        {
            reader.await("READY", seconds(10));
            cPublisher.await("READY", seconds(10));
            cPublisher.send("GO");
            final CompletableFuture<Long> one = CompletableFuture.supplyAsync(
                () -> Publishing.publish(first, javaTags[0], count, SPAN));
            final CompletableFuture<Long> two = CompletableFuture.supplyAsync(
                () -> Publishing.publish(second, javaTags[1], count, SPAN));

            final Map<String, String> cDone = Proc.fields(cPublisher.await("DONE", seconds(40)));
            one.get(40, TimeUnit.SECONDS);
            two.get(40, TimeUnit.SECONDS);
            collector.await(20_000);
            final TestMessage.Verifier java = collector.verifier;
            assertEquals(0, java.bad, "Java subscriber: " + java.firstBad);
            assertEquals(count, java.count(cTag));
            assertEquals(0, java.gaps(cTag));
            assertEquals(TestMessage.expectedFnv(cTag, count, SPAN), cDone.get("fnv"));
            assertEquals(cDone.get("fnv"), java.fnvHex(cTag));
            for (final int tag : javaTags)
            {
                assertEquals(count, java.count(tag));
                assertEquals(0, java.gaps(tag));
                assertEquals(TestMessage.expectedFnv(tag, count, SPAN), java.fnvHex(tag));
            }

            final Map<String, String> readerDone = Proc.fields(reader.await("DONE", seconds(20)));
            assertEquals(String.valueOf(total), readerDone.get("received"), reader.recent());
            assertEquals("0", readerDone.get("bad"));
            assertEquals("0", readerDone.get("gaps"));
            assertEquals(0, reader.waitFor(seconds(10)));
            assertEquals(0, cPublisher.waitFor(seconds(10)), cPublisher.recent());

            final TopicStatus status = topic.status();
            // A stall of 3 ms is fifteen times the Java publishers' patience, and they wait on the round it holds.
            assertTrue(status.takeovers() > 0, "no round was taken over: " + status);
            assertEquals(0, status.holes(), "every hole was cleared by the C publisher that left it: " + status);
            assertEquals(0, status.reclaims(), "nobody needed a repair: " + status);
            System.out.println("C publisher: " + cDone + ", takeovers: " + status.takeovers());
        }
    }

    /**
     * @param skip how many zeroing steps the Java publisher runs before it halts in the next: after 6 it is inside
     *             the ring; after 11 or after 12 (which one varies from run to run: the step before may be a short
     *             one up to the ring's end) it is the step at ring index 0, so that the padding over the hole runs
     *             past the ring's end. The position is printed.
     */
    @ParameterizedTest(name = "halted after {0} steps")
    @ValueSource(ints = {6, 11, 12})
    @Timeout(60)
    void aCPublisherTakesOverTheRoundOfAHaltedJavaPublisher(final int skip, @TempDir final Path scratch)
        throws Exception
    {
        final int cCount = 16_000;
        final int javaCount = 4_000;
        final int cTag = 10;
        final int javaTag = 11;
        final long total = cCount + javaCount;
        final Path release = scratch.resolve("release-{point}");
        try (InteropBus test = new InteropBus("takeover-c");
            Topic topic = test.bus().topic("orders", InteropReadTest.options(32 * 1024, false));
            Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
            Collector collector = new Collector(subscriber, SPAN, total);
            Proc reader = CPrograms.read("c-reader", "--topic", test.path("orders"), "--count",
                String.valueOf(total), "--span", String.valueOf(SPAN), "--idle-ms", "20000");
            Proc javaPublisher = Proc.java("java-publisher", JavaPublisherMain.class,
                List.of("-Dshmbus.faultPoints=inStep", "-Dshmbus.faultPoints.skip=" + skip,
                    "-Dshmbus.faultPoints.release=" + release),
                test.directory().toString(), "orders", String.valueOf(javaTag), String.valueOf(javaCount),
                String.valueOf(SPAN));
            Proc cPublisher = CPrograms.publish("c-publisher", "--topic", test.path("orders"), "--tag",
                String.valueOf(cTag), "--count", String.valueOf(cCount), "--span", String.valueOf(SPAN), "--go",
                "--every", "64", "--sleep-us", "200"))
        {
            reader.await("READY", seconds(10));
            javaPublisher.await("READY", seconds(20));
            cPublisher.await("READY", seconds(10));
            javaPublisher.send("GO");
            final String halted = javaPublisher.await("HALTED inStep", seconds(20));
            System.out.println("Java publisher " + halted + " (ring index " + (Long.parseLong(halted.split(" ")[2]) &
                (32 * 1024 - 1)) + ")");
            cPublisher.send("GO");

            // The C publisher needs the round the halted one holds: it takes it over and leaves the step a hole.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            TopicStatus status = topic.status();
            while ((status.takeovers() == 0 || status.holes() == 0) && System.nanoTime() < deadline)
            {
                Thread.sleep(1);
                status = topic.status();
            }
            assertTrue(status.takeovers() > 0 && status.holes() == 1, "no round taken over, no hole: " + status);
            // Several laps of the ring padded over the hole, then the halted publisher goes on.
            final long before = collector.received;
            while (collector.received < before + 2_000 && System.nanoTime() < deadline)
            {
                Thread.sleep(1);
            }
            assertTrue(collector.received >= before + 2_000, "the C publisher did not go on past the hole");
            assertEquals(1, topic.status().holes(), "the hole stays until its owner clears it");
            Files.createFile(scratch.resolve("release-inStep"));

            final Map<String, String> cDone = Proc.fields(cPublisher.await("DONE", seconds(30)));
            final Map<String, String> javaDone = Proc.fields(javaPublisher.await("DONE", seconds(30)));
            collector.await(20_000);
            final TestMessage.Verifier java = collector.verifier;
            assertEquals(0, java.bad, "Java subscriber: " + java.firstBad);
            assertEquals(cCount, java.count(cTag));
            assertEquals(javaCount, java.count(javaTag));
            assertEquals(0, java.gaps(cTag));
            assertEquals(0, java.gaps(javaTag));
            assertEquals(TestMessage.expectedFnv(cTag, cCount, SPAN), cDone.get("fnv"));
            assertEquals(cDone.get("fnv"), java.fnvHex(cTag));
            assertEquals(javaDone.get("fnv"), java.fnvHex(javaTag));

            final Map<String, String> readerDone = Proc.fields(reader.await("DONE", seconds(20)));
            assertEquals(String.valueOf(total), readerDone.get("received"), reader.recent());
            assertEquals("0", readerDone.get("bad"));
            assertEquals("0", readerDone.get("gaps"));
            assertEquals(0, reader.waitFor(seconds(10)));
            assertEquals(0, cPublisher.waitFor(seconds(10)), cPublisher.recent());
            assertEquals(0, javaPublisher.waitFor(seconds(10)), javaPublisher.recent());
            status = topic.status();
            assertEquals(0, status.holes(), "the released publisher cleared its hole: " + status);
            assertEquals(0, status.reclaims(), "nobody needed a repair: " + status);
        }
    }
}
