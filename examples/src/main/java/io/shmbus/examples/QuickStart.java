package io.shmbus.examples;

import io.shmbus.Bus;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/**
 * The README's first example: one topic, one publisher, one subscriber, one message. Here both ends live in
 * one JVM to keep it short; the other demos put them in separate JVMs. The lines between the markers are
 * copied into the README verbatim, and a test checks that they still match.
 */
@Command(name = "quickstart", usageHelpAutoWidth = true,
    description = "Publish one message on the default bus and read it back (the README's example).")
public final class QuickStart implements Callable<Integer>
{
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    /**
     * @param args only {@code --help}.
     */
    public static void main(final String[] args)
    {
        Cli.run(new QuickStart(), args);
    }

    @Override
    public Integer call()
    {
        // example:begin
        try (Bus bus = Bus.open())                                      // directory /dev/shm/shmbus-<user>
        {
            Topic topic = bus.topic("greetings", TopicOptions.builder().capacityBytes(1 << 20).build());
            Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());
            Publisher publisher = topic.publisher(PublisherOptions.exclusive());

            UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
            int length = message.putStringWithoutLengthAscii(0, "hello, shmbus");
            while (publisher.offer(message, 0, length) < 0) { Thread.onSpinWait(); }  // e.g. BACK_PRESSURED: retry

            subscriber.poll((buffer, offset, len, header) ->                 // sleeps on a futex until data
                System.out.println(buffer.getStringWithoutLengthAscii(offset, len)), 10, 1_000_000_000L);
        }
        // example:end
        return 0;
    }
}
