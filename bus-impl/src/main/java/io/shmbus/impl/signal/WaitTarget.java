package io.shmbus.impl.signal;

/**
 * What a wait set needs of each subscriber it waits for, owned here so that the wait set lives with the rest of the
 * futex protocol and depends on no reader class: the subscriber's data futex word, its share of the topic's waiter
 * count, its readiness check and its sleep counters. {@code RingSubscriber} implements it.
 */
public interface WaitTarget
{
    /**
     * Register as a participant that may sleep (the fenced-waiters fallback where it applies).
     */
    void ensureBlocking();

    /**
     * @return the current value of the topic's data futex word.
     */
    int dataSignalValue();

    /**
     * @return the address of the topic's data futex word.
     */
    long dataSignalAddress();

    /**
     * @param delta +1 before sleeping, -1 after.
     */
    void addDataWaiter(int delta);

    /**
     * @return true when a poll would find a message (or must run, to repair or to report loss).
     */
    boolean isReady();

    /**
     * Count a futex sleep made for this subscriber.
     */
    void countWait();

    /**
     * Count a sleep for this subscriber that ended by timeout.
     */
    void countWaitTimeout();
}
