package io.shmbus.impl.process;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.MessageHandler;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.TopicOptions;
import io.shmbus.WaitSet;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * A child that waits on several topics at once with a {@link WaitSet} and reports which ones woke it.
 *
 * <p>Arguments ({@code key=value}): {@code dir}, {@code topics} (names separated by commas), {@code spec} (the same
 * settings for all), {@code rounds}, optionally {@code noFutexWaitv} (true: set the system property
 * {@code shmbus.waitset.noFutexWaitv} before making the set, so that it polls), {@code timeoutMs} (of each wait,
 * default 10000), {@code deadline} (seconds).
 *
 * <p>Prints {@code READY <tid> <waitv|poll>} ({@code tid}: the waiting thread; how the set waits), then for each
 * round {@code WAITING <round>} just before it waits and {@code WOKE <round> <count> <ready indices, by commas, or
 * -> <ns waited>} after; then it takes every message of the ready subscribers (each must have exactly one). After
 * the rounds, {@code DONE}, and it stays attached until {@code EXIT}.
 */
public final class WaitSetMain
{
    private static final MessageHandler IGNORE = (buffer, offset, length, header) -> { };

    private WaitSetMain()
    {
    }

    public static void main(final String[] args)
    {
        ChildSupport.main(args, 300, WaitSetMain::run);
    }

    private static void run(final ChildArgs a) throws ReflectiveOperationException
    {
        if (Boolean.parseBoolean(a.get("noFutexWaitv", "false")))
        {
            System.setProperty("shmbus.waitset.noFutexWaitv", "true");
        }
        final TopicOptions options = ChildSupport.options(a.get("spec"));
        final String[] names = a.get("topics").split(",");
        final long rounds = a.getLong("rounds", 0);
        final long timeoutNs = TimeUnit.MILLISECONDS.toNanos(a.getLong("timeoutMs", 10_000));
        try (Bus bus = Bus.open(BusOptions.builder().directory(Path.of(a.get("dir"))).build()))
        {
            final Subscriber[] subscribers = new Subscriber[names.length];
            for (int i = 0; i < names.length; i++)
            {
                subscribers[i] = bus.topic(names[i], options).subscriber(SubscriberOptions.tethered());
            }
            try (WaitSet waitSet = bus.waitSet(subscribers))
            {
                final Field waitv = waitSet.getClass().getDeclaredField("waitv");
                waitv.setAccessible(true);
                ChildSupport.out("READY " + WaitChildSupport.currentTid() + " " +
                    (null != waitv.get(waitSet) ? "waitv" : "poll"));
                for (long round = 0; round < rounds; round++)
                {
                    ChildSupport.out("WAITING " + round);
                    final long start = System.nanoTime();
                    final int count = waitSet.await(timeoutNs);
                    final long waited = System.nanoTime() - start;
                    final StringJoiner ready = new StringJoiner(",");
                    for (int i = 0; i < waitSet.size(); i++)
                    {
                        if (waitSet.isReady(i))
                        {
                            ready.add(Integer.toString(i));
                        }
                    }
                    ChildSupport.out("WOKE " + round + " " + count + " " + (count == 0 ? "-" : ready.toString()) +
                        " " + waited);
                    for (int i = 0; i < waitSet.size(); i++)
                    {
                        if (waitSet.isReady(i))
                        {
                            final int taken = waitSet.subscriber(i).poll(IGNORE, 100);
                            if (taken != 1)
                            {
                                ChildSupport.fail("subscriber " + i + " had " + taken + " messages, not 1");
                            }
                        }
                    }
                }
                ChildSupport.out("DONE");
                ChildSupport.awaitCommand("EXIT");
            }
        }
    }
}
