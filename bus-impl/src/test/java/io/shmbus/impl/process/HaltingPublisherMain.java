package io.shmbus.impl.process;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Claim;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * A publisher child that stops in the middle of a claim, for crash tests: the parent then kills it with
 * SIGKILL, or stops and continues it, and checks what the others make of the claim it left.
 *
 * <p>Arguments ({@code key=value}): {@code dir}, {@code topic}, {@code spec}, {@code mode} ({@code shared} or
 * {@code exclusive}), {@code id} (its test publisher id), {@code window}, optionally {@code before} (messages
 * committed first, default 0), {@code wrap} ({@code true}: the halting claim must wrap, padding plus record),
 * {@code deadline} (seconds).
 *
 * <p>It prints {@code READY <slot>}, waits for {@code GO}, publishes {@code before} {@link TestMessages} (sequence
 * 0 up), prints {@code SENT <before> <checksum>}, then claims message {@code before} and halts there, as
 * {@code window} says:
 * <ul>
 *     <li>{@code afterTail}, {@code afterHeader}, {@code beforeCas}: a fault point of the claim path (see
 *     {@code io.shmbus.impl.faults.FaultPoints}); the JVM must run with {@code -Dshmbus.faultPoints=<window>} and
 *     {@code -Dshmbus.faultPoints.skip=<before>}. The fault point prints {@code HALTED <window> <position>}.</li>
 *     <li>{@code halfBody}: the claim is taken and half of the body written; it prints
 *     {@code HALTED halfBody <position>} and waits for {@code COMMIT} (writes the rest and commits) or
 *     {@code ABORT}.</li>
 *     <li>{@code roundWalked}, {@code inRound}, {@code inStep}, {@code roundCommit}: it publishes messages 0 up,
 *     printing {@code P <sequence>} after each, until a cleaning round halts it at that fault point ({@code before}
 *     is ignored). With {@code count}, once released it goes on up to {@code count} messages, prints
 *     {@code DONE <count> <checksum>}, closes and exits 0; without, it publishes until killed.</li>
 * </ul>
 * A claim that goes on after its fault point was released ({@code -Dshmbus.faultPoints.release}) is completed and
 * committed. After a commit it prints {@code COMMITTED <sequence> <position> <checksum>}, closes and exits 0.
 */
public final class HaltingPublisherMain
{
    /** The fault points inside a cleaning round. */
    public static final java.util.Set<String> ROUND_WINDOWS =
        java.util.Set.of("roundWalked", "inRound", "inStep", "roundCommit");

    private HaltingPublisherMain()
    {
    }

    public static void main(final String[] args)
    {
        ChildSupport.main(args, 120, HaltingPublisherMain::run);
    }

    private static void run(final ChildArgs a)
    {
        final TopicOptions options = ChildSupport.options(a.get("spec"));
        final boolean exclusive = "exclusive".equals(a.get("mode"));
        final int id = a.getInt("id");
        final String window = a.get("window");
        final long before = a.getLong("before", 0);
        final boolean wrap = Boolean.parseBoolean(a.get("wrap", "false"));
        final int max = options.maxMessageLength();
        final int headerLength = options.timestamps() ? 32 : 16;
        final int capacity = options.capacityBytes();
        final boolean faultPoint = !"halfBody".equals(window);
        if (faultPoint && !java.util.List.of(System.getProperty("shmbus.faultPoints", "").split(",")).contains(window))
        {
            ChildSupport.fail("window " + window + " needs -Dshmbus.faultPoints=" + window);
        }

        try (Bus bus = Bus.open(BusOptions.builder().directory(Path.of(a.get("dir"))).build()))
        {
            final Topic topic = bus.topic(a.get("topic"), options);
            final Publisher publisher = topic.publisher(
                exclusive ? PublisherOptions.exclusive() : PublisherOptions.shared());
            ChildSupport.out("READY " + publisher.id());
            ChildSupport.awaitCommand("GO");

            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[Math.max(max, 8)]);
            final CRC32C crc = new CRC32C();
            final IdleStrategy idle = new BackoffIdleStrategy(
                20, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(200));
            if (ROUND_WINDOWS.contains(window))
            {
                final long count = a.getLong("count", Long.MAX_VALUE);
                long sum = 0;
                for (long sequence = 0; sequence < count; sequence++)
                {
                    final int length = TestMessages.length(id, sequence, max);
                    sum += TestMessages.fill(scratch, crc, id, sequence, length);
                    offer(publisher, scratch, length, TestMessages.type(id, sequence), idle);
                    ChildSupport.out("P " + sequence);
                }
                ChildSupport.out("DONE " + count + " " + sum);
                publisher.close();
                return;
            }

            long checksum = 0;
            for (long sequence = 0; sequence < before; sequence++)
            {
                final int length = TestMessages.length(id, sequence, max);
                checksum += TestMessages.fill(scratch, crc, id, sequence, length);
                offer(publisher, scratch, length, TestMessages.type(id, sequence), idle);
            }
            ChildSupport.out("SENT " + before + " " + checksum);

            final long sequence = before;
            final int length;
            if (wrap)
            {
                // A record one alignment unit longer than what is left before the ring's end: it must wrap.
                final int left = capacity - (int)(publisher.position() & (capacity - 1));
                length = left - headerLength + 1;
                if (length < 0 || length > max)
                {
                    ChildSupport.fail("cannot make a wrapping claim: " + left + " bytes left before the ring's end, " +
                        "messages are at most " + max);
                }
            }
            else
            {
                length = (int)a.getLong("length", TestMessages.length(id, sequence, max));
            }
            final long sum = TestMessages.fill(scratch, crc, id, sequence, length);
            final Claim claim = new Claim();
            long result;
            while ((result = publisher.tryClaim(length, claim)) <= 0)
            {
                check(result);
                idle.idle();
            }
            final int half = length / 2;
            claim.buffer().putBytes(0, scratch, 0, half);
            if (!faultPoint)
            {
                ChildSupport.out("HALTED " + window + " " + claim.position());
                final String command = ChildSupport.nextCommand();
                if ("ABORT".equals(command))
                {
                    claim.abort();
                    ChildSupport.out("ABORTED " + sequence + " " + claim.position());
                    publisher.close();
                    return;
                }
                if (!"COMMIT".equals(command))
                {
                    ChildSupport.fail("expected COMMIT or ABORT, got " + command);
                }
            }
            claim.buffer().putBytes(half, scratch, half, length - half);
            final long position = claim.position();
            claim.type(TestMessages.type(id, sequence)).commit();
            ChildSupport.out("COMMITTED " + sequence + " " + position + " " + sum);
            publisher.close();
        }
    }

    private static void offer(
        final Publisher publisher, final UnsafeBuffer scratch, final int length, final int type,
            final IdleStrategy idle)
    {
        long result;
        while ((result = publisher.offer(scratch, 0, length, type)) <= 0)
        {
            check(result);
            idle.idle();
        }
        idle.reset();
    }

    private static void check(final long result)
    {
        if (result != Publisher.BACK_PRESSURED && result != Publisher.NOT_CONNECTED &&
            result != Publisher.ADMIN_ACTION)
        {
            ChildSupport.fail("publisher got status " + result);
        }
    }
}
