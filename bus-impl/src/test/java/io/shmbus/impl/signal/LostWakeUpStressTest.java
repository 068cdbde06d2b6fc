package io.shmbus.impl.signal;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.TopicStatus;
import io.shmbus.impl.TestBus;
import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.layout.SubscriberSlotDescriptor;
import io.shmbus.impl.process.ChildGroup;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.ChildSupport;
import io.shmbus.impl.process.FutexConsumerMain;
import io.shmbus.impl.process.WaitChildSupport;
import io.shmbus.impl.ring.Ring;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * No wake-up is lost between two JVMs: a consumer that sleeps on the topic's futex every time
 * ({@link io.shmbus.WaitStrategy#futex()}, see {@link FutexConsumerMain}) is woken for each of a million messages
 * ({@code -Dshmbus.test.futexCycles} changes the count), one message per sleep.
 *
 * <p>The consumer's sleeps are not cut into slices (a subscriber normally wakes every 100 ms to look for a dead
 * publisher's claim, which would turn a lost wake-up into a 100 ms late one): each sleep ends only by a wake-up or
 * by its poll's 5 s timeout. A poll that times out although its message was committed fails the consumer (it
 * checks against a side file the producer writes after each offer).
 *
 * <p>Before each message, the producer (this JVM) waits until the consumer has taken the previous one (its slot's
 * delivered count) and is blocked in the kernel in a shared {@code FUTEX_WAIT} on the topic's data word, as
 * /proc/PID/task/TID/syscall shows (the kernel shows a system call there only while the thread is off the CPU in
 * it: it has passed the kernel's comparison of the word and is queued). So every cycle has a real sleep and a real
 * wake-up. After the offer returns, the consumer must leave that same wait (same word, same expected value: a new
 * sleep would expect the bumped value) within 2 s; the publisher must have issued one wake per message.
 *
 * <p>The narrow windows on the way to sleep (between reading the futex word, counting itself as a waiter, the last
 * look for data and entering {@code FUTEX_WAIT}) are forced one by one in {@link SleepInterleavingTest}: two
 * processes on a shared two-core machine cannot be timed to land commits in windows of nanoseconds.
 */
class LostWakeUpStressTest
{
    private static final long CYCLES = Long.getLong("shmbus.test.futexCycles", 1_000_000);
    private static final TopicOptions OPTIONS = TopicOptions.builder()
        .capacityBytes(64 * 1024)
        .maxMessageLength(64)
        .maxPublishers(2)
        .maxSubscribers(2)
        .build();
    private static final long STEP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long LOST_AFTER_NS = TimeUnit.SECONDS.toNanos(2);

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void everySleepIsWokenByTheNextMessage() throws IOException
    {
        final String label = "lost-wakeup";
        final Path side = Files.createTempFile(Path.of("/dev/shm"), "shmbus-test-side-", "");
        try (TestBus bus = TestBus.create(label);
             ChildGroup children = new ChildGroup();
             FileChannel sideChannel = FileChannel.open(side, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final UnsafeBuffer sideBuffer = new UnsafeBuffer(
                sideChannel.map(FileChannel.MapMode.READ_WRITE, 0, FutexConsumerMain.SIDE_LENGTH));
            sideBuffer.putLongVolatile(FutexConsumerMain.SIDE_COMMITTED_SEQUENCE, -1);

            final Topic topic = bus.bus().topic("wake", OPTIONS);
            final Publisher publisher = topic.publisher(PublisherOptions.exclusive());
            final ChildProcess consumer = children.start("futex-consumer", FutexConsumerMain.class,
                "dir=" + bus.directory(), "topic=wake", "spec=" + ChildSupport.spec(OPTIONS),
                "count=" + CYCLES, "timeoutMs=5000", "slices=false", "side=" + side);
            final String[] ready = consumer.awaitWords("READY", Duration.ofSeconds(60));
            final int subscriberId = Integer.parseInt(ready[0]);
            final int tid = Integer.parseInt(ready[1]);
            final long address = Long.parseLong(ready[2]);
            assumeFalse(Boolean.parseBoolean(ready[3]),
                "membarrier is missing: sleeps are cut into 1 ms slices, which would hide a lost wake-up");

            final Ring ring = SignalTestSupport.ring(topic);
            final UnsafeBuffer control = ring.control();
            final int slot = ring.subscriberSlot(subscriberId);
            final UnsafeBuffer message = new UnsafeBuffer(new byte[WaitChildSupport.MESSAGE_LENGTH]);
            long offerRetries = 0;
            long pendingWakes = 0;
            long maxPendingNs = 0;

            final long start = System.nanoTime();
            try (SignalTestSupport.SyscallProbe probe = new SignalTestSupport.SyscallProbe(consumer.pid(), tid))
            {
                for (long k = 0; k < CYCLES; k++)
                {
                    awaitDelivered(control, slot + SubscriberSlotDescriptor.DELIVERED_OFFSET, k, consumer);
                    if (!probe.awaitSharedFutexWait(address, STEP_TIMEOUT_NS))
                    {
                        fail("before message " + k + " the consumer did not block in FUTEX_WAIT on 0x" +
                            Long.toHexString(address) + " within 10 s; its thread shows: " + probe.describe() + "\n" +
                            consumer.diagnostics());
                    }
                    final long expected = probe.arg(2);

                    message.putLong(WaitChildSupport.SEQUENCE_OFFSET, k);
                    message.putLong(WaitChildSupport.NANOS_OFFSET, System.nanoTime());
                    long result;
                    while ((result = publisher.offer(message, 0, WaitChildSupport.MESSAGE_LENGTH, 0)) < 0)
                    {
                        assertTrue(result != Publisher.CLOSED, "publisher closed");
                        offerRetries++;
                        Thread.yield();
                    }
                    sideBuffer.putLongVolatile(FutexConsumerMain.SIDE_COMMITTED_NS, System.nanoTime());
                    sideBuffer.putLongVolatile(FutexConsumerMain.SIDE_COMMITTED_SEQUENCE, k);

                    if (probe.read() == SignalTestSupport.SYS_FUTEX &&
                        probe.inSharedFutexWait(address) && probe.arg(2) == expected)
                    {
                        // The wake-up may still be on its way (the kernel can leave a wake-up for the sleeper's
                        // CPU to finish): it must arrive, and soon.
                        pendingWakes++;
                        final long pendingSince = System.nanoTime();
                        while (probe.read() == SignalTestSupport.SYS_FUTEX && probe.inSharedFutexWait(address) &&
                            probe.arg(2) == expected)
                        {
                            if (System.nanoTime() - pendingSince > LOST_AFTER_NS)
                            {
                                fail("lost wake-up: message " + k + " was committed and the publisher's wake-up " +
                                    "returned, but 2 s later the consumer still sleeps in the same FUTEX_WAIT " +
                                    "(expected value " + expected + ", data word now " + control.getIntVolatile(
                                    ControlDescriptor.DATA_SIGNAL_OFFSET) + "): " + probe.describe() + "\n" +
                                    consumer.diagnostics());
                            }
                            Thread.yield();
                        }
                        maxPendingNs = Math.max(maxPendingNs, System.nanoTime() - pendingSince);
                    }
                    if ((k & 0x3ffff) == 0x3ffff)
                    {
                        System.out.printf("%s: %,d cycles, %.0f cycles/s%n", label, k + 1,
                            (k + 1) * 1e9 / (System.nanoTime() - start));
                    }
                }
            }
            final String[] done = consumer.awaitWords("DONE", Duration.ofSeconds(60));
            final long elapsed = System.nanoTime() - start;
            assertEquals(CYCLES, Long.parseLong(done[0]), "messages the consumer took");
            final long timeouts = Long.parseLong(done[1]);

            final TopicStatus status = topic.status();
            final TopicStatus.PublisherStatus publisherStatus = status.publishers().stream()
                .filter(p -> p.id() == publisher.id()).findFirst().orElseThrow();
            final TopicStatus.SubscriberStatus subscriberStatus = status.subscribers().stream()
                .filter(s -> s.id() == subscriberId).findFirst().orElseThrow();
            System.out.printf("%s: %,d sleep/wake cycles across two JVMs in %.1f s: %.0f cycles/s; wakes issued %,d, " +
                    "skipped %,d; consumer futex waits %,d, wait timeouts %,d, poll timeouts %,d; offer retries %,d; " +
                    "%s%n",
                label, CYCLES, elapsed / 1e9, CYCLES * 1e9 / elapsed, publisherStatus.wakesIssued(),
                publisherStatus.wakesSkipped(), subscriberStatus.waits(), subscriberStatus.waitTimeouts(), timeouts,
                offerRetries,
                String.format("wake-ups still on their way when the offer returned %,d (longest %,d ns)",
                    pendingWakes, maxPendingNs));
            assertEquals(0, timeouts, "polls that timed out (the producer never leaves a message waiting 5 s)");
            assertEquals(CYCLES, publisherStatus.wakesIssued(),
                "every commit found the consumer counted as a sleeper and woke it");
            assertEquals(0, publisherStatus.wakesSkipped(), "no commit found nobody asleep");
            assertTrue(subscriberStatus.waits() >= CYCLES, "the consumer slept at least once per message: " +
                subscriberStatus.waits());
            consumer.send("EXIT");
            assertEquals(0, consumer.awaitExit(Duration.ofSeconds(30)));
        }
        finally
        {
            Files.deleteIfExists(side);
        }
    }

    private static void awaitDelivered(
        final UnsafeBuffer control, final int offset, final long expected, final ChildProcess consumer)
    {
        final long deadline = System.nanoTime() + STEP_TIMEOUT_NS;
        int spins = 0;
        while (control.getLongVolatile(offset) != expected)
        {
            if (++spins > 1_000)
            {
                if (System.nanoTime() - deadline > 0 || !consumer.isAlive())
                {
                    fail("the consumer did not take message " + (expected - 1) + " within 10 s (delivered: " +
                        control.getLongVolatile(offset) + ")\n" + consumer.diagnostics());
                }
                Thread.yield();
            }
            else
            {
                Thread.onSpinWait();
            }
        }
    }
}
