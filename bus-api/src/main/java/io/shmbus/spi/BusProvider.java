package io.shmbus.spi;

import io.shmbus.Bus;
import io.shmbus.BusOptions;

/**
 * Implemented by a shmbus implementation and registered for {@link java.util.ServiceLoader}; not for
 * applications, which call {@link Bus#open(BusOptions)}.
 */
public interface BusProvider
{
    /**
     * The name {@link BusOptions#transport()} selects this implementation by: {@code shm} for shared memory.
     *
     * @return the transport name.
     */
    String name();

    /**
     * @param options the bus options.
     * @return an open bus.
     */
    Bus open(BusOptions options);
}
