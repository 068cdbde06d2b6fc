package io.shmbus.impl.liveness;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicStatus;
import io.shmbus.impl.liveness.CrashRig.PublisherReport;
import io.shmbus.impl.liveness.CrashRig.SubscriberReport;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.CrashSubscriberMain;
import io.shmbus.impl.process.PublisherMain;
import io.shmbus.impl.process.SubscriberMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.shmbus.impl.liveness.DeadPublisherMidClaimTest.OPTIONS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A publisher JVM halted inside a cleaning round, at each step of the round (fault points {@code roundWalked}:
 * walked, not announced; {@code inRound}: announced and intent stored, nothing zeroed; {@code inStep}: a zeroing
 * step announced and the lock found held, its bytes not zeroed yet; {@code roundCommit}: all zeroed, nothing
 * committed), for far longer than the others' patience. The other publisher takes the round over and goes on at
 * once (it publishes everything while the cleaner stays halted); a step under way becomes a hole the claims pad
 * over. Then the cleaner is either released, and goes on harmlessly (its stale stores all fail, its late zeroing
 * lands on the hole only), or killed, and its hole is zeroed and released by the repair of its slot. Every message
 * of both arrives intact, holes end at 0 and cleanCount still counts exactly the messages before the oldest record.
 */
class RoundTakeoverTest
{
    private static final long LIVE_COUNT = 20_000;
    private static final long CLEANER_AFTER = 3_000;

    @ParameterizedTest(name = "{0}, then {1}")
    @CsvSource({
        "roundWalked, release", "inRound, release", "inStep, release", "roundCommit, release",
        "roundWalked, kill", "inRound, kill", "inStep, kill", "roundCommit, kill"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aHaltedCleanersRoundIsTakenOver(final String point, final String then) throws IOException
    {
        try (CrashRig rig = new CrashRig("takeover-" + point + "-" + then, OPTIONS))
        {
            final boolean release = "release".equals(then);
            final Path releaseFile = rig.directory.resolve("release-" + point);
            final long before = rig.messagesBeforeFirstRound(1);
            final long cleanerCount = before + CLEANER_AFTER;
            final ChildProcess subscriber = rig.start("sub", SubscriberMain.class, "policy=tethered", "start=oldest",
                "publishers=2", "stopAfter=" + ((release ? cleanerCount : before) + LIVE_COUNT));
            final ChildProcess cleaner = rig.startHalting("cleaner", point, releaseFile, "mode=shared", "id=1",
                "count=" + cleanerCount);
            final ChildProcess live = rig.start("live", PublisherMain.class, "mode=shared", "id=0",
                "count=" + LIVE_COUNT);
            CrashRig.awaitReady(subscriber);
            CrashRig.awaitReady(cleaner);
            CrashRig.awaitReady(live);

            cleaner.send("GO");
            assertEquals(before, haltAt(cleaner, point), "messages committed before the first round");
            final TopicStatus halted = rig.status();
            assertTrue(rig.probe.cleanLock() != 0, "the halted cleaner holds the round");

            live.send("GO");
            final PublisherReport sent = CrashRig.awaitPublisher(live);
            assertEquals(LIVE_COUNT, sent.count());
            final TopicStatus after = rig.status();
            assertTrue(after.takeovers() > halted.takeovers(), "the halted round was taken over");
            assertEquals("inStep".equals(point) ? 1 : 0, after.holes(),
                "only a step under way when its round was taken over is a hole");

            if (release)
            {
                Files.createFile(releaseFile);
                cleaner.awaitLine("RELEASED " + point, CrashRig.RUN);
                assertEquals(cleanerCount, Long.parseLong(cleaner.awaitWords("DONE", CrashRig.RUN)[0]));
                assertEquals(0, cleaner.awaitExit(CrashRig.RUN));
            }
            else
            {
                cleaner.signal("KILL");
                cleaner.awaitExit(CrashRig.RUN);
            }
            final long cleanerMessages = release ? cleanerCount : before;
            final SubscriberReport got = CrashRig.awaitSubscriber(subscriber, 2);
            assertEquals(cleanerMessages, got.of(1).count(), "the cleaner's messages");
            assertEquals(rig.checksum(1, 0, cleanerMessages), got.of(1).checksum(), "intact");
            assertEquals(LIVE_COUNT, got.of(0).count(), "the live publisher's messages");
            assertEquals(sent.checksum(), got.of(0).checksum(), "intact");
            assertEquals(0, subscriber.awaitExit(CrashRig.RUN));
            if (!release)
            {
                sweep(rig);
            }
            assertEquals(0, rig.status().holes(), "no hole is left");
            assertRoundsConsistent(rig, cleanerMessages + LIVE_COUNT);
        }
    }

    /**
     * Two cleaners halted in one round, one after the other: the first halts at a step, the second takes the round
     * over and halts at its own first step, and the live publisher takes it over from the second. Two holes (over
     * the same bytes) are padded over at once; released in the other order, both cleaners go on.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void twoHaltedCleanersInOneRound() throws IOException
    {
        try (CrashRig rig = new CrashRig("takeover-two", OPTIONS))
        {
            final Path releaseFirst = rig.directory.resolve("release-first");
            final Path releaseSecond = rig.directory.resolve("release-second");
            final long count = 4_000;
            final ChildProcess subscriber = rig.start("sub", SubscriberMain.class, "policy=tethered", "start=oldest",
                "publishers=3", "stopAfter=" + (2 * count + LIVE_COUNT));
            final ChildProcess first = rig.startHalting("first", "inStep", releaseFirst, "mode=shared", "id=1",
                "count=" + count);
            final ChildProcess second = rig.startHalting("second", "inStep", releaseSecond, "mode=shared", "id=2",
                "count=" + count);
            final ChildProcess live = rig.start("live", PublisherMain.class, "mode=shared", "id=0",
                "count=" + LIVE_COUNT);
            CrashRig.awaitReady(subscriber);
            CrashRig.awaitReady(first);
            CrashRig.awaitReady(second);
            CrashRig.awaitReady(live);

            first.send("GO");
            haltAt(first, "inStep");
            second.send("GO");
            haltAt(second, "inStep");
            assertEquals(1, rig.status().holes(), "the first cleaner's step is a hole");

            live.send("GO");
            final PublisherReport sent = CrashRig.awaitPublisher(live);
            assertEquals(2, rig.status().holes(), "both halted steps are holes");
            assertTrue(rig.status().takeovers() >= 2);

            Files.createFile(releaseSecond);
            assertEquals(count, Long.parseLong(second.awaitWords("DONE", CrashRig.RUN)[0]));
            Files.createFile(releaseFirst);
            assertEquals(count, Long.parseLong(first.awaitWords("DONE", CrashRig.RUN)[0]));
            final SubscriberReport got = CrashRig.awaitSubscriber(subscriber, 3);
            assertEquals(LIVE_COUNT, got.of(0).count());
            assertEquals(sent.checksum(), got.of(0).checksum());
            for (int id = 1; id <= 2; id++)
            {
                assertEquals(count, got.of(id).count(), "cleaner " + id);
                assertEquals(rig.checksum(id, 0, count), got.of(id).checksum(), "cleaner " + id + " intact");
            }
            assertEquals(0, first.awaitExit(CrashRig.RUN));
            assertEquals(0, second.awaitExit(CrashRig.RUN));
            assertEquals(0, subscriber.awaitExit(CrashRig.RUN));
            assertEquals(0, rig.status().holes());
            assertRoundsConsistent(rig, 2 * count + LIVE_COUNT);
        }
    }

    /**
     * The only publisher halts in a round: a subscriber joining (at the oldest message, which needs the round
     * settled) takes the round over itself and joins at once, instead of waiting for a publisher that may never
     * go on. Released, the publisher goes on, and a reader that was attached all along gets every message.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aJoinTakesOverTheRoundOfAHaltedOnlyPublisher() throws IOException
    {
        try (CrashRig rig = new CrashRig("takeover-join", OPTIONS))
        {
            final Path releaseFile = rig.directory.resolve("release");
            final long count = rig.messagesBeforeFirstRound(0) + CLEANER_AFTER;
            final ChildProcess reader = rig.start("reader", CrashSubscriberMain.class,
                "policy=tethered", "start=oldest", "publishers=1", "count=" + count);
            final ChildProcess cleaner = rig.startHalting("cleaner", "inRound", releaseFile, "mode=shared", "id=0",
                "count=" + count);
            CrashRig.awaitReady(reader);
            CrashRig.awaitReady(cleaner);
            cleaner.send("GO");
            haltAt(cleaner, "inRound");
            final long takeovers = rig.status().takeovers();

            final long started = System.nanoTime();
            try (Subscriber joiner = rig.topic.subscriber(
                SubscriberOptions.tethered().startAt(SubscriberOptions.StartPosition.OLDEST)))
            {
                final long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                System.out.printf("join with the only publisher halted in a round took %d ms%n", ms);
                assertTrue(joiner.position() >= rig.probe.cleanLimit() - OPTIONS.capacityBytes());
            }
            assertEquals(takeovers + 1, rig.status().takeovers(), "the joiner took the round over");
            assertEquals(0, rig.probe.cleanLock());

            Files.createFile(releaseFile);
            assertEquals(count, Long.parseLong(cleaner.awaitWords("DONE", CrashRig.RUN)[0]));
            final SubscriberReport got = CrashRig.awaitSubscriber(reader, 1);
            assertEquals(count, got.of(0).count());
            assertEquals(rig.checksum(0, 0, count), got.of(0).checksum(), "intact");
            assertEquals(0, cleaner.awaitExit(CrashRig.RUN));
            assertEquals(0, reader.awaitExit(CrashRig.RUN));
            assertRoundsConsistent(rig, count);
        }
    }

    /**
     * Read the halting cleaner's lines up to its halt.
     *
     * @return how many messages it committed first.
     */
    private static long haltAt(final ChildProcess cleaner, final String point)
    {
        long committed = 0;
        String line;
        while (null != (line = cleaner.nextLine(CrashRig.RUN)))
        {
            final String[] w = line.split(" ");
            if ("P".equals(w[0]))
            {
                assertEquals(committed, Long.parseLong(w[1]));
                committed++;
            }
            else if ("HALTED".equals(w[0]))
            {
                assertEquals(point, w[1]);
                return committed;
            }
        }
        throw new AssertionError("the cleaner exited before halting\n" + cleaner.diagnostics());
    }

    /**
     * Open the topic afresh: opening sweeps dead participants' slots (and with them a dead cleaner's hole).
     */
    private static void sweep(final CrashRig rig)
    {
        sweepForTests(rig);
    }

    /**
     * Open the topic afresh, which sweeps dead participants' slots.
     *
     * @param rig the rig.
     */
    static void sweepForTests(final CrashRig rig)
    {
        try (Bus bus = Bus.open(BusOptions.builder().directory(rig.directory).build());
             Topic topic = bus.topic(CrashRig.TOPIC, OPTIONS))
        {
            assertNotNull(topic.status());
        }
    }

    /**
     * With nobody writing: no round is pending, and cleanCount is the number of messages before the oldest
     * retained record (the published total minus the messages retained).
     */
    static void assertRoundsConsistent(final CrashRig rig, final long published)
    {
        assertEquals(0, rig.probe.cleanLock());
        assertEquals(rig.probe.cleanIntent(), rig.probe.cleanLimit());
        final long[] retained = rig.probe.countRetained();
        assertNotNull(retained, "every retained record committed");
        assertArrayEquals(new long[] {published}, new long[] {rig.probe.cleanCount() + retained[0]},
            "cleanCount + retained messages = messages published");
    }
}
