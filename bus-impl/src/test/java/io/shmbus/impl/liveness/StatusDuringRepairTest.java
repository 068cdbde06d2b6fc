package io.shmbus.impl.liveness;

import io.shmbus.TopicStatus;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.CrashSubscriberMain;
import io.shmbus.impl.process.TruncationVictimMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.shmbus.impl.liveness.DeadPublisherMidClaimTest.OPTIONS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * While another process repairs a dead subscriber's slot it holds that slot's kernel lock, which is what
 * {@code status()} reads liveness from: the repairer marks the slot first, so status does not show the dead
 * participant as alive. The repairer is halted in the middle of the repair (fault point {@code repairing}) to
 * look at the topic right then.
 */
class StatusDuringRepairTest
{
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aSlotBeingRepairedIsNotShownAlive()
    {
        try (CrashRig rig = new CrashRig("status-repair", OPTIONS))
        {
            final ChildProcess victim = rig.start("victim", CrashSubscriberMain.class, "policy=tethered",
                "start=oldest", "publishers=1", "count=1000000");
            final int slot = CrashRig.awaitReady(victim);
            victim.signal("KILL");
            victim.awaitExit(CrashRig.RUN);
            assertFalse(subscriber(rig.status(), slot).alive(), "dead, its lock gone");

            final List<String> flags = new ArrayList<>(CrashRig.LEAN_JVM);
            flags.add("-Dshmbus.faultPoints=repairing");
            final ChildProcess repairer = rig.start("repairer", flags, TruncationVictimMain.class);
            repairer.awaitLine("HALTED repairing " + slot, CrashRig.START);
            final TopicStatus.SubscriberStatus during = subscriber(rig.status(), slot);
            assertEquals("ACTIVE", String.valueOf(during.state()).toUpperCase(java.util.Locale.ROOT),
                "not freed yet");
            assertFalse(during.alive(), "a repairer holds its lock, but the owner is dead");
            repairer.signal("KILL");
            repairer.awaitExit(CrashRig.RUN);
        }
    }

    private static TopicStatus.SubscriberStatus subscriber(final TopicStatus status, final int slot)
    {
        return status.subscribers().stream().filter(s -> s.id() == slot).findFirst()
            .orElseThrow(() -> new AssertionError("no subscriber slot " + slot + " in " + status));
    }
}
