package io.shmbus;

/**
 * The shared memory of a topic does not hold what the layout allows: a wrong magic or version, a file
 * shorter than its header says, a record length or position out of range, a file truncated under a reader.
 * The message says precisely what was found and where. A topic that raised this should be closed; shmbus
 * never delivers a message it could not validate.
 */
public class TopicCorruptedException extends BusException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was found, where, and what was expected.
     */
    public TopicCorruptedException(final String message)
    {
        super(message);
    }

    /**
     * @param message what was found, where, and what was expected.
     * @param cause   the underlying failure.
     */
    public TopicCorruptedException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
