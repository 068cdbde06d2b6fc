package io.shmbus.impl.liveness;

import io.shmbus.BusException;
import io.shmbus.impl.layout.LockDescriptor;
import io.shmbus.impl.platform.ErrnoException;
import io.shmbus.impl.platform.Linux;

import java.util.concurrent.TimeUnit;

/**
 * One open file description of a topic file, owned by one participant, through which it holds its kernel
 * locks and probes everyone else's.
 *
 * <p>Why a description of its own: an OFD lock belongs to the open file description, so a participant that
 * shared one with its siblings in the same JVM could not tell their locks from its own (F_OFD_GETLK never
 * reports a conflict with the asking description). Reopening {@code /proc/self/fd/N} gives a new description
 * of the same file, named or memfd alike. Closing it, or the death of the process, drops its locks at once.
 */
public final class LockHandle implements AutoCloseable
{
    private static final long ALLOCATION_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final int fd;
    private final String source;
    private boolean closed;

    private LockHandle(final int fd, final String source)
    {
        this.fd = fd;
        this.source = source;
    }

    /**
     * @param mappingFd a descriptor of the topic file.
     * @param source    the topic, for messages.
     * @return a new open file description of the same file.
     */
    public static LockHandle open(final int mappingFd, final String source)
    {
        try
        {
            return new LockHandle(Linux.open("/proc/self/fd/" + mappingFd, Linux.O_RDWR | Linux.O_CLOEXEC, 0), source);
        }
        catch (final ErrnoException ex)
        {
            throw new BusException(source + ": cannot open a lock description: " + ex.getMessage(), ex);
        }
    }

    /**
     * @return the descriptor.
     */
    public int fd()
    {
        return fd;
    }

    /**
     * @param offset a lock byte.
     * @return true when this description now holds the exclusive lock on it.
     */
    public boolean tryLock(final long offset)
    {
        try
        {
            return Linux.tryLock(fd, offset, 1, true);
        }
        catch (final ErrnoException ex)
        {
            throw new BusException(source + ": lock on byte " + offset + " failed: " + ex.getMessage(), ex);
        }
    }

    /**
     * @param offset a lock byte this description holds.
     */
    public void unlock(final long offset)
    {
        try
        {
            Linux.unlock(fd, offset, 1);
        }
        catch (final ErrnoException ex)
        {
            throw new BusException(source + ": unlock of byte " + offset + " failed: " + ex.getMessage(), ex);
        }
    }

    /**
     * @param offset a lock byte.
     * @return true when another open file description (any process, this one included) holds a lock on it.
     */
    public boolean isHeldElsewhere(final long offset)
    {
        try
        {
            return Linux.isLockedElsewhere(fd, offset, 1, true);
        }
        catch (final ErrnoException ex)
        {
            throw new BusException(source + ": probe of lock byte " + offset + " failed: " + ex.getMessage(), ex);
        }
    }

    /**
     * Take the allocation lock, waiting for whoever holds it (slot allocation takes microseconds; a holder
     * that dies releases it at once).
     */
    public void lockAllocation()
    {
        final long deadline = System.nanoTime() + ALLOCATION_TIMEOUT_NS;
        int spins = 0;
        while (!tryLock(LockDescriptor.ALLOCATION_LOCK_OFFSET))
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new BusException(source + ": could not take the slot allocation lock within 10 s " +
                    "(a live process holds it: stopped with SIGSTOP?)");
            }
            if (++spins < 100)
            {
                Thread.onSpinWait();
            }
            else
            {
                java.util.concurrent.locks.LockSupport.parkNanos(50_000);
            }
        }
    }

    /**
     * Release the allocation lock.
     */
    public void unlockAllocation()
    {
        unlock(LockDescriptor.ALLOCATION_LOCK_OFFSET);
    }

    /**
     * Close the description, dropping every lock it holds. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            Linux.close(fd);
        }
    }
}
