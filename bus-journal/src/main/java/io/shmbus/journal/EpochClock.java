package io.shmbus.journal;

import java.time.Instant;

/**
 * Wall-clock time in nanoseconds since the epoch.
 */
final class EpochClock
{
    private EpochClock()
    {
    }

    static long nowNs()
    {
        final Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
