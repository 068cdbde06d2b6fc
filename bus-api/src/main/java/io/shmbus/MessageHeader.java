package io.shmbus;

/**
 * Metadata of the message being delivered to a {@link MessageHandler}. A flyweight reused for every message:
 * read it during the call only.
 */
public interface MessageHeader
{
    /**
     * @return the position of the message's record in the topic's stream (bytes since the topic began).
     */
    long position();

    /**
     * @return the position just after the message's record: where the next message starts.
     */
    long nextPosition();

    /**
     * @return the message length in bytes.
     */
    int length();

    /**
     * @return the application's message type given at publication (0 when none was given).
     */
    int type();

    /**
     * @return the index of the publisher slot that wrote the message (stable while that publisher lives).
     */
    int publisherId();

    /**
     * @return the publisher's wall-clock time at publication, in nanoseconds since the epoch, when the
     * topic records timestamps ({@link TopicOptions#timestamps()}); 0 otherwise.
     */
    long timestampNs();
}
