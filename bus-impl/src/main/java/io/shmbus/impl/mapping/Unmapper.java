package io.shmbus.impl.mapping;

import io.shmbus.impl.platform.Linux;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Unmaps closed topics after a linger delay, on one daemon thread, so that no thread still finishing a call
 * on a just-closed participant touches unmapped memory.
 */
final class Unmapper
{
    private static final long LINGER_MS = Long.getLong("shmbus.lingerMs", MappedTopic.LINGER_MS_DEFAULT);
    private static final ScheduledThreadPoolExecutor EXECUTOR = newExecutor();

    private Unmapper()
    {
    }

    private static ScheduledThreadPoolExecutor newExecutor()
    {
        final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(
            1, runnable -> Thread.ofPlatform().daemon().name("shmbus-unmapper").unstarted(runnable));
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return executor;
    }

    static void unmapLater(final long address, final long length, final long readOnlyAddress, final long readOnlyLength)
    {
        final Runnable unmap = () ->
        {
            Linux.munmap(address, length);
            Linux.munmap(readOnlyAddress, readOnlyLength);
        };
        if (LINGER_MS <= 0)
        {
            unmap.run();
        }
        else
        {
            EXECUTOR.schedule(unmap, LINGER_MS, TimeUnit.MILLISECONDS);
        }
    }
}
