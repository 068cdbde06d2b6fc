package io.shmbus.journal;

/**
 * A {@link ReplayMerge} waited longer than its recorder timeout for the recorder to record up to the position
 * where the live subscriber joined, and the recorder did not advance: it is dead (nobody holds the journal's
 * lock) or stalled (it holds the lock but records nothing: stopped, blocked, or too slow). The merge can be
 * polled again once the recorder runs; it then waits another timeout.
 */
public final class ReplayMergeStalledException extends JournalException
{
    private static final long serialVersionUID = 1L;

    private final boolean recorderAlive;
    private final int recorderPid;
    private final long recordedTopicPosition;
    private final long joinPosition;

    ReplayMergeStalledException(final String message, final boolean recorderAlive, final int recorderPid,
        final long recordedTopicPosition, final long joinPosition)
    {
        super(message);
        this.recorderAlive = recorderAlive;
        this.recorderPid = recorderPid;
        this.recordedTopicPosition = recordedTopicPosition;
        this.joinPosition = joinPosition;
    }

    /**
     * @return true when a recorder holds the journal's lock (it is stalled), false when none does (it is dead).
     */
    public boolean recorderAlive()
    {
        return recorderAlive;
    }

    /**
     * @return the pid the recorder wrote into the journal (the live one, or the last one).
     */
    public int recorderPid()
    {
        return recorderPid;
    }

    /**
     * @return the topic position the recorder had recorded up to.
     */
    public long recordedTopicPosition()
    {
        return recordedTopicPosition;
    }

    /**
     * @return the topic position the live subscriber joined at, which the recorder had to reach.
     */
    public long joinPosition()
    {
        return joinPosition;
    }
}
