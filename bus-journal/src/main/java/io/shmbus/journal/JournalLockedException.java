package io.shmbus.journal;

/**
 * Another process holds the journal's writer lock: a journal has exactly one recorder at a time.
 */
public class JournalLockedException extends JournalException
{
    private static final long serialVersionUID = 1L;

    private final int holderPid;

    /**
     * @param message   naming the directory and the holder.
     * @param holderPid the pid the holder wrote into the journal when it took the lock (0 when not yet written).
     */
    public JournalLockedException(final String message, final int holderPid)
    {
        super(message);
        this.holderPid = holderPid;
    }

    /**
     * @return the pid of the process that holds the lock, as it wrote it (0 when not yet written).
     */
    public int holderPid()
    {
        return holderPid;
    }
}
