package io.shmbus.tools;

import io.shmbus.Bus;
import io.shmbus.Topic;
import io.shmbus.TopicStatus;
import io.shmbus.impl.layout.TopicHeaderDescriptor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/**
 * {@code shmbus inspect}: a topic file's header.
 */
@Command(name = "inspect", description = "Print a topic file's header.")
final class InspectCommand implements Callable<Integer>
{
    @CommandLine.ParentCommand
    ShmbusTool parent;

    @Parameters(index = "0", description = "topic name")
    String name;

    @Override
    public Integer call()
    {
        try (Bus bus = parent.openBus(); Topic topic = bus.openTopic(name))
        {
            System.out.printf("topic %s%n  layout version %d%n  settings %s%n  anonymous %b%n", name,
                TopicHeaderDescriptor.LAYOUT_VERSION, topic.options(), topic.isAnonymous());
            final TopicStatus status = topic.status();
            System.out.printf("  tail %d, oldest retained %d%n", status.tail(), status.oldest());
        }
        return 0;
    }
}
