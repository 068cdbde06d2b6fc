package io.shmbus.impl.ring;

/**
 * What a returning durable subscriber lost while it was away: the messages and bytes publishers overwrote before
 * it came back, from the position it had left at. Found once, at its join.
 *
 * @param messages messages overwritten.
 * @param bytes    bytes overwritten.
 * @param from     the position the gap starts at.
 */
record JoinGap(long messages, long bytes, long from)
{
    static final JoinGap NONE = new JoinGap(0, 0, 0);

    boolean isEmpty()
    {
        return bytes == 0;
    }
}
