package io.shmbus.impl.signal;

import io.shmbus.impl.platform.Linux;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heavy half of the asymmetric handshake between a participant about to sleep and the participants that
 * would wake it: a barrier that the sleeper forces across every shmbus process, so that the other side (a
 * publisher after each commit, a subscriber after each poll) needs no fence at all.
 *
 * <p>Every process that uses shmbus registers once, when this class is initialised, for
 * {@code MEMBARRIER_CMD_GLOBAL_EXPEDITED} ({@link Linux#membarrierRegisterGlobalExpedited()}); a sleeper then
 * calls {@link #issue()} between counting itself as a waiter and its last look at the condition. The
 * argument that this loses no wake-up is in {@link DataSignal}.
 *
 * <p>Where the kernel lacks the command (before Linux 4.16, or a seccomp filter that refuses it),
 * {@link #AVAILABLE} is false and the protocol falls back to what it was before: such a process fences every
 * commit itself (see {@link DataSignal#afterCommit()}), and a sleeper in such a process counts itself in the
 * topic's fenced-waiters word so that the others fence too ({@link Sleeper#prepare()}). A log line says so once.
 */
public final class ProcessBarrier
{
    private static final Logger LOG = LoggerFactory.getLogger(ProcessBarrier.class);

    /**
     * True when this process is registered for, and may issue, expedited global barriers. A constant, so that
     * the JIT folds the fallback branches away.
     */
    public static final boolean AVAILABLE = register();

    private ProcessBarrier()
    {
    }

    private static boolean register()
    {
        if (Boolean.getBoolean("shmbus.signal.noExpeditedBarrier"))
        {
            LOG.info("expedited membarrier disabled by shmbus.signal.noExpeditedBarrier: commits and polls fence");
            return false;
        }
        try
        {
            if (Linux.membarrierRegisterGlobalExpedited())
            {
                return true;
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("membarrier registration failed: {}", ex.toString());
        }
        LOG.warn("membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED) is not available: every commit and every poll in this " +
            "process pays a full fence instead of the sleepers paying a cross-process barrier");
        return false;
    }

    /**
     * Force every running thread of every registered process through a full memory barrier. Called by a sleeper
     * after it counted itself as a waiter and before it looks at its condition for the last time.
     *
     * @return true when the barrier was issued; false when this process cannot (see {@link #AVAILABLE}).
     */
    public static boolean issue()
    {
        return AVAILABLE && Linux.membarrierGlobalExpedited();
    }
}
