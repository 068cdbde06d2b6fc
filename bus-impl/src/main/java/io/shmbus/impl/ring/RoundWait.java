package io.shmbus.impl.ring;

import io.shmbus.BusException;
import io.shmbus.impl.liveness.Liveness;
import io.shmbus.impl.signal.BackOff;

/**
 * A joiner's wait for the cleaning round in progress to finish, so that it can read a consistent start position.
 * It backs off (spin, yield, then parks of up to a millisecond) instead of spinning, takes the round over when its
 * owner died or shows no progress for a millisecond, and gives up with a {@link BusException} only when the round
 * has made no progress (neither cleanIntent nor cleanLimit moved) for the whole timeout, takeovers included.
 */
public final class RoundWait
{
    private static final long MAX_PARK_NS = 1_000_000;
    /** How long cleanIntent may differ from cleanLimit, unchanged, with cleanLock free, before that is corruption. */
    private static final long UNLOCKED_LIMIT_NS = 200_000_000;
    /** How long a round's owner may show no progress before a joiner takes the round over. */
    static final long TAKE_OVER_PATIENCE_NS = 1_000_000;

    private final Ring ring;
    private final Liveness liveness;
    private final long timeoutNs;
    private final BackOff backOff = new BackOff(MAX_PARK_NS);
    private long deadline;
    private long seenIntent = Long.MIN_VALUE;
    private long seenLimit = Long.MIN_VALUE;
    private long unlockedSinceNs;
    private final int code;
    private long watchedWord;
    private long watchedProgress;
    private long watchedSinceNs;

    /**
     * @param ring      the ring.
     * @param liveness  finds and finishes a dead owner's round.
     * @param timeoutNs how long a round may make no progress before the wait gives up.
     * @param code      the waiting subscriber's code (minus its slot index plus one), to take a stalled round over.
     */
    public RoundWait(final Ring ring, final Liveness liveness, final long timeoutNs, final int code)
    {
        this.code = code;
        this.ring = ring;
        this.liveness = liveness;
        this.timeoutNs = timeoutNs;
        this.deadline = System.nanoTime() + timeoutNs;
    }

    /**
     * Wait one step.
     *
     * @throws BusException when the round made no progress for the timeout.
     */
    public void await()
    {
        if (liveness.due())
        {
            liveness.finishDeadRound();
        }
        final long intent = ring.cleanIntent();
        final long limit = ring.cleanLimit();
        final long now = System.nanoTime();
        if (intent != seenIntent || limit != seenLimit)
        {
            seenIntent = intent;
            seenLimit = limit;
            deadline = now + timeoutNs;
            unlockedSinceNs = now;
            backOff.reset();
        }
        else if (intent < limit || intent - limit > ring.capacity)
        {
            // Read twice, unchanged: not two words read across rounds, but a pair no round ever leaves.
            throw ring.corrupt("cleanIntent " + intent + " is not within one ring above cleanLimit " + limit);
        }
        else if (intent != limit && ring.cleanLockValue() == 0 && now - unlockedSinceNs > UNLOCKED_LIMIT_NS)
        {
            // A round holds cleanLock from before it stores cleanIntent until after it stores cleanLimit.
            throw ring.corrupt("cleanIntent " + intent + " differs from cleanLimit " + limit +
                " while no cleaning round holds cleanLock");
        }
        else if (now - deadline > 0)
        {
            throw new BusException(ring.source + ": a cleaning round made no progress for " + timeoutNs / 1_000_000 +
                " ms (cleanLock " + ring.cleanLockValue() + ": its publisher is stopped, or the topic is corrupt)");
        }
        takeOverIfStalled(now);
        backOff.idle();
    }

    /**
     * A round whose owner shows no progress for {@link #TAKE_OVER_PATIENCE_NS} is taken over (finished, or dropped if
     * it had announced nothing), so that a join never waits on a stopped publisher, even with no other publisher to
     * take the round.
     */
    private void takeOverIfStalled(final long now)
    {
        final CleaningRound round = ring.round;
        final long word = round.lockWord();
        if (word == 0)
        {
            watchedWord = 0;
            return;
        }
        final long progress = round.progress(word);
        if (word != watchedWord || progress != watchedProgress)
        {
            watchedWord = word;
            watchedProgress = progress;
            watchedSinceNs = now;
        }
        else if (now - watchedSinceNs >= TAKE_OVER_PATIENCE_NS)
        {
            watchedWord = 0;
            round.takeOver(word, code);
        }
    }
}
