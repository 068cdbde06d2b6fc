package io.shmbus;

/**
 * {@link Bus#openTopic(String)} was asked for a topic that does not exist.
 */
public class TopicNotFoundException extends BusException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message the topic and where it was looked for.
     */
    public TopicNotFoundException(final String message)
    {
        super(message);
    }
}
