package io.shmbus.impl.layout;

/**
 * Byte ranges of the topic file used for kernel (OFD, {@code F_OFD_SETLK}) locks. A lock covers one byte;
 * it does not read or change the byte. The kernel drops a lock the instant the open file description that
 * holds it is closed, which happens when its process dies, in any container or PID namespace.
 *
 * <pre>
 *  byte               lock          held by
 *  -----------------  ------------  ------------------------------------------------------------------
 *  512                shared        every open mapping of the topic, for as long as it is open
 *                     exclusive     a cleaner deciding the topic is stale (nobody holds it shared)
 *  513                exclusive     whoever allocates or frees a slot, for the moment it does so
 *  1024 + i           exclusive     the owner of publisher slot i, for as long as it is attached
 *  2048 + j           exclusive     the owner of subscriber slot j, for as long as it is attached
 * </pre>
 */
public final class LockDescriptor
{
    public static final long ATTACHED_LOCK_OFFSET = 512;
    public static final long ALLOCATION_LOCK_OFFSET = 513;
    public static final long PUBLISHER_LOCKS_OFFSET = 1024;
    public static final long SUBSCRIBER_LOCKS_OFFSET = 2048;

    private LockDescriptor()
    {
    }

    /**
     * @param publisherIndex slot index.
     * @return the byte that publisher slot's owner locks.
     */
    public static long publisherLockOffset(final int publisherIndex)
    {
        return PUBLISHER_LOCKS_OFFSET + publisherIndex;
    }

    /**
     * @param subscriberIndex slot index.
     * @return the byte that subscriber slot's owner locks.
     */
    public static long subscriberLockOffset(final int subscriberIndex)
    {
        return SUBSCRIBER_LOCKS_OFFSET + subscriberIndex;
    }
}
