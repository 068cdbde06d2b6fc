package io.shmbus.impl.process;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A child with three participants of one topic in one JVM: a shared publisher and two tethered subscribers that
 * poll only when told. For tests of liveness between participants of one process, and of what other code in the
 * process may do to the topic file without dropping their kernel locks.
 *
 * <p>Arguments ({@code key=value}): {@code dir}, {@code topic}, {@code spec}, {@code deadline}. Prints
 * {@code READY <publisher> <subscriberA> <subscriberB>} (slots), then obeys commands, one line each:
 * <ul>
 *     <li>{@code TOUCH}: open and close the topic file in every way a library might: read it whole, a
 *     {@link RandomAccessFile}, a {@link FileChannel}, and the same topic opened and closed again through a
 *     second bus; prints {@code TOUCHED}.</li>
 *     <li>{@code FILL}: publish 8-byte messages until back-pressured 100 times, a millisecond apart (the
 *     publisher looks for dead subscribers in its way meanwhile: it must find its siblings alive); prints
 *     {@code FILLED <published> <backPressured>}.</li>
 *     <li>{@code CLOSEA}: close subscriber A; prints {@code CLOSEDA}.</li>
 *     <li>{@code DRAIN}: subscriber B reads until the ring stays empty; prints {@code DRAINED <messages>}.</li>
 *     <li>{@code EXIT}: close everything and exit.</li>
 * </ul>
 */
public final class SiblingParticipantsMain
{
    private SiblingParticipantsMain()
    {
    }

    public static void main(final String[] args)
    {
        ChildSupport.main(args, 120, SiblingParticipantsMain::run);
    }

    private static void run(final ChildArgs a) throws Exception
    {
        final TopicOptions options = ChildSupport.options(a.get("spec"));
        final Path directory = Path.of(a.get("dir"));
        final String name = a.get("topic");
        final Path file = directory.resolve(name);
        try (Bus bus = Bus.open(BusOptions.builder().directory(directory).build()))
        {
            final Topic topic = bus.topic(name, options);
            final Publisher publisher = topic.publisher(PublisherOptions.shared());
            final Subscriber subscriberA = topic.subscriber(SubscriberOptions.tethered());
            final Subscriber subscriberB = topic.subscriber(SubscriberOptions.tethered());
            ChildSupport.out("READY " + publisher.id() + " " + subscriberA.id() + " " + subscriberB.id());
            while (true)
            {
                final String command = ChildSupport.nextCommand();
                switch (command)
                {
                    case "TOUCH" ->
                    {
                        Files.readAllBytes(file);
                        new RandomAccessFile(file.toFile(), "rw").close();
                        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE).close();
                        try (Bus other = Bus.open(BusOptions.builder().directory(directory).build()))
                        {
                            other.openTopic(name).close();
                        }
                        ChildSupport.out("TOUCHED");
                    }
                    case "FILL" ->
                    {
                        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
                        long published = 0;
                        long backPressured = 0;
                        while (backPressured < 100)
                        {
                            message.putLong(0, published);
                            final long result = publisher.offer(message, 0, 8, 0);
                            if (result > 0)
                            {
                                published++;
                            }
                            else if (result == Publisher.BACK_PRESSURED)
                            {
                                backPressured++;
                                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                            }
                            else if (result != Publisher.ADMIN_ACTION)
                            {
                                ChildSupport.fail("offer returned " + result);
                            }
                        }
                        ChildSupport.out("FILLED " + published + " " + backPressured);
                    }
                    case "CLOSEA" ->
                    {
                        subscriberA.close();
                        ChildSupport.out("CLOSEDA");
                    }
                    case "DRAIN" ->
                    {
                        long messages = 0;
                        int empty = 0;
                        while (empty < 100)
                        {
                            final int polled = subscriberB.poll((buffer, offset, length, header) -> { }, 64);
                            messages += polled;
                            empty = polled > 0 ? 0 : empty + 1;
                            if (polled == 0)
                            {
                                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                            }
                        }
                        ChildSupport.out("DRAINED " + messages);
                    }
                    case "EXIT" ->
                    {
                        return;
                    }
                    default -> ChildSupport.fail("unknown command " + command);
                }
            }
        }
    }
}
