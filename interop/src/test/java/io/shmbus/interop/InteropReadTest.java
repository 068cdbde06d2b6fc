package io.shmbus.interop;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static io.shmbus.interop.Proc.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The C reader against Java publishers: a tethered reader gets every message exactly, an untethered one that is
 * lapped reports exactly what it missed and never takes a lap for corruption.
 */
class InteropReadTest
{
    private static final int SPAN = TestMessage.DEFAULT_SPAN;

    @BeforeAll
    static void build()
    {
        CPrograms.require();
    }

    @ParameterizedTest(name = "timestamps {0}")
    @ValueSource(booleans = {false, true})
    @Timeout(60)
    void javaPublisherToCTetheredReader(final boolean timestamps) throws Exception
    {
        final int count = 60_000;
        final int tag = 3;
        try (InteropBus test = new InteropBus("read-tethered");
            Topic topic = test.bus().topic("prices", options(64 * 1024, timestamps));
            Proc reader = CPrograms.read("c-reader", "--topic", test.path("prices"), "--policy", "tethered",
                "--count", String.valueOf(count), "--span", String.valueOf(SPAN), "--idle-ms", "20000"))
        {
            reader.await("READY", seconds(10));
            final long backPressured;
            try (Publisher publisher = topic.publisher(PublisherOptions.shared()))
            {
                backPressured = Publishing.publish(publisher, tag, count, SPAN);
            }
            final Map<String, String> done = Proc.fields(reader.await("DONE", seconds(30)));
            assertEquals(String.valueOf(count), done.get("received"), reader.recent());
            assertEquals("0", done.get("lost"));
            assertEquals("0", done.get("gaps"));
            assertEquals("0", done.get("bad"));
            assertEquals(0, reader.waitFor(seconds(10)), reader.recent());
            final String tagLine = reader.recent().lines().filter(l -> l.startsWith("out: TAG tag=" + tag + " "))
                .findFirst().orElseThrow(() -> new AssertionError("no TAG line: " + reader.recent()));
            final Map<String, String> perTag = Proc.fields(tagLine);
            assertEquals(String.valueOf(count), perTag.get("count"));
            assertEquals("0", perTag.get("first"));
            assertEquals(String.valueOf(count - 1), perTag.get("last"));
            assertEquals(TestMessage.expectedFnv(tag, count, SPAN), perTag.get("fnv"));
            // A tethered reader on a ring of 64 KiB holds a publisher of some 7 MB back: it was back-pressured.
            assertTrue(backPressured > 0, "the publisher never waited for the C reader");
        }
    }

    @Test
    @Timeout(60)
    void lappedCUntetheredReaderCountsItsLossExactly() throws Exception
    {
        final int count = 200_000;
        final int tag = 1;
        try (InteropBus test = new InteropBus("read-untethered");
            Topic topic = test.bus().topic("ticks", options(16 * 1024, false));
            Proc publisher = Proc.java("java-publisher", JavaPublisherMain.class, test.directory().toString(),
                "ticks", String.valueOf(tag), String.valueOf(count), String.valueOf(SPAN), "500", "500");
            Proc reader = CPrograms.read("c-untethered", "--topic", test.path("ticks"), "--policy", "untethered",
                "--count", String.valueOf(count), "--span", String.valueOf(SPAN), "--idle-ms", "10000",
                "--slow-every", "200", "--slow-us", "500"))
        {
            reader.await("READY", seconds(10));
            publisher.await("READY", seconds(20));
            publisher.send("GO");
            final String doneLine;
            // A second untethered reader joins at the tail while the stream runs: it finds its start by walking from
            // the oldest record, and the message index it counts there is exact too.
            // It joins once the stream has gone round the ring a few times (the oldest record is then not the first).
            final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
            while (topic.status().tail() < 8 * 16 * 1024 && System.nanoTime() < deadline)
            {
                Thread.sleep(1);
            }
            try (Proc late = CPrograms.read("c-untethered-late", "--topic", test.path("ticks"), "--policy",
                "untethered", "--span", String.valueOf(SPAN), "--idle-ms", "3000", "--slow-every", "300",
                "--slow-us", "500"))
            {
                final long index = Proc.field(late.await("READY", seconds(10)), "index");
                // The readers first: one that fails says so at once (an ERROR line fails the wait).
                doneLine = reader.await("DONE", seconds(40));
                final String lateLine = late.await("DONE", seconds(30));
                final Map<String, String> published = Proc.fields(publisher.await("DONE", seconds(10)));
                assertEquals(String.valueOf(count), published.get("count"));
                System.out.println("late untethered C reader, joined at message " + index + ": " + lateLine);
                final Map<String, String> lateDone = Proc.fields(lateLine);
                assertEquals("0", lateDone.get("bad"), late.recent());
                assertTrue(index > 0 && index < count, "joined mid-stream: " + index);
                final long lateReceived = Long.parseLong(lateDone.get("received"));
                final long lateLost = Long.parseLong(lateDone.get("lost"));
                // Its first message is number index (or it was lapped before that, and says so); the gaps it sees
                // from 0 are the index plus what it lost.
                assertEquals(index + lateLost, Long.parseLong(lateDone.get("gaps")), lateLine);
                assertEquals(count, index + lateReceived + lateLost, lateLine);
                // It prints DONE before it leaves: closing it before it exits could kill it with its slot taken.
                // Without a count it stops for being idle (exit code 5).
                assertEquals(5, late.waitFor(seconds(10)), late.recent());
            }
            final Map<String, String> done = Proc.fields(doneLine);
            final long received = Long.parseLong(done.get("received"));
            final long lost = Long.parseLong(done.get("lost"));
            final long gaps = Long.parseLong(done.get("gaps"));
            System.out.println("untethered C reader: " + doneLine);
            assertEquals(0, reader.waitFor(seconds(10)), "the reader failed (a lap taken for corruption?):\n" +
                reader.recent());
            assertEquals("0", done.get("bad"), reader.recent());
            assertTrue(lost > 0, "the reader was never lapped: " + doneLine);
            assertTrue(received > 0, doneLine);
            // Exact: what it says it lost is what is missing from the sequence it received, and together they are
            // everything that was published.
            assertEquals(gaps, lost, "reported loss vs gaps in the sequence numbers received: " + doneLine);
            assertEquals(count, received + lost, doneLine);
            assertEquals(Long.parseLong(done.get("lossEvents")) > 0, true);
            assertEquals(0, publisher.waitFor(seconds(10)));
            // Both C readers left: their slots are free, the loss they were told of was kept in them until then.
            assertEquals(0, topic.status().subscribers().size(), topic.status().toString());
        }
    }

    static TopicOptions options(final int capacity, final boolean timestamps)
    {
        return TopicOptions.builder()
            .capacityBytes(capacity)
            .maxMessageLength(256)
            .maxPublishers(4)
            .maxSubscribers(4)
            .timestamps(timestamps)
            .build();
    }
}
