package io.shmbus.impl.process;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.MessageHandler;
import io.shmbus.MessageHeader;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.WaitStrategy;
import io.shmbus.impl.ring.RingSubscriber;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * The consumer of the lost-wake-up stress test: a tethered subscriber with {@link WaitStrategy#futex()} (it sleeps
 * in the kernel at once, every time) that takes the messages one at a time with
 * {@link Subscriber#poll(MessageHandler, int, long)}, and checks that they come in sequence.
 *
 * <p>Arguments ({@code key=value}): {@code dir}, {@code topic}, {@code spec}, {@code count} (messages, sequence
 * numbers 0 up), {@code timeoutMs} (of each poll), {@code side} (a file of {@link #SIDE_LENGTH} bytes where the
 * producer stores, after each offer has returned, the time {@link #SIDE_COMMITTED_NS} and then the sequence number
 * {@link #SIDE_COMMITTED_SEQUENCE} of the message it committed), optionally {@code slices} (default true),
 * and {@code deadline} (seconds).
 *
 * <p>With {@code slices=false} the subscriber's sleeps are not cut into slices (the subscriber normally wakes every
 * 100 ms to look for a dead publisher's claim, which would turn a lost wake-up into a late one): a sleep then ends
 * only by a wake-up or the poll's timeout, so a lost wake-up cannot hide.
 *
 * <p>Each poll is checked against the side file. A wait whose wake-up was lost runs to its timeout, and its last
 * look then finds the message: a message taken more than 2 s after its offer returned is a lost wake-up. A poll
 * that returns nothing although the message it waited for had been committed before the wait began, or well
 * before the wait ended, is one too. Either way the child prints {@code FAIL}. A timeout with nothing committed
 * (the producer was slow) is only counted.
 *
 * <p>Prints {@code READY <subscriberId> <tid> <dataSignalAddress> <sliced>} ({@code sliced}: true when the kernel
 * lacks membarrier and every sleep is cut into 1 ms slices), then {@code DONE <received> <timeouts>}, and
 * stays attached until {@code EXIT} on stdin.
 */
public final class FutexConsumerMain
{
    /** Side file: when the last committed message's offer returned (nanoTime). */
    public static final int SIDE_COMMITTED_NS = 0;
    /** Side file: the last committed message's sequence number, stored after its time; -1 before the first. */
    public static final int SIDE_COMMITTED_SEQUENCE = 8;
    /** Side file length. */
    public static final int SIDE_LENGTH = 64;
    /** A message committed this long before the end of a wait that timed out should have woken it. */
    static final long LATE_COMMIT_SLACK_NS = TimeUnit.MILLISECONDS.toNanos(200);
    /** A message taken this long after its offer returned was not woken for: far above any scheduling delay. */
    static final long LATE_NS = TimeUnit.SECONDS.toNanos(2);

    private FutexConsumerMain()
    {
    }

    public static void main(final String[] args)
    {
        ChildSupport.main(args, 600, FutexConsumerMain::run);
    }

    private static void run(final ChildArgs a) throws IOException
    {
        final long count = a.getLong("count", 0);
        final long timeoutNs = TimeUnit.MILLISECONDS.toNanos(a.getLong("timeoutMs", 5_000));
        final UnsafeBuffer side;
        try (FileChannel channel = FileChannel.open(Path.of(a.get("side")), StandardOpenOption.READ,
            StandardOpenOption.WRITE))
        {
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, SIDE_LENGTH);
            side = new UnsafeBuffer(mapped);
        }
        try (Bus bus = Bus.open(BusOptions.builder().directory(Path.of(a.get("dir"))).build()))
        {
            final Topic topic = bus.topic(a.get("topic"), ChildSupport.options(a.get("spec")));
            final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered()
                .startAt(SubscriberOptions.StartPosition.OLDEST)
                .waitStrategy(WaitStrategy.futex()));
            if (!Boolean.parseBoolean(a.get("slices", "true")))
            {
                WaitChildSupport.setSleepSlice(subscriber, Long.MAX_VALUE);
            }
            final Checker checker = new Checker();
            ChildSupport.out("READY " + subscriber.id() + " " + WaitChildSupport.currentTid() + " " +
                ((RingSubscriber)subscriber).dataSignalAddress() + " " + WaitChildSupport.isSliced(subscriber));
            long timeouts = 0;
            while (checker.next < count)
            {
                final long waitStart = System.nanoTime();
                final int polled = subscriber.poll(checker, 1, timeoutNs);
                final long waitEnd = System.nanoTime();
                if (polled > 0)
                {
                    // A wait whose wake-up was lost ends by its timeout, whose last look then finds the message:
                    // the message comes, but as late as the timeout.
                    final long taken = checker.next - 1;
                    final long committedSequence = side.getLongVolatile(SIDE_COMMITTED_SEQUENCE);
                    final long committedNs = side.getLongVolatile(SIDE_COMMITTED_NS);
                    if (committedSequence == taken && waitEnd - committedNs > LATE_NS)
                    {
                        ChildSupport.fail("lost wake-up: message " + taken + " was taken " +
                            (waitEnd - committedNs) / 1_000_000 + " ms after its offer had returned (the poll " +
                            "began " + (waitEnd - waitStart) / 1_000_000 + " ms before)");
                    }
                    continue;
                }
                timeouts++;
                final long committedSequence = side.getLongVolatile(SIDE_COMMITTED_SEQUENCE);
                final long committedNs = side.getLongVolatile(SIDE_COMMITTED_NS);
                if (committedSequence >= checker.next)
                {
                    if (committedNs - waitStart < 0)
                    {
                        ChildSupport.fail("poll timed out waiting for message " + checker.next + " although it " +
                            "had been committed " + (waitStart - committedNs) + " ns before the wait began");
                    }
                    if (committedNs - (waitEnd - LATE_COMMIT_SLACK_NS) < 0)
                    {
                        ChildSupport.fail("lost wake-up: poll timed out waiting for message " + checker.next +
                            ", committed " + (committedNs - waitStart) + " ns into a wait of " +
                            (waitEnd - waitStart) + " ns");
                    }
                }
                System.err.println("poll timed out waiting for message " + checker.next + " (committed: " +
                    committedSequence + ")");
            }
            ChildSupport.out("DONE " + checker.next + " " + timeouts);
            ChildSupport.awaitCommand("EXIT"); // stay attached while the parent reads the counters
        }
    }

    private static final class Checker implements MessageHandler
    {
        long next;

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length, final MessageHeader header)
        {
            final long sequence = buffer.getLong(offset + WaitChildSupport.SEQUENCE_OFFSET);
            if (sequence != next || length != WaitChildSupport.MESSAGE_LENGTH)
            {
                ChildSupport.fail("expected message " + next + " of " + WaitChildSupport.MESSAGE_LENGTH +
                    " bytes, got " + sequence + " of " + length);
            }
            next++;
        }
    }
}
