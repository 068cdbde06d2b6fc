package io.shmbus.impl.layout;

import static io.shmbus.impl.layout.Layout.PADDED_BLOCK;

/**
 * The control region: the words publishers and subscribers coordinate through, then one slot per publisher
 * and per subscriber. Offsets are relative to the start of the region (itself page aligned in the file).
 * Each block is {@value Layout#PADDED_BLOCK} bytes (two cache lines), so a word written by one side never
 * shares a line, or a prefetched pair of lines, with a word written by the other.
 *
 * <pre>
 *  block  offset  field                 written by               read by
 *  -----  ------  --------------------  -----------------------  --------------------------------
 *  0        0     tail (int64)          publishers (CAS/store)   publishers, tools
 *  1      128     cleanLimit (int64)    the cleaning publisher   publishers, joiners, lapped readers
 *         136     cleanIntent (int64)   the cleaning publisher   untethered readers (lap check)
 *         144     cleanCount (int64)    the cleaning publisher   untethered readers (loss count)
 *         152     cleanLock (int64)     CAS by publishers        publishers, joiners
 *         160     cleanPending (int64)  the cleaning publisher   whoever takes a round over
 *         168     cleanHoles (int64)    round takers, owners     publishers (claims jump holes)
 *         176     cleanZeroed (int64)   the round's cleaner(s)   whoever takes a round over
 *  2      256     dataSignal (int32)    publishers (futex word)  sleeping subscribers
 *         260     dataWaiters (int32)   sleeping subscribers     publishers after each commit
 *         264     blockingSubscribers   subscribers (join/leave) publishers
 *  3      384     spaceSignal (int32)   subscribers (futex word) sleeping publishers
 *         388     spaceWaiters (int32)  sleeping publishers      subscribers after each poll
 *         392     blockingPublishers    publishers (first wait)  subscribers after each poll
 *  4      512     subscriberCount       subscribers (join/leave) publishers (NOT_CONNECTED)
 *         516     publisherCount        publishers (join/leave)  tools
 *         520     exclusivePublisher    the exclusive publisher  publishers joining
 *         528     repairs (int64)       whoever repairs          tools
 *         536     reclaims (int64)      whoever reclaims a slot  tools
 *         544     takeovers (int64)     whoever takes a round    tools
 *         552     demotions (int64)     publishers               tools
 *  5      640     reserved
 *  6      768     reserved
 *  7      896     reserved
 *  8     1024     publisher slots: maxPublishers x {@value PublisherSlotDescriptor#LENGTH} bytes
 *        ...      subscriber slots: maxSubscribers x {@value SubscriberSlotDescriptor#LENGTH} bytes
 * </pre>
 *
 * <p>Positions are byte offsets in an endless stream that starts at 0 and only grows; the ring index of
 * position p is {@code p & (capacity - 1)}.
 *
 * <p><b>cleanLock</b> holds 0, or the word of the participant running a round:
 * {@link RoundAreaDescriptor#lockWord}, its code (a publisher's slot index plus one, minus a subscriber's plus one)
 * in the low 32 bits and bit 32 set once the round's proposal (new limit, new count) is in the owner's round area.
 * A round whose owner makes no progress for a short patience, or died, is taken over by a CAS from the word as
 * read: an unannounced round is dropped, an announced one is carried on from the proposal. Every store a round
 * makes to the shared words is a CAS from the value before the round, so a stalled owner that resumes after its
 * round was finished changes nothing; its zeroing is fenced by the step protocol and holes (docs/LAYOUT.md).
 *
 * <p><b>cleanZeroed</b>: how far the round in progress has zeroed, from cleanLimit to cleanIntent, advanced by a
 * CAS after each step (equal to cleanLimit between rounds). A taker goes on from it, so that it never zeroes again
 * what its owner zeroed (the owner, stalled just before its commit, may publish its limit at any moment).
 *
 * <p><b>cleanHoles</b> counts the step ranges that were being zeroed when their round was taken over: while one
 * is a hole (state 2 in its owner's round area), claims jump over its ring bytes with padding.
 *
 * <p><b>cleanLimit</b> (C): the ring bytes of positions from the tail up to C are zero, so a reader waiting at
 * the tail reads a zero length. Publishers keep {@code tail <= C - RecordDescriptor.ALIGNMENT}. C only grows,
 * in rounds run by one publisher at a time under cleanLock: the round walks last lap's records from
 * {@code C - capacity} (all of them committed and, where tethered subscribers exist, read by all of them),
 * counts the messages among them into cleanCount, stores the new limit into cleanIntent, zeroes the ring
 * bytes of the walked range, and only then stores cleanLimit. So {@code C - capacity} is always a record
 * boundary, the oldest record retained, and cleanCount is the number of messages before it.
 */
public final class ControlDescriptor
{
    public static final int TAIL_OFFSET = 0;

    public static final int CLEAN_LIMIT_OFFSET = PADDED_BLOCK;
    public static final int CLEAN_INTENT_OFFSET = CLEAN_LIMIT_OFFSET + 8;
    public static final int CLEAN_COUNT_OFFSET = CLEAN_INTENT_OFFSET + 8;
    public static final int CLEAN_LOCK_OFFSET = CLEAN_COUNT_OFFSET + 8;
    public static final int CLEAN_PENDING_OFFSET = CLEAN_LOCK_OFFSET + 8;
    public static final int CLEAN_HOLES_OFFSET = CLEAN_PENDING_OFFSET + 8;
    public static final int CLEAN_ZEROED_OFFSET = CLEAN_HOLES_OFFSET + 8;

    public static final int DATA_SIGNAL_OFFSET = 2 * PADDED_BLOCK;
    public static final int DATA_WAITERS_OFFSET = DATA_SIGNAL_OFFSET + 4;
    public static final int BLOCKING_SUBSCRIBERS_OFFSET = DATA_WAITERS_OFFSET + 4;

    public static final int SPACE_SIGNAL_OFFSET = 3 * PADDED_BLOCK;
    public static final int SPACE_WAITERS_OFFSET = SPACE_SIGNAL_OFFSET + 4;
    public static final int BLOCKING_PUBLISHERS_OFFSET = SPACE_WAITERS_OFFSET + 4;

    public static final int SUBSCRIBER_COUNT_OFFSET = 4 * PADDED_BLOCK;
    public static final int PUBLISHER_COUNT_OFFSET = SUBSCRIBER_COUNT_OFFSET + 4;
    public static final int EXCLUSIVE_PUBLISHER_OFFSET = PUBLISHER_COUNT_OFFSET + 4;
    public static final int REPAIRS_OFFSET = EXCLUSIVE_PUBLISHER_OFFSET + 8;
    public static final int RECLAIMS_OFFSET = REPAIRS_OFFSET + 8;
    public static final int TAKEOVERS_OFFSET = RECLAIMS_OFFSET + 8;
    public static final int DEMOTIONS_OFFSET = TAKEOVERS_OFFSET + 8;

    public static final int PUBLISHER_SLOTS_OFFSET = 8 * PADDED_BLOCK;

    private ControlDescriptor()
    {
    }

    /**
     * @param publisherIndex slot index.
     * @return offset of that publisher slot in the control region.
     */
    public static int publisherSlotOffset(final int publisherIndex)
    {
        return PUBLISHER_SLOTS_OFFSET + publisherIndex * PublisherSlotDescriptor.LENGTH;
    }

    /**
     * @param maxPublishers  publisher slots.
     * @param subscriberIndex slot index.
     * @return offset of that subscriber slot in the control region.
     */
    public static int subscriberSlotOffset(final int maxPublishers, final int subscriberIndex)
    {
        return publisherSlotOffset(maxPublishers) + subscriberIndex * SubscriberSlotDescriptor.LENGTH;
    }

    /**
     * @param maxPublishers  publisher slots.
     * @param maxSubscribers subscriber slots.
     * @return bytes the control region needs before page alignment.
     */
    public static int length(final int maxPublishers, final int maxSubscribers)
    {
        return subscriberSlotOffset(maxPublishers, maxSubscribers);
    }
}
