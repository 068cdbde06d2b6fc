package io.shmbus.journal;

/**
 * A segment file that is not there when it is opened: removed by retention or a trim since the directory was
 * listed, or not created yet.
 */
final class SegmentMissingException extends JournalException
{
    private static final long serialVersionUID = 1L;

    private final long index;

    SegmentMissingException(final String message, final long index, final Throwable cause)
    {
        super(message, cause);
        this.index = index;
    }

    long index()
    {
        return index;
    }
}
