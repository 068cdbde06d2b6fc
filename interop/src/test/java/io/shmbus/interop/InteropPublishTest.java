package io.shmbus.interop;

import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;

import static io.shmbus.interop.Proc.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A C shared publisher and a Java one (in a child JVM) publish at once on one small topic: they contend for the
 * tail, run each other's cleaning rounds and wait for the subscribers. A Java subscriber and a C reader each get
 * every message of both, in each publisher's order, with the checksum its publisher reports.
 */
class InteropPublishTest
{
    private static final int SPAN = TestMessage.DEFAULT_SPAN;

    @BeforeAll
    static void build()
    {
        CPrograms.require();
    }

    @Test
    @Timeout(90)
    void cAndJavaSharedPublishersOnOneTopic() throws Exception
    {
        final int count = 40_000;
        final int cTag = 5;
        final int javaTag = 6;
        try (InteropBus test = new InteropBus("publish");
            Topic topic = test.bus().topic("orders", InteropReadTest.options(32 * 1024, false));
            Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
            Collector collector = new Collector(subscriber, SPAN, 2L * count);
            Proc reader = CPrograms.read("c-reader", "--topic", test.path("orders"), "--count",
                String.valueOf(2 * count), "--span", String.valueOf(SPAN), "--idle-ms", "20000");
            Proc cPublisher = CPrograms.publish("c-publisher", "--topic", test.path("orders"), "--tag",
                String.valueOf(cTag), "--count", String.valueOf(count), "--span", String.valueOf(SPAN), "--go");
            Proc javaPublisher = Proc.java("java-publisher", JavaPublisherMain.class, test.directory().toString(),
                "orders", String.valueOf(javaTag), String.valueOf(count), String.valueOf(SPAN)))
        {
            reader.await("READY", seconds(10));
            final long cSlot = Proc.field(cPublisher.await("READY", seconds(10)), "slot");
            final long javaSlot = Proc.field(javaPublisher.await("READY", seconds(20)), "slot");
            assertTrue(cSlot != javaSlot, "two publishers in one slot");
            assertEquals(2, topic.status().publishers().size(), "both publishers attached");
            cPublisher.send("GO");
            javaPublisher.send("GO");

            final Map<String, String> cDone = Proc.fields(cPublisher.await("DONE", seconds(60)));
            final Map<String, String> javaDone = Proc.fields(javaPublisher.await("DONE", seconds(60)));
            collector.await(30_000);
            final TestMessage.Verifier java = collector.verifier;
            assertEquals(0, java.bad, "Java subscriber: " + java.firstBad);
            assertEquals(count, java.count(cTag));
            assertEquals(count, java.count(javaTag));
            assertEquals(0, java.gaps(cTag));
            assertEquals(0, java.gaps(javaTag));
            assertEquals(cDone.get("fnv"), java.fnvHex(cTag),
                "the C publisher's messages as the Java subscriber got them");
            assertEquals(javaDone.get("fnv"), java.fnvHex(javaTag));
            assertEquals(TestMessage.expectedFnv(cTag, count, SPAN), cDone.get("fnv"));

            final Map<String, String> readerDone = Proc.fields(reader.await("DONE", seconds(30)));
            assertEquals(String.valueOf(2 * count), readerDone.get("received"), reader.recent());
            assertEquals("0", readerDone.get("bad"));
            assertEquals("0", readerDone.get("gaps"));
            assertEquals(0, reader.waitFor(seconds(10)));
            for (final int tag : new int[]{cTag, javaTag})
            {
                final Map<String, String> line = Proc.fields(reader.recent().lines()
                    .filter(l -> l.startsWith("out: TAG tag=" + tag + " ")).findFirst().orElseThrow());
                assertEquals(String.valueOf(count), line.get("count"));
                assertEquals(tag == cTag ? cDone.get("fnv") : javaDone.get("fnv"), line.get("fnv"));
            }
            assertEquals(0, cPublisher.waitFor(seconds(10)), cPublisher.recent());
            assertEquals(0, javaPublisher.waitFor(seconds(10)));

            // Both left cleanly: no publisher slot is taken, the C reader's subscriber slot is free again.
            final TopicStatus status = topic.status();
            assertEquals(0, status.publishers().size(), status.toString());
            assertEquals(1, status.subscribers().size(), status.toString());
            assertEquals(0, status.reclaims(), "nobody needed a repair: " + status);
            // The topic is 32 KiB and some 8 MB went through it, so both publishers ran cleaning rounds and waited.
            System.out.println("C publisher: " + cDone + ", Java publisher: " + javaDone);
        }
    }
}
