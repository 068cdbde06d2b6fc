package io.shmbus.impl.layout;

/**
 * One publisher's slot in the control region, {@value #LENGTH} bytes. The slot is owned by whoever holds
 * the kernel lock on its lock byte ({@link LockDescriptor#publisherLockOffset(int)}); the state word says
 * what the owner was doing, so a successor can repair after an owner that died.
 *
 * <pre>
 *  offset  field                       notes
 *  ------  --------------------------  -------------------------------------------------------------
 *    0     claimPosition (int64)       the tail value the publisher takes its next claim from, stored
 *                                      before the tail moves (shared: before the CAS), so a repair
 *                                      knows where a dead publisher's claim starts; -1 before any claim
 *    8     claimLength (int32)         the bytes that claim takes: wrap padding plus aligned record
 *   12     repairing (int32)           1 while a repairer holds the dead owner's lock (so status tells them apart)
 *   16     publishedMessages (int64)   exclusive publishers: messages published, stored every 64 messages,
 *                                      when back-pressured and at close (shared: not kept)
 *   24     backPressured (int64)       offers refused for lack of space
 *   32     wakesIssued (int64)         FUTEX_WAKE calls made for sleeping subscribers
 *                                      (commits that woke nobody are publishedMessages - wakesIssued)
 *   40     adminActions (int64)        offers and claims answered ADMIN_ACTION (a cleaning round or a repair
 *                                      was in the way); atomic adds, read by status tools
 *   48     sleeping (int32)            1 while counted in spaceWaiters (set after the add, cleared before the
 *                                      subtract), so a repair can take a dead sleeper out of the count
 *   52     blocking (int32)            1 while counted in blockingPublishers (the fallback where the expedited
 *                                      barrier is missing): set after the add, cleared before the subtract
 *   64     state (int32)               0 free, 1 active
 *   68     mode (int32)                1 exclusive, 2 shared
 *   72     pid (int32)                 for display only: liveness is the kernel lock
 *   80     attachedMs (int64)          epoch ms
 *   88     round area (40 bytes)       the cleaning round this publisher runs: {@link RoundAreaDescriptor}
 * </pre>
 */
public final class PublisherSlotDescriptor
{
    public static final int LENGTH = Layout.PADDED_BLOCK;

    public static final int CLAIM_POSITION_OFFSET = 0;
    public static final int CLAIM_LENGTH_OFFSET = 8;
    public static final int REPAIRING_OFFSET = 12;
    public static final int PUBLISHED_MESSAGES_OFFSET = 16;
    public static final int BACK_PRESSURED_OFFSET = 24;
    public static final int WAKES_ISSUED_OFFSET = 32;
    public static final int ADMIN_ACTIONS_OFFSET = 40;
    public static final int SLEEPING_OFFSET = 48;
    public static final int BLOCKING_OFFSET = 52;
    public static final int STATE_OFFSET = Layout.CACHE_LINE;
    public static final int MODE_OFFSET = STATE_OFFSET + 4;
    public static final int PID_OFFSET = MODE_OFFSET + 4;
    public static final int ATTACHED_MS_OFFSET = PID_OFFSET + 8;
    public static final int ROUND_AREA_OFFSET = ATTACHED_MS_OFFSET + 8;

    public static final int STATE_FREE = 0;
    public static final int STATE_ACTIVE = 1;

    public static final int MODE_EXCLUSIVE = 1;
    public static final int MODE_SHARED = 2;

    private PublisherSlotDescriptor()
    {
    }
}
