package io.shmbus.impl.liveness;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.SiblingParticipantsMain;
import io.shmbus.impl.process.StatusMain;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.shmbus.impl.liveness.DeadPublisherMidClaimTest.OPTIONS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three participants in one JVM (a publisher and two subscribers) keep their kernel locks whatever else the process
 * does with the topic file: reading it whole, opening and closing it as a {@link java.io.RandomAccessFile} and a
 * {@link java.nio.channels.FileChannel}, opening the same topic again through another bus and closing it, closing
 * one of the three. With process-owned POSIX locks each of those closes would drop every lock the process holds;
 * with open-file-description locks none does. Checked from the test JVM, from another child JVM (whose open of the
 * topic would reclaim any participant that looked dead), and by the participants themselves: the publisher,
 * back-pressured by its two sibling subscribers, must find them alive, and so must a publisher in the test JVM.
 */
class SameProcessParticipantsTest
{
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void participantsOfOneProcessKeepTheirLocksWhenTheFileIsOpenedAndClosedAgain()
    {
        try (CrashRig rig = new CrashRig("same-process", OPTIONS))
        {
            final ChildProcess siblings = rig.start("siblings", SiblingParticipantsMain.class);
            final String[] ready = siblings.awaitWords("READY", CrashRig.START);
            final int publisher = Integer.parseInt(ready[0]);
            final int subscriberA = Integer.parseInt(ready[1]);
            final int subscriberB = Integer.parseInt(ready[2]);

            siblings.send("TOUCH");
            siblings.awaitLine("TOUCHED", CrashRig.RUN);
            assertTrue(rig.publisher(publisher).alive(), "publisher alive after the file was opened and closed");
            assertTrue(rig.subscriber(subscriberA).alive(), "subscriber A alive");
            assertTrue(rig.subscriber(subscriberB).alive(), "subscriber B alive");
            Map<String, String> seen = statusFromAnotherProcess(rig);
            assertEquals("true", seen.get("P" + publisher), "another process sees the publisher alive");
            assertEquals("true active", seen.get("S" + subscriberA));
            assertEquals("true active", seen.get("S" + subscriberB));

            siblings.send("FILL");
            final String[] filled = siblings.awaitWords("FILLED", CrashRig.RUN);
            assertTrue(Long.parseLong(filled[0]) > 0);
            try (Publisher outsider = rig.topic.publisher(PublisherOptions.shared()))
            {
                final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
                for (int i = 0; i < 100; i++)
                {
                    final long result = outsider.offer(message, 0, 8, 0);
                    assertTrue(result == Publisher.BACK_PRESSURED || result == Publisher.ADMIN_ACTION,
                        "the subscribers that do not read hold the ring: " + result);
                    CrashRig.sleepMs(1);
                }
            }
            assertEquals(0, rig.status().reclaims(), "nobody took a live participant for dead");

            siblings.send("CLOSEA");
            siblings.awaitLine("CLOSEDA", CrashRig.RUN);
            assertNull(rig.subscriber(subscriberA), "the closed subscriber left");
            assertTrue(rig.publisher(publisher).alive(), "its siblings keep their locks");
            assertTrue(rig.subscriber(subscriberB).alive());
            seen = statusFromAnotherProcess(rig);
            assertEquals("true", seen.get("P" + publisher));
            assertEquals("true active", seen.get("S" + subscriberB));
            assertFalse(seen.containsKey("S" + subscriberA));

            siblings.send("DRAIN");
            assertEquals(filled[0], siblings.awaitWords("DRAINED", CrashRig.RUN)[0],
                "subscriber B reads every message its sibling published");
            siblings.send("EXIT");
            assertEquals(0, siblings.awaitExit(CrashRig.RUN));
            assertEquals(0, rig.status().reclaims(), "no participant was ever reclaimed");
            assertEquals(0, rig.status().repairs());
            assertTrue(rig.status().publishers().isEmpty());
            assertTrue(rig.status().subscribers().isEmpty());
        }
    }

    /**
     * @return what a {@link StatusMain} child printed: "P<slot>" to "alive", "S<slot>" to "alive state", "END" to
     * "repairs reclaims".
     */
    private static Map<String, String> statusFromAnotherProcess(final CrashRig rig)
    {
        final ChildProcess child = rig.start("status", StatusMain.class);
        final Map<String, String> seen = new HashMap<>();
        String line;
        while (null != (line = child.nextLine(CrashRig.RUN)))
        {
            final String[] w = line.split(" ", 3);
            if ("P".equals(w[0]) || "S".equals(w[0]))
            {
                seen.put(w[0] + w[1], w[2]);
            }
            else if ("END".equals(w[0]))
            {
                seen.put("END", w[1] + " " + w[2]);
                assertEquals("0", w[2], "the other process reclaimed nobody when it opened the topic");
            }
        }
        assertEquals(0, child.awaitExit(CrashRig.RUN));
        assertTrue(seen.containsKey("END"), "status printed");
        return seen;
    }
}
