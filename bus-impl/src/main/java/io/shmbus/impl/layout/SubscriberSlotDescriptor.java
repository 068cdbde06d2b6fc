package io.shmbus.impl.layout;

/**
 * One subscriber's slot in the control region, {@value #LENGTH} bytes. Owned by whoever holds the kernel
 * lock on its lock byte ({@link LockDescriptor#subscriberLockOffset(int)}). The first cache line holds only what
 * a poll writes: the position (the word publishers read to find the slowest tethered subscriber) and the counts
 * stored with it.
 *
 * <pre>
 *  offset  field                       notes
 *  ------  --------------------------  -------------------------------------------------------------
 *    0     position (int64)            next position to read; stored with release after each poll
 *    8     deliveredMessages (int64)   stored after each poll that delivered, beside the position: one
 *                                      cache line written per poll
 *   16     messageIndex (int64)        durable only: messages in the stream before position
 *   24     round area (40 bytes)       a round this subscriber finishes for a stalled or dead owner (joins):
 *                                      {@link RoundAreaDescriptor}
 *   64     state (int32)               0 free, 1 active, 2 detached (durable, owner gone, position kept)
 *   68     policy (int32)              1 tethered, 2 untethered, 3 durable
 *   72     pid (int32)                 for display only: liveness is the kernel lock
 *   76     blocking (int32)            1 while counted in blockingSubscribers (the fenced-waiters count,
 *                                      kept only where the expedited barrier is unavailable)
 *   80     attachedMs (int64)          epoch ms of the last attach
 *   88     sleeping (int32)            1 while counted in dataWaiters (set after the add, cleared before
 *                                      the subtract), so a repair can take a dead sleeper out of the count
 *   92     counted (int32)             1 once counted in subscriberCount (set after the add)
 *   96     repairing (int32)           1 while a repairer holds the dead owner's lock (so status tells them apart)
 *  100     slowPolicy (int32)          0 keep, 1 demote (SlowConsumerPolicy), set at the join
 *  104     demoted (int32)             1 once a publisher demoted it: rounds no longer wait for it
 *  112     slowTimeoutMs (int64)       how long it may make no progress while holding publishers back
 *  136     lostMessages (int64)        messages the subscriber was told it lost (untethered: lapped; durable:
 *                                      overwritten while it was away), over all its incarnations
 *  144     lostBytes (int64)           the stream bytes of those messages
 *  152     waits (int64)               times it slept on dataSignal
 *  160     waitTimeouts (int64)        sleeps that ended by timeout
 *  168     expireMs (int64)            durable only: how long it may stay away before its slot is freed (-1:
 *                                      never)
 *  176     detachedMs (int64)          durable only: epoch ms when it left or was found dead
 *  184     holdLimitMs (int64)         durable only: how long it may hold publishers back while away
 *  192     nameLength (int32)          durable only
 *  196     name (48 bytes US-ASCII)
 * </pre>
 */
public final class SubscriberSlotDescriptor
{
    public static final int LENGTH = 2 * Layout.PADDED_BLOCK;

    public static final int POSITION_OFFSET = 0;
    public static final int STATE_OFFSET = Layout.CACHE_LINE;
    public static final int POLICY_OFFSET = STATE_OFFSET + 4;
    public static final int PID_OFFSET = POLICY_OFFSET + 4;
    public static final int BLOCKING_OFFSET = PID_OFFSET + 4;
    public static final int ATTACHED_MS_OFFSET = BLOCKING_OFFSET + 4;
    public static final int SLEEPING_OFFSET = ATTACHED_MS_OFFSET + 8;
    public static final int COUNTED_OFFSET = SLEEPING_OFFSET + 4;
    public static final int REPAIRING_OFFSET = COUNTED_OFFSET + 4;
    public static final int SLOW_POLICY_OFFSET = REPAIRING_OFFSET + 4;
    public static final int DEMOTED_OFFSET = SLOW_POLICY_OFFSET + 4;
    public static final int SLOW_TIMEOUT_MS_OFFSET = DEMOTED_OFFSET + 8;
    public static final int DELIVERED_OFFSET = POSITION_OFFSET + 8;
    public static final int MESSAGE_INDEX_OFFSET = DELIVERED_OFFSET + 8;
    public static final int ROUND_AREA_OFFSET = MESSAGE_INDEX_OFFSET + 8;
    public static final int LOST_MESSAGES_OFFSET = 2 * Layout.CACHE_LINE + 8;
    public static final int LOST_BYTES_OFFSET = LOST_MESSAGES_OFFSET + 8;
    public static final int WAITS_OFFSET = LOST_BYTES_OFFSET + 8;
    public static final int WAIT_TIMEOUTS_OFFSET = WAITS_OFFSET + 8;
    public static final int EXPIRE_MS_OFFSET = WAIT_TIMEOUTS_OFFSET + 8;
    public static final int DETACHED_MS_OFFSET = EXPIRE_MS_OFFSET + 8;
    public static final int HOLD_LIMIT_MS_OFFSET = DETACHED_MS_OFFSET + 8;
    public static final int NAME_LENGTH_OFFSET = 3 * Layout.CACHE_LINE;
    public static final int NAME_OFFSET = NAME_LENGTH_OFFSET + 4;
    public static final int MAX_NAME_BYTES = 48;

    public static final int STATE_FREE = 0;
    public static final int STATE_ACTIVE = 1;
    public static final int STATE_DETACHED = 2;

    public static final int POLICY_TETHERED = 1;
    public static final int POLICY_UNTETHERED = 2;
    public static final int POLICY_DURABLE = 3;

    public static final int SLOW_KEEP = 0;
    public static final int SLOW_DEMOTE = 1;

    private SubscriberSlotDescriptor()
    {
    }
}
