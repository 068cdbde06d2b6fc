package io.shmbus.impl.liveness;

import io.shmbus.TopicCorruptedException;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What liveness checks and repairs need of a topic's ring, owned here so that dependencies point one way: the
 * ring package implements it ({@code Ring}) and calls into liveness; liveness never names the ring's classes.
 * Everything a repair does is on the shared words and slots this gives, plus the two ring operations that have
 * to stay with the cleaning protocol (finishing a dead owner's round, waking sleepers after a repair).
 */
public interface RingAccess
{
    /**
     * @return the control region.
     */
    UnsafeBuffer control();

    /**
     * @return the data ring, writable.
     */
    UnsafeBuffer data();

    /**
     * @return the ring capacity in bytes.
     */
    int capacity();

    /**
     * @return the topic's publisher slot count.
     */
    int maxPublishers();

    /**
     * @return the topic's subscriber slot count.
     */
    int maxSubscribers();

    /**
     * @return the topic's name or file, for messages.
     */
    String source();

    /**
     * @return the tail word (volatile load).
     */
    long tail();

    /**
     * @return the clean limit (volatile load).
     */
    long cleanLimit();

    /**
     * @return the cleaning lock's value: 0, or the code of the participant holding it.
     */
    long cleanLockValue();

    /**
     * @param publisherIndex slot index.
     * @return the slot's offset in the control region.
     */
    int publisherSlot(int publisherIndex);

    /**
     * @param subscriberIndex slot index.
     * @return the slot's offset in the control region.
     */
    int subscriberSlot(int subscriberIndex);

    /**
     * Finish a cleaning round whose owner died, and release its lock.
     *
     * @param deadOwner the lock value of the dead owner, as read.
     * @param myCode    the finisher's own code.
     * @return true when this call finished the round and released the lock.
     */
    boolean finishRound(long deadOwner, long myCode);

    /**
     * Wake every sleeper after a repair changed what they wait for.
     */
    void afterRepair();

    /**
     * @param what what was found.
     * @return an exception naming the topic.
     */
    TopicCorruptedException corrupt(String what);
}
