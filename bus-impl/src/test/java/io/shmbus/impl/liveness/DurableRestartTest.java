package io.shmbus.impl.liveness;

import io.shmbus.impl.liveness.CrashRig.PublisherReport;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.CrashSubscriberMain;
import io.shmbus.impl.process.PublisherMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static io.shmbus.impl.liveness.DeadPublisherMidClaimTest.OPTIONS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A durable subscriber SIGKILLed mid-stream and restarted under the same name, 20 times, while one publisher
 * streams. What the code guarantees, and what this test demands, exactly:
 *
 * <ul>
 *     <li>A poll publishes the subscriber's position (and message index) to the topic after its handler has
 *     returned for the whole batch, in a {@code finally}. So a subscriber killed inside a poll resumes at the start
 *     of that poll's batch: the messages its handler already had in that batch are delivered again
 *     (at-least-once). A subscriber killed after a poll returned resumes after that batch: what a completed poll
 *     delivered is never delivered again.</li>
 *     <li>Nothing is lost (the hold limit is infinite here), order is kept, every message is intact.</li>
 * </ul>
 *
 * <p>The subscriber prints each message inside its handler ({@code M}) and, after each poll that delivered,
 * {@code B}: the poll has returned, so its position is published. For every restart: the first message of the
 * new life is at most one past the last message printed before the kill (nothing lost), at least one past the
 * last message acknowledged by a {@code B} line (no acknowledged message again), and the messages delivered a
 * second time are a suffix of the killed life's last batch, so at most one poll's limit of them. With a poll
 * limit of 1 the replay is at most one message; exactly-once would need the application to record each message's
 * position together with its effect and skip what it recorded (the header's position is stable for that).
 */
class DurableRestartTest
{
    private static final long COUNT = 12_000;
    private static final int KILLS = 20;
    private static final int LIMIT = 16;

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void durableSubscriberKilledAndRestartedTwentyTimesSeesEveryMessageAtLeastOnceWithOnlyTheLastBatchAgain()
    {
        try (CrashRig rig = new CrashRig("durable-restart", OPTIONS))
        {
            final ChildProcess publisher = rig.start("pub", PublisherMain.class,
                "mode=exclusive", "id=0", "count=" + COUNT);
            ChildProcess life = startLife(rig, 0);
            life.awaitLine("STARTED", CrashRig.START);
            life.send("OPEN");
            final int slot = Integer.parseInt(life.awaitWords("READY", CrashRig.START)[0]);
            CrashRig.awaitReady(publisher);
            publisher.send("GO");

            final Map<Long, Integer> deliveries = new HashMap<>();
            final Map<Long, Long> positions = new HashMap<>();
            final List<String> restarts = new ArrayList<>();
            long lastSeen = -1;
            long lastAcknowledged = -1;
            long replayed = 0;
            for (int kill = 0; kill <= KILLS; kill++)
            {
                final ChildProcess next = kill < KILLS ? startLife(rig, kill + 1) : null;
                final int killAfter = ThreadLocalRandom.current().nextInt(20, 120);
                long firstOfLife = -1;
                long seenInLife = 0;
                long pendingLast = -1;
                String line;
                while (null != (line = life.nextLine(CrashRig.RUN)))
                {
                    final String[] w = line.split(" ");
                    if ("M".equals(w[0]))
                    {
                        final long sequence = Long.parseLong(w[2]);
                        final long position = Long.parseLong(w[3]);
                        if (firstOfLife < 0)
                        {
                            firstOfLife = sequence;
                            assertTrue(sequence <= lastSeen + 1, "life " + kill + " starts at " + sequence +
                                " but the last message seen was " + lastSeen + ": lost messages");
                            assertTrue(sequence > lastAcknowledged, "life " + kill + " starts at " + sequence +
                                " but " + lastAcknowledged + " was acknowledged by a returned poll");
                            assertTrue(lastSeen + 1 - sequence <= LIMIT, "life " + kill + " replays " +
                                (lastSeen + 1 - sequence) + " messages, more than one poll's limit");
                            replayed += lastSeen + 1 - sequence;
                            if (kill > 0)
                            {
                                restarts.add(Long.toString(lastSeen + 1 - sequence));
                            }
                        }
                        final Long known = positions.putIfAbsent(sequence, position);
                        assertTrue(null == known || known == position, "message " + sequence + " moved");
                        deliveries.merge(sequence, 1, Integer::sum);
                        lastSeen = Math.max(lastSeen, sequence);
                        pendingLast = sequence;
                        if (kill < KILLS && ++seenInLife == killAfter)
                        {
                            life.signal("KILL");
                        }
                    }
                    else if ("B".equals(w[0]))
                    {
                        lastAcknowledged = Math.max(lastAcknowledged, pendingLast);
                    }
                    else if ("LOSS".equals(w[0]))
                    {
                        throw new AssertionError("life " + kill + " lost messages: " + line);
                    }
                    else if ("DONE".equals(w[0]))
                    {
                        assertEquals(KILLS, kill, "the stream ended before the last kill: " + line);
                        break;
                    }
                }
                if (kill < KILLS)
                {
                    assertTrue(life.awaitExit(CrashRig.RUN) != 0, "life " + kill + " was killed");
                    life = next;
                    life.awaitLine("STARTED", CrashRig.START);
                    life.send("OPEN");
                    assertEquals(slot, Integer.parseInt(life.awaitWords("READY", CrashRig.START)[0]),
                        "life " + (kill + 1) + " resumes in the same slot");
                }
            }
            assertEquals(0, life.awaitExit(CrashRig.RUN), "the last life ends cleanly");
            final PublisherReport sent = CrashRig.awaitPublisher(publisher);
            assertEquals(0, publisher.awaitExit(CrashRig.RUN));

            assertEquals(COUNT, deliveries.size(), "every message seen");
            for (long sequence = 0; sequence < COUNT; sequence++)
            {
                assertTrue(deliveries.containsKey(sequence), "message " + sequence + " never seen");
            }
            final long duplicates = deliveries.values().stream().mapToLong(n -> n - 1).sum();
            assertEquals(replayed, duplicates, "every second delivery is a replay at a restart");
            assertEquals(sent.count(), COUNT);
            assertEquals(0, rig.subscriber(slot).lostMessages());
            System.out.printf(
                "durable restarts: %d kills, %,d messages, %d delivered again in all; again per restart: %s%n",
                KILLS, COUNT, duplicates, restarts);
        }
    }

    private static ChildProcess startLife(final CrashRig rig, final int life)
    {
        return rig.start("durable-" + life, CrashSubscriberMain.class,
            "policy=durable", "name=audit", "holdLimitMs=-1", "start=oldest", "publishers=1", "count=" + COUNT,
            "fromZero=" + (life == 0), "trace=true", "limit=" + LIMIT, "slowMicros=" + (life < KILLS ? 300 : 0),
            "waitOpen=true");
    }
}
