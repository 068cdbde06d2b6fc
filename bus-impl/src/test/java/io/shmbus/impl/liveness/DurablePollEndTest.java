package io.shmbus.impl.liveness;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.CrashSubscriberMain;
import io.shmbus.impl.process.TestMessages;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import static io.shmbus.impl.liveness.DeadPublisherMidClaimTest.OPTIONS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A durable subscriber SIGKILLed between the two stores that end a poll (fault point {@code pollEnd}: its message
 * index stored, its position not): whether it resumes within the retained records (and is given that batch again)
 * or lapped, the loss it is told of later is exactly the gap in the sequence numbers it was given, never more
 * (a count overstated by the batch) nor less.
 */
class DurablePollEndTest
{
    private static final int BATCH = 8;
    private static final int POLLS_BEFORE_HALT = 3;

    @ParameterizedTest(name = "resumed lapped: {0}")
    @ValueSource(booleans = {true, false})
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aDurableSubscriberKilledBetweenItsTwoStoresReportsExactLoss(final boolean lappedAtOnce)
    {
        try (CrashRig rig = new CrashRig("poll-end-" + lappedAtOnce, OPTIONS);
             Publisher publisher = rig.topic.publisher(PublisherOptions.shared()))
        {
            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[OPTIONS.maxMessageLength()]);
            final CRC32C crc = new CRC32C();
            final long[] next = {0};
            final Runnable publishOne = () ->
            {
                final long sequence = next[0];
                final int length = TestMessages.length(0, sequence, OPTIONS.maxMessageLength());
                TestMessages.fill(scratch, crc, 0, sequence, length);
                long result;
                while ((result = publisher.offer(scratch, 0, length, TestMessages.type(0, sequence))) < 0)
                {
                    assertTrue(result == Publisher.BACK_PRESSURED || result == Publisher.ADMIN_ACTION, "offer " +
                        result);
                    Thread.onSpinWait();
                }
                next[0]++;
            };

            final List<String> flags = new ArrayList<>(CrashRig.LEAN_JVM);
            flags.add("-Dshmbus.faultPoints=pollEnd");
            flags.add("-Dshmbus.faultPoints.skip=" + POLLS_BEFORE_HALT);
            final ChildProcess child = rig.start("durable", flags, CrashSubscriberMain.class, "policy=durable",
                "name=d", "holdLimitMs=0", "start=oldest", "publishers=1", "count=100000000", "trace=true",
                "limit=" + BATCH);
            CrashRig.awaitReady(child);
            for (int i = 0; i < BATCH * (POLLS_BEFORE_HALT + 2); i++)
            {
                publishOne.run();
            }
            long given = 0;
            String line;
            while (null != (line = child.nextLine(CrashRig.RUN)) && !line.startsWith("HALTED"))
            {
                if (line.startsWith("M "))
                {
                    assertEquals(given, Long.parseLong(line.split(" ")[2]), "in order");
                    given++;
                }
            }
            assertTrue(null != line, "the child halted at pollEnd\n" + child.diagnostics());
            assertEquals(BATCH * (POLLS_BEFORE_HALT + 1), given, "given every batch up to the halted poll's");
            child.signal("KILL");
            child.awaitExit(CrashRig.RUN);

            long lastSeen = given - 1;
            if (!lappedAtOnce)
            {
                // Resume within the retained records: it is given the halted poll's batch again, then the rest.
                final long[] first = {-1};
                final long[] last = {-1};
                try (Subscriber resumed = rig.topic.subscriber(SubscriberOptions.durable("d").holdLimitNs(0)))
                {
                    while (resumed.poll((b, o, l, h) ->
                    {
                        final long s = TestMessages.sequenceOf(h.type(), last[0]);
                        if (first[0] < 0)
                        {
                            first[0] = s;
                        }
                        last[0] = s;
                    }, 100) > 0)
                    {
                        // drain
                    }
                    assertEquals(0, resumed.lostMessages(), "nothing lost yet");
                }
                assertEquals(given - BATCH, first[0], "resumed at its last stored position: that batch again");
                assertEquals(next[0] - 1, last[0], "and everything after it");
                lastSeen = last[0];
            }

            // Lap it while it is away (its hold limit is 0), then resume: the loss is the gap, exactly.
            final long lapped = next[0] + 4L * OPTIONS.capacityBytes() / 64;
            while (next[0] < lapped)
            {
                publishOne.run();
            }
            final long[] first = {-1};
            final long[] previous = {lastSeen};
            try (Subscriber resumed = rig.topic.subscriber(SubscriberOptions.durable("d").holdLimitNs(0)))
            {
                assertEquals(1, resumed.poll((b, o, l, h) ->
                    first[0] = TestMessages.sequenceOf(h.type(), previous[0]), 1));
                assertTrue(first[0] > lastSeen + 1, "it was lapped: first " + first[0] + ", last seen " + lastSeen);
                assertEquals(first[0] - (lastSeen + 1), resumed.lostMessages(),
                    "lost exactly the messages between the last one it was given and the first one now");
            }
        }
    }
}
