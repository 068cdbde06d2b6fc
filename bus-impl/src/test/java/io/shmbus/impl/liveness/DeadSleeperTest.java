package io.shmbus.impl.liveness;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.TopicStatus;
import io.shmbus.WaitStrategy;
import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.StrategySubscriberMain;
import io.shmbus.impl.process.TruncationVictimMain;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.shmbus.impl.liveness.DeadPublisherMidClaimTest.OPTIONS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A subscriber SIGKILLed on its way to sleep, after it counted itself in {@code dataWaiters} and before it set its
 * slot's sleeping flag (fault point {@code waiterAdded}): the repair of its slot settles the count back to the
 * sleepers that are really there, so publishers stop making a wake-up call after every commit.
 */
class DeadSleeperTest
{
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aSleeperKilledBetweenItsCountAndItsFlagIsTakenOutOfTheCount()
    {
        try (CrashRig rig = new CrashRig("dead-sleeper", OPTIONS))
        {
            final List<String> flags = new ArrayList<>(CrashRig.LEAN_JVM);
            flags.add("-Dshmbus.faultPoints=waiterAdded");
            final ChildProcess sleeper = rig.start("sleeper", flags, StrategySubscriberMain.class, "strategy=futex",
                "count=1");
            sleeper.awaitLine("HALTED waiterAdded", CrashRig.START);
            final UnsafeBuffer control = rig.probe.control();
            assertEquals(1, control.getIntVolatile(ControlDescriptor.DATA_WAITERS_OFFSET), "counted as a waiter");
            sleeper.signal("KILL");
            sleeper.awaitExit(CrashRig.RUN);
            assertEquals(1, control.getIntVolatile(ControlDescriptor.DATA_WAITERS_OFFSET), "left one too high");

            // Another process opens the topic: its sweep repairs the dead subscriber's slot.
            final ChildProcess opener = rig.start("opener", TruncationVictimMain.class);
            assertEquals("RESULT OK", opener.awaitLine("RESULT", CrashRig.RUN));
            assertEquals(0, opener.awaitExit(CrashRig.RUN));
            assertEquals(0, control.getIntVolatile(ControlDescriptor.DATA_WAITERS_OFFSET), "settled by the repair");

            try (Subscriber reader = rig.topic.subscriber(SubscriberOptions.tethered().waitStrategy(
                WaitStrategy.busySpin()));
                 Publisher publisher = rig.topic.publisher(PublisherOptions.shared()))
            {
                final UnsafeBuffer message = new UnsafeBuffer(new byte[16]);
                final TopicStatus.PublisherStatus before = status(rig, publisher);
                for (int i = 0; i < 100; i++)
                {
                    assertTrue(publisher.offer(message, 0, 16) > 0, "offer " + i);
                    assertEquals(1, reader.poll((b, o, l, h) -> { }, 10));
                }
                assertEquals(before.wakesIssued(), status(rig, publisher).wakesIssued(),
                    "no wake-up call for a sleeper that is not there");
            }
        }
    }

    private static TopicStatus.PublisherStatus status(final CrashRig rig, final Publisher publisher)
    {
        return rig.status().publishers().stream().filter(p -> p.id() == publisher.id()).findFirst().orElseThrow();
    }
}
