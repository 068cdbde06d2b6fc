package io.shmbus.impl.ring;

/**
 * A cheap epoch-nanosecond clock for record timestamps: the wall clock read once at start, advanced by
 * {@link System#nanoTime()}. It allocates nothing and never goes backwards; it drifts from the wall clock as
 * slowly as the two clocks do from each other (NTP slews are not followed).
 */
final class EpochNanos
{
    private final long offset;

    EpochNanos()
    {
        final java.time.Instant now = java.time.Instant.now();
        final long nanoTime = System.nanoTime();
        offset = now.getEpochSecond() * 1_000_000_000L + now.getNano() - nanoTime;
    }

    long nanos()
    {
        return offset + System.nanoTime();
    }
}
