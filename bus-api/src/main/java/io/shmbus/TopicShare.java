package io.shmbus;

/**
 * An anonymous topic being offered on a Unix domain socket (see {@link Topic#share(ShareOptions)}): a
 * background thread hands the topic's descriptor to every allowed process that connects.
 */
public interface TopicShare extends AutoCloseable
{
    /**
     * @return the options it was started with.
     */
    ShareOptions options();

    /**
     * @return how many processes received the topic.
     */
    long handedOut();

    /**
     * @return how many processes were refused (not on the allow-list).
     */
    long refused();

    /**
     * Stop listening (a socket file is removed). Processes that already joined keep the topic. Idempotent.
     */
    @Override
    void close();
}
