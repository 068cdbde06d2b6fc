package io.shmbus.interop;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Claim;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Topic;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A child JVM that publishes test messages of one tag through a shared publisher of an existing topic.
 *
 * <p>Arguments: {@code dir topic tag count span [every sleepUs]}: after every {@code every} messages it sleeps
 * {@code sleepUs} microseconds. Prints {@code READY slot=<i>}, waits for a {@code GO} line on stdin, publishes (one
 * message in four with tryClaim and commit, the others with offer; back-pressured, it waits with offerBlocking), then
 * prints {@code DONE tag=<t> count=<n> fnv=<hex> backPressured=<n>} and exits.
 */
public final class JavaPublisherMain
{
    private JavaPublisherMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        try
        {
            run(args);
        }
        catch (final Throwable ex)
        {
            System.out.println("FAIL " + ex);
            ex.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void run(final String[] args) throws Exception
    {
        final Path dir = Path.of(args[0]);
        final int tag = Integer.parseInt(args[2]);
        final long count = Long.parseLong(args[3]);
        final int span = Integer.parseInt(args[4]);
        final long every = args.length > 5 ? Long.parseLong(args[5]) : 0;
        final long sleepNs = args.length > 6 ? TimeUnit.MICROSECONDS.toNanos(Long.parseLong(args[6])) : 0;
        try (Bus bus = Bus.open(BusOptions.builder().directory(dir).build());
            Topic topic = bus.openTopic(args[1]);
            Publisher publisher = topic.publisher(PublisherOptions.shared()))
        {
            System.out.println("READY slot=" + publisher.id());
            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            String line;
            while (null != (line = in.readLine()) && !line.startsWith("GO"))
            {
                // wait for the start
            }
            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[span + 16]);
            final Claim claim = new Claim();
            long hash = TestMessage.FNV_OFFSET;
            long backPressured = 0;
            for (long seq = 0; seq < count; seq++)
            {
                final int length = TestMessage.fill(scratch, tag, seq, span);
                hash = TestMessage.fnv(hash, scratch, 0, length);
                if ((seq & 3) == 3)
                {
                    long result;
                    while ((result = publisher.tryClaim(length, claim)) <= 0)
                    {
                        backPressured += waitOut(publisher, result);
                    }
                    claim.buffer().putBytes(0, scratch, 0, length);
                    claim.type(tag).commit();
                    stuckSince = 0;
                }
                else
                {
                    long result;
                    while ((result = publisher.offerBlocking(
                        scratch, 0, length, tag, TimeUnit.SECONDS.toNanos(1))) <= 0)
                    {
                        backPressured += waitOut(publisher, result);
                    }
                    stuckSince = 0;
                }
                if (every > 0 && (seq + 1) % every == 0)
                {
                    LockSupport.parkNanos(sleepNs);
                }
            }
            System.out.println("DONE tag=" + tag + " count=" + count + " fnv=" + String.format("%016x", hash) +
                " backPressured=" + backPressured);
        }
    }

    private static long stuckSince;

    private static int waitOut(final Publisher publisher, final long result)
    {
        if (result == Publisher.CLOSED)
        {
            throw new IllegalStateException("publisher " + publisher.id() + " closed");
        }
        final long now = System.nanoTime();
        if (stuckSince == 0)
        {
            stuckSince = now;
        }
        else if (now - stuckSince > TimeUnit.SECONDS.toNanos(20))
        {
            throw new IllegalStateException("no progress for 20 s (status " + result + ")");
        }
        Thread.yield();
        return result == Publisher.BACK_PRESSURED ? 1 : 0;
    }
}
