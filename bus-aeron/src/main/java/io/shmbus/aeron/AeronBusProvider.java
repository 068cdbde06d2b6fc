package io.shmbus.aeron;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.spi.BusProvider;

/**
 * The {@link java.util.ServiceLoader} entry through which {@link Bus#open(BusOptions)} finds the Aeron transport:
 * selected by {@code BusOptions.builder().transport("aeron")} or the system property
 * {@code shmbus.transport=aeron}.
 */
public final class AeronBusProvider implements BusProvider
{
    /**
     * The transport name of Aeron.
     */
    public static final String NAME = "aeron";

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public Bus open(final BusOptions options)
    {
        return new AeronBus(options);
    }
}
