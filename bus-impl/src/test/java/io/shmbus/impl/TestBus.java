package io.shmbus.impl;

import io.shmbus.Bus;
import io.shmbus.BusOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A bus in a fresh directory under /dev/shm, removed with everything in it on close.
 */
public final class TestBus implements AutoCloseable
{
    private final Path directory;
    private final Bus bus;

    private TestBus(final Path directory)
    {
        this.directory = directory;
        this.bus = Bus.open(BusOptions.builder().directory(directory).build());
    }

    /**
     * @param label part of the directory name, for finding leftovers.
     * @return a bus in a new directory.
     */
    public static TestBus create(final String label)
    {
        return new TestBus(newDirectory(label));
    }

    /**
     * @param label part of the directory name.
     * @return a fresh, not yet existing directory path under /dev/shm.
     */
    public static Path newDirectory(final String label)
    {
        return Path.of("/dev/shm", "shmbus-test-" + label + "-" + ProcessHandle.current().pid() + "-" +
            Long.toHexString(System.nanoTime()));
    }

    public Bus bus()
    {
        return bus;
    }

    public Path directory()
    {
        return directory;
    }

    /**
     * Remove a directory tree, ignoring what is already gone.
     *
     * @param directory the tree.
     */
    public static void delete(final Path directory)
    {
        if (!Files.exists(directory))
        {
            return;
        }
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

    @Override
    public void close()
    {
        try
        {
            bus.close();
        }
        finally
        {
            delete(directory);
        }
    }
}
