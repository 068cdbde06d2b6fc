package io.shmbus.interop;

import io.shmbus.Bus;
import io.shmbus.BusOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A bus in a fresh directory under /dev/shm, named after the test, removed with everything in it on close.
 */
final class InteropBus implements AutoCloseable
{
    private final Path directory;
    private final Bus bus;

    InteropBus(final String label)
    {
        this.directory = Path.of("/dev/shm", "shmbus-interop-" + label + "-" + ProcessHandle.current().pid() + "-" +
            Long.toHexString(System.nanoTime()));
        this.bus = Bus.open(BusOptions.builder().directory(directory).build());
    }

    Bus bus()
    {
        return bus;
    }

    Path directory()
    {
        return directory;
    }

    /**
     * @return the path of a topic's file, as the C programs take it.
     */
    String path(final String topic)
    {
        return directory.resolve(topic).toString();
    }

    @Override
    public void close()
    {
        try
        {
            bus.close();
        }
        finally
        {
            if (Files.exists(directory))
            {
                try (Stream<Path> paths = Files.walk(directory))
                {
                    paths.sorted(Comparator.reverseOrder()).forEach(p ->
                    {
                        try
                        {
                            Files.deleteIfExists(p);
                        }
                        catch (final IOException ex)
                        {
                            throw new UncheckedIOException(ex);
                        }
                    });
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            }
        }
    }
}
