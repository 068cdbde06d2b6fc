package io.shmbus.impl.liveness;

import io.shmbus.TopicCorruptedException;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What liveness checks and repairs need of a topic's ring, owned here so that dependencies point one way: the
 * ring package implements it ({@code Ring}) and calls into liveness; liveness never names the ring's classes.
 * Everything a repair does is on the shared words and slots this gives, plus the ring operations that have
 * to stay with the cleaning protocol (taking a dead owner's round over, settling its round area, waking sleepers).
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
     * Take over the cleaning round held by the lock word {@code seen} (its owner is dead, or stalled), finish or drop
     * it, and release the lock.
     *
     * @param seen   the cleanLock word as read.
     * @param myCode the taker's own code.
     * @return true when this call took the round.
     */
    boolean takeOverRound(long seen, int myCode);

    /**
     * Settle the cleaning-round area of a participant known dead: an unfinished step is over, a hole it left is
     * zeroed and released.
     *
     * @param code the dead participant's code.
     * @return true when a hole was released.
     */
    boolean clearDeadRoundArea(int code);

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
