package io.shmbus.impl.liveness;

import io.shmbus.MessageHandler;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.TopicStatus;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.HaltingPublisherMain;
import io.shmbus.impl.process.TestMessages;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.shmbus.impl.liveness.DeadPublisherMidClaimTest.OPTIONS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Liveness across PID namespaces: a publisher JVM runs in a PID namespace of its own ({@code unshare --pid --fork
 * --mount-proc}), so the pid it records in its slot is its namespace's (1: it is the namespace's first process),
 * which in this namespace is another process altogether (init, alive for ever). It halts mid-claim; a subscriber in
 * this JVM reads its committed messages and stops at the claim. Killed, it is seen dead and its claim repaired at
 * once, because liveness is the kernel lock, not the pid. Skipped where unshare is missing or not permitted.
 */
class PidNamespaceTest
{
    private static final List<String> NAMESPACE = List.of("unshare", "--pid", "--fork", "--mount-proc", "--kill-child");
    private static final long BEFORE = 3;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void publisherInAnotherPidNamespaceIsSeenDeadAndRepairedWhenKilled()
    {
        assumeTrue(unshareWorks(), "unshare --pid --fork --mount-proc does not work here");
        try (CrashRig rig = new CrashRig("pid-namespace", OPTIONS))
        {
            final Subscriber subscriber = rig.topic.subscriber(
                SubscriberOptions.tethered().startAt(SubscriberOptions.StartPosition.OLDEST));
            final List<String> flags = new ArrayList<>(List.of(
                "-Dshmbus.faultPoints=afterTail", "-Dshmbus.faultPoints.skip=" + BEFORE));
            final ChildProcess namespaced = rig.children.start("namespaced", NAMESPACE, flags,
                HaltingPublisherMain.class, rig.args("mode=shared", "id=0", "before=" + BEFORE, "window=afterTail"));
            final int slot = CrashRig.awaitReady(namespaced);
            namespaced.send("GO");
            DeadPublisherMidClaimTest.sent(namespaced, BEFORE);
            final long halted = DeadPublisherMidClaimTest.haltedAt(namespaced, "afterTail");

            final long jvmPid = namespaced.jvmPid();
            final TopicStatus.PublisherStatus alive = rig.publisher(slot);
            assertTrue(alive.alive(), "the namespaced publisher shows alive");
            assertNotEquals(jvmPid, alive.pid(), "it recorded its pid in its own namespace, not ours");
            System.out.printf("publisher in its own PID namespace: pid %d there, %d here%n", alive.pid(), jvmPid);

            final List<Long> sequences = new ArrayList<>();
            final MessageHandler handler = (buffer, offset, length, header) ->
                sequences.add(TestMessages.sequenceOf(header.type(), sequences.isEmpty() ? -1 : sequences.getLast()));
            while (sequences.size() < BEFORE)
            {
                subscriber.poll(handler, 16, TimeUnit.SECONDS.toNanos(1));
            }
            assertEquals(List.of(0L, 1L, 2L), sequences, "its committed messages");
            final long repairs = rig.status().repairs();
            assertEquals(0, subscriber.poll(handler, 16, TimeUnit.MILLISECONDS.toNanos(300)),
                "stopped at the claim of a live publisher");
            assertEquals(halted, subscriber.position());
            assertEquals(repairs, rig.status().repairs(), "nothing repaired while it lives");

            ChildProcess.signal(jvmPid, "KILL");
            namespaced.awaitExit(CrashRig.RUN);
            try (Publisher publisher = rig.topic.publisher(PublisherOptions.shared()))
            {
                final UnsafeBuffer message = new UnsafeBuffer(new byte[OPTIONS.maxMessageLength()]);
                final int length = TestMessages.length(0, BEFORE, OPTIONS.maxMessageLength());
                TestMessages.fill(message, new java.util.zip.CRC32C(), 0, BEFORE, length);
                assertTrue(publisher.offer(message, 0, length, TestMessages.type(0, BEFORE)) > 0);
                final long deadline = System.nanoTime() + CrashRig.RUN.toNanos();
                while (sequences.size() == BEFORE && System.nanoTime() - deadline < 0)
                {
                    subscriber.poll(handler, 16, TimeUnit.MILLISECONDS.toNanos(100));
                }
            }
            assertEquals(List.of(0L, 1L, 2L, 3L), sequences, "the message behind the dead claim arrives");
            assertEquals(repairs + 1, rig.status().repairs(), "the dead claim was repaired");
            subscriber.close();
        }
    }

    private static boolean unshareWorks()
    {
        final List<String> command = new ArrayList<>(NAMESPACE);
        command.add("true");
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        }
        catch (final IOException ex)
        {
            return false;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
