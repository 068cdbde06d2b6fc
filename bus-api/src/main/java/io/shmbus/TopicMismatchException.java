package io.shmbus;

/**
 * A topic exists with settings other than those asked for. The message names the setting, the value
 * asked for and the value the topic has.
 */
public class TopicMismatchException extends BusException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message the setting and both values.
     */
    public TopicMismatchException(final String message)
    {
        super(message);
    }
}
