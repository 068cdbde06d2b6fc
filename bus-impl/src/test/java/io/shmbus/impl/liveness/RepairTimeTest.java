package io.shmbus.impl.liveness;

import io.shmbus.impl.layout.LockDescriptor;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.CrashSubscriberMain;
import io.shmbus.impl.process.PublisherMain;
import io.shmbus.impl.process.SubscriberMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.shmbus.impl.liveness.DeadPublisherMidClaimTest.OPTIONS;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How fast a dead peer in the way is repaired, measured, not asserted: a publisher JVM streams to a subscriber JVM
 * without pause, and, five times each,
 * <ul>
 *     <li>a third JVM claims and halts after the tail moved (fault point {@code afterTail}): the subscriber stops
 *     at the claim, the publisher fills the ring and is back-pressured; it is SIGKILLed;</li>
 *     <li>a third JVM attaches a tethered subscriber that does not read: the publisher fills the ring and is
 *     back-pressured; it is SIGKILLed.</li>
 * </ul>
 * From the SIGKILL (sent with kill(2) by this JVM), this JVM watches the shared words and times: the dead
 * process's slot lock released by the kernel (its death), the repair (the topic's repairs, or reclaims, counter),
 * the stuck subscriber reading past the dead claim, and the publisher's first successful claim. It prints the
 * median and the maximum of each.
 */
class RepairTimeTest
{
    private static final int RUNS = 5;
    private static final long FOREVER = 1_000_000_000L;
    private static final List<String> QUIET_JVM = List.of(
        "-Dslf4j.provider=org.slf4j.helpers.NOP_FallbackServiceProvider");

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void timeFromSigkillToRepairAndToTheProducerFlowingAgain()
    {
        try (CrashRig rig = new CrashRig("repair-time", OPTIONS);
            LockHandle locks = LockHandle.open(rig.probe.fd(), "probe"))
        {
            final ChildProcess subscriber = rig.start("sub", QUIET_JVM, SubscriberMain.class, "policy=tethered",
                "start=oldest", "publishers=1", "count=" + FOREVER);
            final ChildProcess publisher = rig.start("pub", QUIET_JVM, PublisherMain.class, "mode=shared", "id=0",
                "count=" + FOREVER);
            final int subscriberSlot = CrashRig.awaitReady(subscriber);
            final int publisherSlot = CrashRig.awaitReady(publisher);
            publisher.send("GO");

            final List<long[]> deadPublisher = new ArrayList<>();
            for (int run = 0; run < RUNS; run++)
            {
                final ChildProcess halting = rig.startHalting("halting-" + run, "afterTail", null,
                    "mode=shared", "id=1");
                final int slot = CrashRig.awaitReady(halting);
                halting.send("GO");
                final long halted = DeadPublisherMidClaimTest.haltedAt(halting, "afterTail");
                CrashRig.await("the subscriber stuck at the halted claim", CrashRig.RUN,
                    () -> rig.probe.subscriberPosition(subscriberSlot) == halted);
                final long tail = rig.awaitBlocked(publisherSlot, 50);
                final long repairs = rig.probe.repairs();

                final long[] t = new long[4];
                final long killed = System.nanoTime();
                halting.killNow();
                final long lock = LockDescriptor.publisherLockOffset(slot);
                while (t[0] == 0 || t[1] == 0 || t[2] == 0 || t[3] == 0)
                {
                    final long now = System.nanoTime();
                    t[0] = t[0] == 0 && !locks.isHeldElsewhere(lock) ? now : t[0];
                    t[1] = t[1] == 0 && rig.probe.repairs() != repairs ? now : t[1];
                    t[2] = t[2] == 0 && rig.probe.subscriberPosition(subscriberSlot) != halted ? now : t[2];
                    t[3] = t[3] == 0 && rig.probe.tail() != tail ? now : t[3];
                    assertTrue(now - killed < CrashRig.RUN.toNanos(), "repair and flow within " + CrashRig.RUN);
                }
                halting.awaitExit(CrashRig.RUN);
                deadPublisher.add(new long[] {t[0] - killed, t[1] - killed, t[2] - killed, t[3] - killed});
            }

            final List<long[]> deadSubscriber = new ArrayList<>();
            for (int run = 0; run < RUNS; run++)
            {
                final ChildProcess holding = rig.start("holding-" + run, CrashSubscriberMain.class,
                    "policy=tethered", "start=tail", "publishers=1", "count=" + FOREVER, "holdAfter=0",
                    "fromZero=false");
                final int slot = CrashRig.awaitReady(holding);
                holding.awaitLine("HOLDING", CrashRig.RUN);
                final long tail = rig.awaitBlocked(publisherSlot, 50);
                final long reclaims = rig.probe.reclaims();

                final long[] t = new long[3];
                final long killed = System.nanoTime();
                holding.killNow();
                final long lock = LockDescriptor.subscriberLockOffset(slot);
                while (t[0] == 0 || t[1] == 0 || t[2] == 0)
                {
                    final long now = System.nanoTime();
                    t[0] = t[0] == 0 && !locks.isHeldElsewhere(lock) ? now : t[0];
                    t[1] = t[1] == 0 && rig.probe.reclaims() != reclaims ? now : t[1];
                    t[2] = t[2] == 0 && rig.probe.tail() != tail ? now : t[2];
                    assertTrue(now - killed < CrashRig.RUN.toNanos(), "reclaim and flow within " + CrashRig.RUN);
                }
                holding.awaitExit(CrashRig.RUN);
                deadSubscriber.add(new long[] {t[0] - killed, t[1] - killed, t[2] - killed});
            }
            assertTrue(subscriber.isAlive() && publisher.isAlive(), "the stream ran throughout, every message checked" +
                "\n" + subscriber.diagnostics() + "\n" + publisher.diagnostics());

            System.out.println("time from SIGKILL, ms, over " + RUNS + " runs: median / max [each run]");
            System.out.println("  dead publisher mid-claim:  lock released " + stats(deadPublisher, 0) +
                ", claim repaired " + stats(deadPublisher, 1) + ", stuck subscriber reads on " +
                stats(deadPublisher, 2) + ", back-pressured producer claims again " + stats(deadPublisher, 3) +
                "; claim repaired after the lock was released " + stats(deadPublisher, 1, 0));
            System.out.println("  dead tethered subscriber:  lock released " + stats(deadSubscriber, 0) +
                ", slot reclaimed " + stats(deadSubscriber, 1) + ", back-pressured producer claims again " +
                stats(deadSubscriber, 2) + "; slot reclaimed after the lock was released " +
                    stats(deadSubscriber, 1, 0));
        }
    }

    private static String stats(final List<long[]> runs, final int column)
    {
        return stats(runs, column, -1);
    }

    /**
     * @return median / max of {@code column} minus {@code since} (or of {@code column} alone when since is -1); a
     * repair can be seen before the lock is seen free, since the repairer holds the dead slot's lock while it works.
     */
    private static String stats(final List<long[]> runs, final int column, final int since)
    {
        final double[] ms = runs.stream().mapToDouble(r -> (r[column] - (since < 0 ? 0 : r[since])) / 1e6)
            .sorted().toArray();
        return String.format("%.2f / %.2f", ms[ms.length / 2], ms[ms.length - 1]) + " " + Arrays.toString(
            Arrays.stream(ms).mapToObj(v -> String.format("%.2f", v)).toArray());
    }
}
