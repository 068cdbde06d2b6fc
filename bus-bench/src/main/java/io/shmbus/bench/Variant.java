package io.shmbus.bench;

/**
 * Every transport configuration the harness can measure. The id names it on the command line and in the
 * results; the label is what tables and charts show.
 */
public enum Variant
{
    FLOOR("floor", "floor: cache-line ping-pong", Family.FLOOR),
    SHMBUS_SPIN("shmbus-spin", "shmbus busy-spin", Family.SHMBUS),
    SHMBUS_SPIN_WAIT("shmbus-spin-wait", "shmbus busy-spin via poll(timeout)", Family.SHMBUS),
    SHMBUS_SPIN_FUTEX("shmbus-spin-futex", "shmbus spin-then-futex", Family.SHMBUS),
    SHMBUS_FUTEX("shmbus-futex", "shmbus futex", Family.SHMBUS),
    SHMBUS_EXCLUSIVE("shmbus-exclusive", "shmbus exclusive", Family.SHMBUS),
    SHMBUS_SHARED("shmbus-shared", "shmbus shared", Family.SHMBUS),
    AERON("aeron", "Aeron IPC", Family.AERON),
    AERON_EXCLUSIVE("aeron-exclusive", "Aeron IPC exclusive", Family.AERON),
    AERON_CONCURRENT("aeron-concurrent", "Aeron IPC concurrent", Family.AERON),
    AERON_BACKOFF("aeron-backoff", "Aeron IPC, backoff idle", Family.AERON),
    AGRONA_RING("agrona-ring", "Agrona one-to-one ring", Family.AGRONA),
    AGRONA_RING_BACKOFF("agrona-ring-backoff", "Agrona one-to-one ring, backoff idle", Family.AGRONA),
    AGRONA_MANY_TO_ONE("agrona-m2o", "Agrona many-to-one ring", Family.AGRONA),
    UDS("uds", "Unix-domain socket", Family.SOCKET),
    TCP("tcp", "TCP loopback", Family.SOCKET),
    JOURNAL("journal", "bus-journal writer and reader", Family.JOURNAL),
    CHRONICLE("chronicle-queue", "Chronicle Queue appender and tailer", Family.JOURNAL),
    JOURNAL_RECORDER("journal-recorder", "bus-journal Recorder of a shmbus topic", Family.JOURNAL),
    JOURNAL_REPLAY_RSS("journal-replay-rss", "bus-journal reader, resident memory of a replay", Family.JOURNAL),
    /** Plain Aeron publications and subscriptions over UDP between two network namespaces. */
    AERON_UDP("aeron-udp", "Aeron UDP (raw), across namespaces", Family.AERON),
    /** The bus-api code of shmbus-spin with the Aeron transport chosen by configuration, over UDP. */
    SHMBUS_AERON_UDP("shmbus-aeron-udp", "shmbus over Aeron UDP", Family.SHMBUS),
    /** Shared-memory topics on both sides, carried by the bridge's out and in sides over UDP. */
    SHMBUS_BRIDGE_UDP("shmbus-bridge-udp", "shm -> bridge out -> UDP -> bridge in -> shm", Family.SHMBUS),
    TRADING_SHMBUS("trading-shmbus", "shmbus, SBE tick-to-order pipeline", Family.SHMBUS),
    TRADING_AERON("trading-aeron", "Aeron IPC, SBE tick-to-order pipeline", Family.AERON),
    /** Four shared publishers, none stopped: the reference of the stall scenario. */
    STALL_NONE("stall-none", "shmbus shared, 4 publishers, none stopped", Family.SHMBUS),
    /** The same with the fourth publisher stopped (SIGSTOP) inside a cleaning round. */
    STALL_STOPPED("stall-stopped", "shmbus shared, 4 publishers, one stopped mid-round", Family.SHMBUS);

    /**
     * What a variant is built on.
     */
    public enum Family
    {
        FLOOR, SHMBUS, AERON, AGRONA, SOCKET,
        /** Recording to disk and reading back: not a link between two JVMs. */
        JOURNAL
    }

    private final String id;
    private final String label;
    private final Family family;

    Variant(final String id, final String label, final Family family)
    {
        this.id = id;
        this.label = label;
        this.family = family;
    }

    /**
     * @return the id used on command lines and in result files.
     */
    public String id()
    {
        return id;
    }

    /**
     * @return the human label.
     */
    public String label()
    {
        return label;
    }

    /**
     * @return the family.
     */
    public Family family()
    {
        return family;
    }

    /**
     * @param id an id.
     * @return the variant.
     */
    public static Variant of(final String id)
    {
        for (final Variant v : values())
        {
            if (v.id.equals(id))
            {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown transport variant: " + id);
    }
}
