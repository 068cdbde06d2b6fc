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
 * A child that publishes {@code count} {@link TestMessages} as test publisher {@code id}, or as several.
 *
 * <p>Arguments ({@code key=value}): {@code dir}, {@code topic}, {@code spec} (see
 * {@link ChildSupport#spec(TopicOptions)}), {@code mode} ({@code exclusive} or {@code shared}), {@code id},
 * {@code count}, optionally {@code threads} (that many publishers, each used by its own thread, with test ids
 * {@code id} up), {@code abortEvery} (every that many claims, first claim and abort a copy of the message:
 * subscribers must never see it) and {@code deadline} (seconds).
 *
 * <p>Prints {@code READY <slot>[,<slot>...]} once attached, waits for {@code GO} on stdin, publishes (three
 * messages in four with offer, one with tryClaim and commit), then prints, for each publisher in id order,
 * {@code DONE <id> <count> <checksum> <elapsedNs> <backPressured> <notConnected> <adminAction> <aborted>} and
 * exits.
 */
public final class PublisherMain
{
    private PublisherMain()
    {
    }

    public static void main(final String[] args)
    {
        ChildSupport.main(args, 120, PublisherMain::run);
    }

    private static void run(final ChildArgs a) throws InterruptedException
    {
        final TopicOptions options = ChildSupport.options(a.get("spec"));
        final boolean exclusive = "exclusive".equals(a.get("mode"));
        final int firstId = a.getInt("id");
        final int threads = (int)a.getLong("threads", 1);
        final long count = a.getLong("count", 0);
        final long abortEvery = a.getLong("abortEvery", 0);

        try (Bus bus = Bus.open(BusOptions.builder().directory(Path.of(a.get("dir"))).build()))
        {
            final Topic topic = bus.topic(a.get("topic"), options);
            final Publisher[] publishers = new Publisher[threads];
            final StringBuilder slots = new StringBuilder();
            for (int t = 0; t < threads; t++)
            {
                publishers[t] = topic.publisher(exclusive ? PublisherOptions.exclusive() : PublisherOptions.shared());
                slots.append(t == 0 ? "" : ",").append(publishers[t].id());
            }
            ChildSupport.out("READY " + slots);
            ChildSupport.awaitCommand("GO");

            final String[] reports = new String[threads];
            final Thread[] workers = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                final int index = t;
                workers[t] = new Thread(() ->
                {
                    try
                    {
                        reports[index] = publish(publishers[index], firstId + index, count, abortEvery,
                            options.maxMessageLength());
                    }
                    catch (final Throwable ex)
                    {
                        ChildSupport.fail(ex);
                    }
                }, "publisher-" + (firstId + t));
                workers[t].start();
            }
            for (final Thread worker : workers)
            {
                worker.join();
            }
            for (final String report : reports)
            {
                ChildSupport.out(report);
            }
        }
    }

    private static String publish(
        final Publisher publisher, final int id, final long count, final long abortEvery, final int max)
    {
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[Math.max(max, 8)]);
        final CRC32C crc = new CRC32C();
        final Claim claim = new Claim();
        final IdleStrategy idle = new BackoffIdleStrategy(
            20, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(200));
        final long[] statuses = new long[5];
        long checksum = 0;
        long claims = 0;
        long aborted = 0;
        final long start = System.nanoTime();
        for (long sequence = 0; sequence < count; sequence++)
        {
            final int length = TestMessages.length(id, sequence, max);
            checksum += TestMessages.fill(scratch, crc, id, sequence, length);
            final int type = TestMessages.type(id, sequence);
            if ((sequence & 3) == 3)
            {
                claims++;
                if (abortEvery > 0 && claims % abortEvery == 0)
                {
                    // A perfect copy of the message, given up: a reader that delivered it would see a duplicate.
                    claim(publisher, length, claim, idle, statuses);
                    claim.buffer().putBytes(0, scratch, 0, length);
                    claim.type(type).abort();
                    aborted++;
                }
                claim(publisher, length, claim, idle, statuses);
                claim.buffer().putBytes(0, scratch, 0, length);
                claim.type(type).commit();
            }
            else
            {
                long result;
                while ((result = publisher.offer(scratch, 0, length, type)) <= 0)
                {
                    handle(result, statuses, idle);
                }
                idle.reset();
            }
        }
        final long elapsed = System.nanoTime() - start;
        return "DONE " + id + " " + count + " " + checksum + " " + elapsed + " " +
            statuses[(int)-Publisher.BACK_PRESSURED] + " " + statuses[(int)-Publisher.NOT_CONNECTED] + " " +
            statuses[(int)-Publisher.ADMIN_ACTION] + " " + aborted;
    }

    private static void claim(
        final Publisher publisher, final int length, final Claim claim, final IdleStrategy idle, final long[] statuses)
    {
        long result;
        while ((result = publisher.tryClaim(length, claim)) <= 0)
        {
            handle(result, statuses, idle);
        }
        idle.reset();
    }

    private static void handle(final long result, final long[] statuses, final IdleStrategy idle)
    {
        if (result >= 0 || result <= Publisher.CLOSED)
        {
            ChildSupport.fail("publisher got status " + result);
        }
        statuses[(int)-result]++;
        idle.idle();
    }
}
