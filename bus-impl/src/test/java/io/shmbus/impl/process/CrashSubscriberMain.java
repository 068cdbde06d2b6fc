package io.shmbus.impl.process;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.LossHandler;
import io.shmbus.MessageHandler;
import io.shmbus.MessageHeader;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A subscriber child for crash tests: it checks every message as {@link SubscriberMain} does, and can say, line
 * by line, what it has seen and what it has acknowledged, so that the parent can tell what a SIGKILL cost.
 *
 * <p>Arguments ({@code key=value}): {@code dir}, {@code topic}, {@code spec}, {@code policy} ({@code tethered} or
 * {@code durable}), {@code name} (durable), {@code holdLimitMs} (durable; the library's default when absent),
 * {@code start} ({@code oldest} or {@code tail}), {@code publishers} (test ids 0 to this, exclusive),
 * {@code count} (messages per publisher), optionally {@code fromZero} (default true), {@code limit} (messages per
 * poll, default 64), {@code trace}, {@code holdAfter}, {@code slowMicros}, {@code waitOpen}, {@code deadline}.
 *
 * <ul>
 *     <li>{@code waitOpen=true}: print {@code STARTED} and wait for {@code OPEN} before opening the bus (so the
 *     parent can start the JVM early and attach it at an exact moment).</li>
 *     <li>Prints {@code READY <slot> <position>} once attached.</li>
 *     <li>{@code trace=true}: inside the handler, after checking a message, print {@code M <publisher> <sequence>
 *     <position>}; after each poll that delivered, print {@code B <position>}: by then the poll has published
 *     its position to the topic.</li>
 *     <li>A loss report prints {@code LOSS <messages> <bytes> <from> <to>}.</li>
 *     <li>{@code holdAfter=n}: after n messages, print {@code HOLDING <delivered> <position>} and stop polling,
 *     staying attached (so it holds publishers back) until killed.</li>
 *     <li>{@code slowMicros}: sleep that long after each message.</li>
 *     <li>Otherwise it polls until it has seen the last message ({@code count - 1}) of every publisher, then
 *     prints {@code PUB} lines and {@code DONE} as {@link SubscriberMain} does, closes and exits.</li>
 * </ul>
 */
public final class CrashSubscriberMain
{
    private CrashSubscriberMain()
    {
    }

    public static void main(final String[] args)
    {
        ChildSupport.main(args, 120, CrashSubscriberMain::run);
    }

    private static void run(final ChildArgs a)
    {
        final TopicOptions options = ChildSupport.options(a.get("spec"));
        final String policy = a.get("policy");
        final int publishers = a.getInt("publishers");
        final long perPublisher = a.getLong("count", 0);
        final int limit = (int)a.getLong("limit", 64);
        final boolean trace = Boolean.parseBoolean(a.get("trace", "false"));
        final long holdAfter = a.getLong("holdAfter", -1);
        final long slowNanos = TimeUnit.MICROSECONDS.toNanos(a.getLong("slowMicros", 0));
        final SubscriberMain.Verifier verifier = new SubscriberMain.Verifier(
            options, publishers, true, Boolean.parseBoolean(a.get("fromZero", "true")), 0, 0);
        final LossHandler loss = (messages, bytes, from, to) ->
        {
            verifier.onLoss(messages, bytes, from, to);
            ChildSupport.out("LOSS " + messages + " " + bytes + " " + from + " " + to);
        };
        SubscriberOptions subscriberOptions = switch (policy)
        {
            case "tethered" -> SubscriberOptions.tethered();
            case "durable" -> SubscriberOptions.durable(a.get("name")).lossHandler(loss);
            default -> throw new IllegalArgumentException("policy " + policy);
        };
        if (a.getLong("holdLimitMs", Long.MIN_VALUE) != Long.MIN_VALUE)
        {
            subscriberOptions = subscriberOptions.holdLimitNs(
                TimeUnit.MILLISECONDS.toNanos(a.getLong("holdLimitMs", 0)));
        }
        subscriberOptions = subscriberOptions.startAt("tail".equals(a.get("start", "oldest")) ?
            SubscriberOptions.StartPosition.TAIL : SubscriberOptions.StartPosition.OLDEST);

        if (Boolean.parseBoolean(a.get("waitOpen", "false")))
        {
            ChildSupport.out("STARTED");
            ChildSupport.awaitCommand("OPEN");
        }
        try (Bus bus = Bus.open(BusOptions.builder().directory(Path.of(a.get("dir"))).build()))
        {
            final Topic topic = bus.topic(a.get("topic"), options);
            final Subscriber subscriber = topic.subscriber(subscriberOptions);
            verifier.minNext = 0; // a durable subscriber that resumes lapped is told of a gap that starts before it
            ChildSupport.out("READY " + subscriber.id() + " " + subscriber.position());

            final MessageHandler handler = new MessageHandler()
            {
                @Override
                public void onMessage(
                    final DirectBuffer buffer, final int offset, final int length, final MessageHeader header)
                {
                    verifier.onMessage(buffer, offset, length, header);
                    if (trace)
                    {
                        final int p = TestMessages.publisherOf(header.type());
                        ChildSupport.out("M " + p + " " + verifier.last[p] + " " + header.position());
                    }
                    if (slowNanos > 0)
                    {
                        LockSupport.parkNanos(slowNanos);
                    }
                }
            };
            final IdleStrategy idle = new BackoffIdleStrategy(
                20, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(200));
            final long start = System.nanoTime();
            while (!verifier.sawLast(perPublisher))
            {
                if (holdAfter >= 0 && verifier.delivered >= holdAfter)
                {
                    ChildSupport.out("HOLDING " + verifier.delivered + " " + subscriber.position());
                    while (true)
                    {
                        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
                    }
                }
                final int max = holdAfter >= 0 ? (int)Math.min(limit, holdAfter - verifier.delivered) : limit;
                final int polled = subscriber.poll(handler, max);
                if (polled > 0)
                {
                    if (trace)
                    {
                        ChildSupport.out("B " + subscriber.position());
                    }
                    idle.reset();
                }
                else
                {
                    idle.idle();
                }
            }
            final long elapsed = System.nanoTime() - start;
            for (int p = 0; p < publishers; p++)
            {
                ChildSupport.out("PUB " + p + " " + verifier.count[p] + " " + verifier.checksum[p] + " " +
                    verifier.first[p] + " " + verifier.last[p] + " " + verifier.slot[p]);
            }
            final long position = subscriber.position();
            subscriber.close();
            ChildSupport.out("DONE " + verifier.delivered + " " + verifier.lostMessages + " " + verifier.lostBytes +
                " " + verifier.lossEvents + " " + elapsed + " " + position);
        }
    }
}
