package io.shmbus.impl.liveness;

import io.shmbus.SubscriberOptions;
import io.shmbus.TopicStatus;
import io.shmbus.impl.liveness.CrashRig.PublisherReport;
import io.shmbus.impl.liveness.CrashRig.SubscriberReport;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.CrashSubscriberMain;
import io.shmbus.impl.process.PublisherMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static io.shmbus.impl.liveness.DeadPublisherMidClaimTest.OPTIONS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A durable subscriber with a 500 ms hold limit reads 300 messages, stops polling (alive, it holds the publisher
 * back for as long as it lives), and is SIGKILLed. The publisher, blocked by it, finds it dead, keeps its
 * position, waits out the hold limit and goes on. When the subscriber returns under the same name, its loss
 * handler is told exactly how many messages it lost (the publisher's count minus what it saw and what it still
 * gets), and it resumes at the oldest retained message, then gets every message to the end.
 */
class DurableHoldLimitTest
{
    private static final long COUNT = 3_000;
    private static final long SEEN = 300;
    private static final long HOLD_LIMIT_MS = 500;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void deadDurableSubscriberHoldsThePublisherBackForItsHoldLimitThenLearnsItsExactLoss()
    {
        try (CrashRig rig = new CrashRig("durable-hold", OPTIONS))
        {
            final ChildProcess away = rig.start("durable-1", CrashSubscriberMain.class,
                "policy=durable", "name=audit", "holdLimitMs=" + HOLD_LIMIT_MS, "start=oldest", "publishers=1",
                "count=" + COUNT, "holdAfter=" + SEEN);
            final ChildProcess publisher = rig.start("pub", PublisherMain.class,
                "mode=exclusive", "id=0", "count=" + COUNT);
            final int slot = CrashRig.awaitReady(away);
            final int publisherSlot = CrashRig.awaitReady(publisher);
            publisher.send("GO");

            final String[] holding = away.awaitWords("HOLDING", CrashRig.RUN);
            assertEquals(SEEN, Long.parseLong(holding[0]));
            final long blockedTail = rig.awaitBlocked(publisherSlot, 100); // the ring is full up to the subscriber
            CrashRig.sleepMs(HOLD_LIMIT_MS + 300);
            assertEquals(blockedTail, rig.probe.tail(), "a live durable subscriber holds the publisher back beyond " +
                "its hold limit: the limit is for the time it is away");

            away.signal("KILL");
            final long killed = System.nanoTime();
            long resumed = 0;
            while (rig.probe.tail() == blockedTail)
            {
                if (System.nanoTime() - killed > TimeUnit.SECONDS.toNanos(30))
                {
                    throw new AssertionError("the publisher did not resume within 30 s of the kill");
                }
                Thread.onSpinWait();
            }
            resumed = System.nanoTime();
            final long blockedMs = TimeUnit.NANOSECONDS.toMillis(resumed - killed);
            System.out.printf("durable hold limit %d ms: publisher resumed %d ms after the SIGKILL%n",
                HOLD_LIMIT_MS, blockedMs);
            assertTrue(blockedMs >= HOLD_LIMIT_MS - 50, "resumed only " + blockedMs + " ms after the kill");
            final PublisherReport sent = CrashRig.awaitPublisher(publisher);
            assertEquals(0, publisher.awaitExit(CrashRig.RUN));

            final TopicStatus.SubscriberStatus detached = rig.subscriber(slot);
            assertNotNull(detached, "the durable subscriber's slot is kept");
            assertEquals("detached", detached.state());
            assertEquals(SubscriberOptions.Policy.DURABLE, detached.policy());
            final long oldest = rig.status().oldest();
            final long[] retained = rig.probe.countRetained();
            assertNotNull(retained);
            final long lost = COUNT - retained[0] - SEEN;
            assertTrue(lost > 0, "the publisher overwrote messages the durable subscriber had not seen");

            final ChildProcess back = rig.start("durable-2", CrashSubscriberMain.class,
                "policy=durable", "name=audit", "holdLimitMs=" + HOLD_LIMIT_MS, "publishers=1", "count=" + COUNT,
                "fromZero=false");
            final String[] ready = back.awaitWords("READY", CrashRig.START);
            assertEquals(slot, Integer.parseInt(ready[0]), "resumes in its slot");
            assertEquals(oldest, Long.parseLong(ready[1]), "resumes at the oldest retained message");
            final String[] loss = back.awaitWords("LOSS", CrashRig.RUN);
            assertEquals(lost, Long.parseLong(loss[0]), "messages lost, reported exactly");
            assertEquals(oldest, Long.parseLong(loss[3]), "the gap ends at the oldest retained message");
            final SubscriberReport got = CrashRig.awaitSubscriber(back, 1);
            assertEquals(SEEN + lost, got.of(0).first(), "the first message after the gap");
            assertEquals(COUNT - 1, got.of(0).last());
            assertEquals(retained[0], got.of(0).count(), "every retained message");
            assertEquals(rig.checksum(0, SEEN + lost, COUNT), got.of(0).checksum());
            assertEquals(sent.count(), SEEN + lost + got.of(0).count(), "seen + lost + got = published");
            assertEquals(lost, got.lostMessages());
            assertEquals(0, back.awaitExit(CrashRig.RUN));
            assertEquals(lost, rig.subscriber(slot).lostMessages(), "the loss shows in the status");
        }
    }
}
