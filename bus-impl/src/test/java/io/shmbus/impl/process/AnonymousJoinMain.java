package io.shmbus.impl.process;

import io.shmbus.Bus;
import io.shmbus.BusException;
import io.shmbus.BusOptions;
import io.shmbus.MessageHandler;
import io.shmbus.ShareOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.impl.anonymous.AnonymousJoin;
import io.shmbus.impl.mapping.MappedTopic;
import io.shmbus.impl.platform.ErrnoException;
import io.shmbus.impl.platform.Linux;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * A child that joins an anonymous topic offered on an abstract Unix socket by its parent.
 *
 * <p>Arguments ({@code key=value}): {@code address} (the abstract socket name), {@code dir} (this child's own bus
 * directory, which must stay empty), {@code action}, {@code count} and {@code max} (for {@code subscribe}),
 * {@code deadline}.
 *
 * <ul>
 *   <li>{@code seals}: receive the descriptor, print {@code MEMFD <line of /proc/self/maps>} for its mapping, then
 *   try to change its size through it and print {@code SHRINK}, {@code GROW}, {@code FALLOCATE} and
 *   {@code UNSEAL} each followed by {@code OK} or the errno's name; then close it.</li>
 *   <li>{@code subscribe}: join, print {@code READY}, read {@code count} {@link TestMessages} of test publisher 0
 *   (checked: length, checksum, sequence without gap), print {@code DONE <count> <checksum>}.</li>
 *   <li>{@code join}: join, print {@code JOINED <options>}, read one message and print {@code MESSAGE <text>}.</li>
 * </ul>
 * A refusal prints {@code BUS_EXCEPTION <message>}.
 */
public final class AnonymousJoinMain
{
    private AnonymousJoinMain()
    {
    }

    public static void main(final String[] args)
    {
        final ChildArgs a = new ChildArgs(args);
        ChildSupport.start(a.getLong("deadline", 120));
        try
        {
            switch (a.get("action"))
            {
                case "seals" -> seals(a);
                case "subscribe" -> subscribe(a);
                case "join" -> join(a);
                default -> throw new IllegalArgumentException(a.get("action"));
            }
        }
        catch (final BusException ex)
        {
            ChildSupport.out("BUS_EXCEPTION " + String.valueOf(ex.getMessage()).replace('\n', ' '));
        }
        catch (final Throwable ex)
        {
            ChildSupport.fail(ex);
        }
        System.exit(0);
    }

    private static void seals(final ChildArgs a) throws IOException
    {
        try (MappedTopic topic = AnonymousJoin.join(ShareOptions.abstractName(a.get("address")),
            TimeUnit.SECONDS.toNanos(10)))
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/maps")))
            {
                if (line.contains("memfd:shmbus:"))
                {
                    ChildSupport.out("MEMFD " + line);
                    break;
                }
            }
            final int fd = topic.fd();
            final long size = Linux.fstat(fd).size();
            ChildSupport.out("SHRINK " + attempt(() -> Linux.ftruncate(fd, size - 4096)));
            ChildSupport.out("GROW " + attempt(() -> Linux.ftruncate(fd, size + 4096)));
            ChildSupport.out("FALLOCATE " + attempt(() -> Linux.fallocate(fd, size, 4096)));
            ChildSupport.out("UNSEAL " + attempt(() -> Linux.addSeals(fd, Linux.F_SEAL_WRITE)));
            ChildSupport.out("SIZE " + size + " " + Linux.fstat(fd).size());
        }
    }

    private interface Call
    {
        void run() throws ErrnoException;
    }

    private static String attempt(final Call call)
    {
        try
        {
            call.run();
            return "OK";
        }
        catch (final ErrnoException ex)
        {
            return ErrnoException.name(ex.errno());
        }
    }

    private static void subscribe(final ChildArgs a)
    {
        final long count = a.getLong("count", 0);
        final int max = a.getInt("max");
        try (Bus bus = Bus.open(BusOptions.builder().directory(Path.of(a.get("dir"))).build()))
        {
            final Topic topic = bus.joinAnonymous(ShareOptions.abstractName(a.get("address")),
                TimeUnit.SECONDS.toNanos(10));
            final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
            ChildSupport.out("READY " + topic.name());
            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[Math.max(8, max)]);
            final UnsafeBuffer expected = new UnsafeBuffer(new byte[Math.max(8, max)]);
            final CRC32C crc = new CRC32C();
            final long[] state = {-1, 0, 0}; // last sequence, count, checksum
            final MessageHandler handler = (buffer, offset, length, header) ->
            {
                final long sequence = TestMessages.sequenceOf(header.type(), state[0]);
                if (TestMessages.publisherOf(header.type()) != 0 || sequence != state[0] + 1)
                {
                    ChildSupport.fail("sequence " + sequence + " after " + state[0] + " (type " + header.type() + ")");
                }
                final long sum = TestMessages.verify(buffer, offset, length, header.type(), 0, sequence, max, scratch,
                    expected, crc);
                if (sum < 0)
                {
                    ChildSupport.fail("message " + sequence + " is damaged (" + sum + "), length " + length);
                }
                state[0] = sequence;
                state[1]++;
                state[2] += sum;
            };
            final IdleStrategy idle = new BackoffIdleStrategy(
                20, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(200));
            while (state[1] < count)
            {
                idle.idle(subscriber.poll(handler, 256));
            }
            ChildSupport.out("DONE " + state[1] + " " + state[2]);
        }
    }

    private static void join(final ChildArgs a)
    {
        try (Bus bus = Bus.open(BusOptions.builder().directory(Path.of(a.get("dir"))).build()))
        {
            final Topic topic = bus.joinAnonymous(ShareOptions.abstractName(a.get("address")),
                TimeUnit.SECONDS.toNanos(10));
            final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered().startAt(
                SubscriberOptions.StartPosition.OLDEST));
            ChildSupport.out("JOINED " + topic.options().capacityBytes());
            final StringBuilder text = new StringBuilder();
            while (text.isEmpty())
            {
                subscriber.poll((buffer, offset, length, header) ->
                    text.append(buffer.getStringWithoutLengthAscii(offset, length)), 1, TimeUnit.SECONDS.toNanos(1));
            }
            ChildSupport.out("MESSAGE " + text);
        }
    }
}
