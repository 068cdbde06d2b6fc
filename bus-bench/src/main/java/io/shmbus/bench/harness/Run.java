package io.shmbus.bench.harness;

import io.shmbus.bench.Variant;

/**
 * One planned measurement: a scenario, a transport variant, a message size.
 *
 * @param scenario  round-trip, one-way, fan-out, fan-in, idle-cpu, allocation (and variants of them), journal,
 *                  trading.
 * @param variant   the transport.
 * @param size      message length in bytes.
 * @param pinCpu    the CPU both sides are pinned to, {@link #SPLIT} for one CPU each, or -1 for the
 *                  scheduler's choice.
 */
public record Run(String scenario, Variant variant, int size, int pinCpu)
{
    /** {@link #pinCpu()} for: the creating side on CPU 0, the other on CPU 1. */
    public static final int SPLIT = -2;

    /** Round trip between two JVMs. */
    public static final String RTT = "round-trip";
    /** Round trip with both JVMs pinned to one CPU (blocking transports only). */
    public static final String RTT_ONE_CPU = "round-trip-one-cpu";
    /** One-way throughput 1 to 1. */
    public static final String THROUGHPUT = "throughput-1to1";
    /** One-way throughput 1 to 3. */
    public static final String FAN_OUT = "fan-out-1to3";
    /** One-way throughput 3 to 1. */
    public static final String FAN_IN = "fan-in-3to1";
    /** CPU of a subscriber blocked waiting for a message. */
    public static final String IDLE = "idle-cpu";
    /** Bytes allocated per message in steady state. */
    public static final String ALLOCATION = "allocation";
    /** Appending to and replaying a journal on disk: bus-journal beside Chronicle Queue. */
    public static final String JOURNAL = "journal";
    /** Round trip across two network namespaces over Aeron UDP ({@link NetworkPlan}). */
    public static final String UDP_RTT = "udp-round-trip";
    /** One-way throughput 1 to 1 across two network namespaces over Aeron UDP ({@link NetworkPlan}). */
    public static final String UDP_THROUGHPUT = "udp-throughput-1to1";
    /** A feed, strategies and a gateway, one JVM each: tick-to-order and order-to-report latency. */
    public static final String TRADING = "trading";
    /** Shared publishers, one stopped inside a cleaning round: the others' rate, and joins ({@link StallRunner}). */
    public static final String STALL = "stall";

    /**
     * @return a file-name-safe name for this run.
     */
    public String key()
    {
        return scenario + "-" + variant.id() + "-" + size + "B";
    }
}
