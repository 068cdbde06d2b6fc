package io.shmbus;

/**
 * Told when an untethered subscriber was lapped by the publishers and skipped messages it never saw.
 * Called from the polling thread, before the first message after the gap.
 */
@FunctionalInterface
public interface LossHandler
{
    /**
     * @param lostMessages the exact number of messages skipped.
     * @param lostBytes    the number of bytes of the stream skipped (record headers and padding included).
     * @param fromPosition the position of the first message not seen.
     * @param toPosition   the position where reading resumes.
     */
    void onLoss(long lostMessages, long lostBytes, long fromPosition, long toPosition);
}
