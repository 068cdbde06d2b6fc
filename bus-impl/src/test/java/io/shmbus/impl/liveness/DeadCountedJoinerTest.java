package io.shmbus.impl.liveness;

import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.SubscriberMain;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.shmbus.impl.liveness.DeadPublisherMidClaimTest.OPTIONS;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A joining subscriber JVM SIGKILLed after its add to subscriberCount and before its slot's counted flag (fault point
 * {@code joinCounted}): the repair of its slot finds the flag unset and subtracts nothing, so the count would stay one
 * too high for good (a REQUIRE_SUBSCRIBER topic would take messages with nobody there). The repair settles it.
 */
class DeadCountedJoinerTest
{
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aJoinerKilledBetweenItsCountAndItsFlagIsTakenOffTheCount()
    {
        try (CrashRig rig = new CrashRig("dead-counted", OPTIONS))
        {
            final UnsafeBuffer control = rig.probe.control();
            final List<String> flags = new ArrayList<>(CrashRig.LEAN_JVM);
            flags.add("-Dshmbus.faultPoints=joinCounted");
            final ChildProcess joiner = rig.start("joiner", flags, SubscriberMain.class, "policy=tethered",
                "start=tail", "publishers=1", "count=1");
            joiner.awaitLine("HALTED joinCounted", CrashRig.RUN);
            assertEquals(1, control.getIntVolatile(ControlDescriptor.SUBSCRIBER_COUNT_OFFSET), "counted");
            joiner.signal("KILL");
            joiner.awaitExit(CrashRig.RUN);
            assertEquals(1, control.getIntVolatile(ControlDescriptor.SUBSCRIBER_COUNT_OFFSET), "left by the dead");

            RoundTakeoverTest.sweepForTests(rig); // opening the topic repairs dead participants' slots
            assertEquals(0, control.getIntVolatile(ControlDescriptor.SUBSCRIBER_COUNT_OFFSET),
                "the dead joiner's count taken off");
            assertEquals(0, rig.status().subscribers().size(), "and its slot freed");
        }
    }
}
