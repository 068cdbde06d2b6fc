package io.shmbus.journal;

import io.shmbus.BusException;

/**
 * A journal cannot be created, opened, written or read: the message names the directory or file and the
 * offending values.
 */
public class JournalException extends BusException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, with the offending values.
     */
    public JournalException(final String message)
    {
        super(message);
    }

    /**
     * @param message what went wrong, with the offending values.
     * @param cause   the underlying failure.
     */
    public JournalException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
