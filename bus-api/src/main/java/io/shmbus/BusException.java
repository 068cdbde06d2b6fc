package io.shmbus;

/**
 * Base of every exception shmbus throws for misuse or for a broken environment: a directory it cannot use,
 * a JVM flag it needs, a full tmpfs. Expected outcomes of the hot path (back-pressure, no subscriber) are
 * never exceptions: they are the negative status codes of {@link Publisher}.
 */
public class BusException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, with the offending values.
     */
    public BusException(final String message)
    {
        super(message);
    }

    /**
     * @param message what went wrong, with the offending values.
     * @param cause   the underlying failure.
     */
    public BusException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
