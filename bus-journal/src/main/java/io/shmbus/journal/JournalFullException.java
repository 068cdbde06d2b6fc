package io.shmbus.journal;

/**
 * The file system holding the journal has no room for the next chunk or segment. Everything appended before
 * stays in the journal, which remains readable and can be appended to again once there is room.
 */
public class JournalFullException extends JournalException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what could not be allocated, where.
     * @param cause   the underlying failure.
     */
    public JournalFullException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
