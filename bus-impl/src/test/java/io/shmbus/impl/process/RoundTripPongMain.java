package io.shmbus.impl.process;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.MessageHandler;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.TopicOptions;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The far end of a round-trip measurement: takes each message from topic {@code ping} and publishes it back on
 * topic {@code pong}, waiting for messages with the given {@link io.shmbus.WaitStrategy}.
 *
 * <p>Arguments ({@code key=value}): {@code dir}, {@code spec}, {@code strategy} (see
 * {@link WaitChildSupport#strategy(String)}), optionally {@code deadline} (seconds). Prints {@code READY}; runs until
 * its stdin closes.
 */
public final class RoundTripPongMain
{
    private RoundTripPongMain()
    {
    }

    public static void main(final String[] args)
    {
        ChildSupport.main(args, 600, RoundTripPongMain::run);
    }

    private static void run(final ChildArgs a)
    {
        final TopicOptions options = ChildSupport.options(a.get("spec"));
        try (Bus bus = Bus.open(BusOptions.builder().directory(Path.of(a.get("dir"))).build()))
        {
            final Subscriber ping = bus.topic("ping", options).subscriber(SubscriberOptions.tethered()
                .waitStrategy(WaitChildSupport.strategy(a.get("strategy"))));
            final Publisher pong = bus.topic("pong", options).publisher(PublisherOptions.exclusive());
            final MessageHandler echo = (buffer, offset, length, header) ->
            {
                long result;
                while ((result = pong.offer(buffer, offset, length)) < 0)
                {
                    if (result == Publisher.CLOSED)
                    {
                        ChildSupport.fail("pong publisher closed");
                    }
                    Thread.onSpinWait();
                }
            };
            ChildSupport.out("READY");
            final long timeoutNs = TimeUnit.SECONDS.toNanos(1);
            while (true)
            {
                ping.poll(echo, 16, timeoutNs);
            }
        }
    }
}
