package io.shmbus.tools;

import io.shmbus.Bus;
import io.shmbus.Topic;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/**
 * {@code shmbus drop-durable}: remove a durable subscription that is away.
 */
@Command(name = "drop-durable", description = "Remove a durable subscription that is away (its slot and position).")
final class DropDurableCommand implements Callable<Integer>
{
    @CommandLine.ParentCommand
    ShmbusTool parent;

    @Parameters(index = "0", description = "topic name")
    String topicName;

    @Parameters(index = "1", description = "durable subscriber name")
    String durableName;

    @Override
    public Integer call()
    {
        try (Bus bus = parent.openBus(); Topic topic = bus.openTopic(topicName))
        {
            if (topic.dropDurable(durableName))
            {
                System.out.printf("dropped durable subscription '%s' of %s%n", durableName, topicName);
                return 0;
            }
            System.out.printf("topic %s has no durable subscription '%s'%n", topicName, durableName);
            return 1;
        }
    }
}
