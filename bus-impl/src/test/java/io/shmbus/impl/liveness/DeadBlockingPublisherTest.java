package io.shmbus.impl.liveness;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.process.BusProbeMain;
import io.shmbus.impl.process.ChildProcess;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.shmbus.impl.liveness.DeadPublisherMidClaimTest.OPTIONS;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A publisher in a process without the expedited barrier counts itself in blockingPublishers before it first sleeps
 * for space, and every subscriber's poll then fences. Killed while asleep, it must not leave the count up for good:
 * its slot's blocking flag tells the repair of its slot to take it out.
 */
class DeadBlockingPublisherTest
{
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aDeadPublisherCountedInBlockingPublishersIsTakenOut()
    {
        try (CrashRig rig = new CrashRig("dead-blocking", OPTIONS);
            Subscriber holder = rig.topic.subscriber(SubscriberOptions.tethered()))
        {
            final UnsafeBuffer control = rig.probe.control();
            final Publisher filler = rig.topic.publisher(PublisherOptions.shared());
            final UnsafeBuffer message = new UnsafeBuffer(new byte[200]);
            while (filler.offer(message, 0, message.capacity()) > 0)
            {
                Thread.onSpinWait(); // fill the ring up to the subscriber, which never reads
            }
            final List<String> flags = new ArrayList<>(CrashRig.LEAN_JVM);
            flags.add("-Dshmbus.signal.noExpeditedBarrier=true");
            final ChildProcess blocked = rig.start("blocked", flags, BusProbeMain.class, "action=publish");
            CrashRig.await("the blocked publisher counted in blockingPublishers", CrashRig.RUN,
                () -> control.getIntVolatile(ControlDescriptor.BLOCKING_PUBLISHERS_OFFSET) == 1);
            blocked.signal("KILL");
            blocked.awaitExit(CrashRig.RUN);
            assertEquals(1, control.getIntVolatile(ControlDescriptor.BLOCKING_PUBLISHERS_OFFSET), "left by the dead");
            // A publisher that cannot make room releases what dead peers hold.
            CrashRig.await("the dead publisher taken out of blockingPublishers", CrashRig.RUN, () ->
            {
                filler.offer(message, 0, message.capacity());
                return control.getIntVolatile(ControlDescriptor.BLOCKING_PUBLISHERS_OFFSET) == 0;
            });
            assertEquals(0, control.getIntVolatile(ControlDescriptor.BLOCKING_PUBLISHERS_OFFSET));
        }
    }
}
