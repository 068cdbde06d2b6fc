package io.shmbus.tools;

import io.shmbus.Bus;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code shmbus clean}: remove the topics no process has open and the files of dead creators.
 */
@Command(name = "clean", description = "Remove topics no process has open, and files of dead creators.")
final class CleanCommand implements Callable<Integer>
{
    @CommandLine.ParentCommand
    ShmbusTool parent;

    @Override
    public Integer call()
    {
        try (Bus bus = parent.openBus())
        {
            final List<String> removed = bus.clean();
            removed.forEach(name -> System.out.println("removed " + name));
            System.out.println(removed.size() + " file(s) removed from " + bus.directory());
        }
        return 0;
    }
}
