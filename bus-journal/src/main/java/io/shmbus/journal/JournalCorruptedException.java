package io.shmbus.journal;

/**
 * A journal file holds something no recorder writes: a foreign file, a truncated segment, a bad checksum, a
 * record out of place. The message names the file, the position and the field.
 */
public class JournalCorruptedException extends JournalException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, naming the file, the position and the values found.
     */
    public JournalCorruptedException(final String message)
    {
        super(message);
    }

    /**
     * @param message what is wrong.
     * @param cause   the underlying failure.
     */
    public JournalCorruptedException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
