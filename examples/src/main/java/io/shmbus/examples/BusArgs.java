package io.shmbus.examples;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The command-line options every demo shares: which bus directory to use.
 */
final class BusArgs
{
    @Option(names = "--dir", paramLabel = "DIR",
        description = "Bus directory (default: /dev/shm/shmbus-<user>, or the system property shmbus.dir).")
    Path directory;

    Bus open()
    {
        return null == directory ? Bus.open() : Bus.open(BusOptions.builder().directory(directory).build());
    }
}
