package io.shmbus.bench.harness;

/**
 * How long each measurement runs. Round trips and one-way runs are bounded by time (and a count cap), the
 * allocation runs by message count.
 *
 * @param name              the mode's name.
 * @param warmupMs          warm-up time of a round-trip or one-way run.
 * @param measureMs         measured time.
 * @param warmupCount       the most warm-up messages (round trips, or one-way messages).
 * @param measureCount      the most measured messages.
 * @param allocWarmupCount  warm-up messages of an allocation run.
 * @param allocMeasureCount measured messages of an allocation run.
 * @param idleWindowMs      how long the idle subscriber is watched.
 * @param smoke             only shmbus and one peer per kind of scenario.
 * @param rounds            how many rounds a run makes by default: each round runs every transport of a
 *                          scenario once, so that ratios compare transports measured in the same minutes.
 */
public record Mode(
    String name,
    long warmupMs,
    long measureMs,
    long warmupCount,
    long measureCount,
    long allocWarmupCount,
    long allocMeasureCount,
    long idleWindowMs,
    boolean smoke,
    int rounds)
{
    /** A few thousand messages per scenario: proves every path works, measures nothing worth reading. */
    public static final Mode SMOKE = new Mode("smoke", 5_000, 5_000, 2_000, 3_000, 2_000, 5_000, 500, true, 1);
    /** Every scenario, short: for development and CI-like checks. */
    public static final Mode QUICK = new Mode("quick", 200, 500, Long.MAX_VALUE, Long.MAX_VALUE,
        500_000, 2_000_000, 1_500, false, 3);
    /** The published numbers. */
    public static final Mode FULL = new Mode("full", 1_500, 4_000, Long.MAX_VALUE, 5_000_000,
        2_000_000, 10_000_000, 5_000, false, 5);
}
