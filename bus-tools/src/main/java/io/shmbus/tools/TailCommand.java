package io.shmbus.tools;

import io.shmbus.Bus;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import org.agrona.DirectBuffer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code shmbus tail}: print a topic's messages as they are published, with an untethered subscriber.
 */
@Command(name = "tail", description = "Print messages as they are published (untethered: never slows anyone).")
final class TailCommand implements Callable<Integer>
{
    @CommandLine.ParentCommand
    ShmbusTool parent;

    @Parameters(index = "0", description = "topic name")
    String name;

    @Option(names = { "-n", "--count" }, description = "stop after this many messages", defaultValue = "10")
    long count;

    @Option(names = "--timeout-ms", description = "stop after this long without a message", defaultValue = "10000")
    long timeoutMs;

    @Override
    public Integer call()
    {
        try (Bus bus = parent.openBus(); Topic topic = bus.openTopic(name);
            Subscriber subscriber = topic.subscriber(SubscriberOptions.untethered().lossHandler(
                (messages, bytes, from, to) -> System.out.printf(
                    "-- lost %d messages (%d bytes)%n", messages, bytes))))
        {
            final long[] seen = { 0 };
            while (seen[0] < count)
            {
                final int n = subscriber.poll((buffer, offset, length, header) ->
                {
                    seen[0]++;
                    System.out.printf("%d position %d type %d publisher %d length %d  %s%n", seen[0],
                        header.position(), header.type(), header.publisherId(), length,
                        preview(buffer, offset, length));
                }, (int)Math.min(64, count - seen[0]), TimeUnit.MILLISECONDS.toNanos(timeoutMs));
                if (n == 0)
                {
                    System.out.println("-- no message for " + timeoutMs + " ms");
                    break;
                }
            }
        }
        return 0;
    }

    private static String preview(final DirectBuffer buffer, final int offset, final int length)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(length, 32); i++)
        {
            sb.append(String.format("%02x", buffer.getByte(offset + i)));
        }
        return length > 32 ? sb + "..." : sb.toString();
    }
}
