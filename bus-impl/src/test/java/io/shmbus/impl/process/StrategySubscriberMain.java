package io.shmbus.impl.process;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.MessageHandler;
import io.shmbus.MessageHeader;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import org.agrona.DirectBuffer;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A tethered subscriber that waits for messages with a given {@link io.shmbus.WaitStrategy}, through
 * {@link Subscriber#poll(MessageHandler, int, long)}, and checks that they come in sequence from 0 (the messages of
 * {@link WaitChildSupport}, published by one publisher).
 *
 * <p>Arguments ({@code key=value}): {@code dir}, {@code topic}, {@code spec}, {@code strategy} (see
 * {@link WaitChildSupport#strategy(String)}), {@code count} (messages to take), optionally {@code mode}
 * ({@code run}: read at once, the default; {@code go}: read once {@code GO} arrives on stdin; {@code command}:
 * read only when told, see below), {@code limit} (messages per poll, default 256), {@code timeoutMs} (of each
 * poll, default 10000), {@code pauseEvery} and {@code pauseMicros} (sleep that long after every that many
 * messages), {@code deadline} (seconds).
 *
 * <p>Prints {@code READY <subscriberId> <tid> <position>} once attached ({@code tid}: the thread that polls). In
 * {@code command} mode, {@code READ <n>} takes n more messages and prints {@code READ_DONE <taken so far>}, and
 * {@code LEAVE} closes the subscriber, prints {@code LEFT} and waits for {@code EXIT}. After
 * {@code count} messages it prints {@code DONE <taken> <pollTimeouts> <elapsedNs>} and stays attached (so that the
 * parent can read its slot's counters) until {@code EXIT}.
 */
public final class StrategySubscriberMain
{
    private StrategySubscriberMain()
    {
    }

    public static void main(final String[] args)
    {
        ChildSupport.main(args, 300, StrategySubscriberMain::run);
    }

    private static void run(final ChildArgs a)
    {
        final long count = a.getLong("count", 0);
        final String mode = a.get("mode", "run");
        final int limit = (int)a.getLong("limit", 256);
        final long timeoutNs = TimeUnit.MILLISECONDS.toNanos(a.getLong("timeoutMs", 10_000));
        final Checker checker = new Checker(a.getLong("pauseEvery", 0), a.getLong("pauseMicros", 0));
        try (Bus bus = Bus.open(BusOptions.builder().directory(Path.of(a.get("dir"))).build()))
        {
            final Topic topic = bus.topic(a.get("topic"), ChildSupport.options(a.get("spec")));
            final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered()
                .waitStrategy(WaitChildSupport.strategy(a.get("strategy"))));
            ChildSupport.out("READY " + subscriber.id() + " " + WaitChildSupport.currentTid() + " " +
                subscriber.position());
            if ("go".equals(mode))
            {
                ChildSupport.awaitCommand("GO");
            }
            long timeouts = 0;
            final long start = System.nanoTime();
            if ("command".equals(mode))
            {
                while (checker.next < count)
                {
                    final String command = ChildSupport.nextCommand();
                    if (command.equals("LEAVE"))
                    {
                        subscriber.close();
                        ChildSupport.out("LEFT");
                        ChildSupport.awaitCommand("EXIT");
                        return;
                    }
                    if (command.startsWith("READ "))
                    {
                        final long target = checker.next + Long.parseLong(command.substring(5).trim());
                        while (checker.next < target)
                        {
                            if (subscriber.poll(checker, (int)Math.min(limit, target - checker.next), timeoutNs) == 0)
                            {
                                timeouts++;
                            }
                        }
                        ChildSupport.out("READ_DONE " + checker.next);
                    }
                }
            }
            else
            {
                while (checker.next < count)
                {
                    if (subscriber.poll(checker, (int)Math.min(limit, count - checker.next), timeoutNs) == 0)
                    {
                        timeouts++;
                    }
                }
            }
            ChildSupport.out("DONE " + checker.next + " " + timeouts + " " + (System.nanoTime() - start));
            ChildSupport.awaitCommand("EXIT");
        }
    }

    private static final class Checker implements MessageHandler
    {
        private final long pauseEvery;
        private final long pauseNanos;
        long next;

        Checker(final long pauseEvery, final long pauseMicros)
        {
            this.pauseEvery = pauseEvery;
            this.pauseNanos = TimeUnit.MICROSECONDS.toNanos(pauseMicros);
        }

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
            if (pauseEvery > 0 && next % pauseEvery == 0)
            {
                LockSupport.parkNanos(pauseNanos);
            }
        }
    }
}
