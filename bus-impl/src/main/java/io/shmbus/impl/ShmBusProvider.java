package io.shmbus.impl;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.spi.BusProvider;

/**
 * The {@link java.util.ServiceLoader} entry through which {@link Bus#open(BusOptions)} finds shmbus.
 */
public final class ShmBusProvider implements BusProvider
{
    /**
     * The transport name of shared memory.
     */
    public static final String NAME = "shm";

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public Bus open(final BusOptions options)
    {
        return new ShmBus(options);
    }
}
