package io.shmbus;

/**
 * What publishers do about a tethered subscriber that stops making progress while it holds them back (it is stopped,
 * hung, or far too slow): see {@link SubscriberOptions#slowConsumer(SlowConsumerPolicy, long)}.
 */
public enum SlowConsumerPolicy
{
    /** Wait for it for ever: publishers stay back-pressured until it reads (the default). */
    KEEP,
    /**
     * Demote it to untethered once it has made no progress for the set time while a publisher needs the space it
     * holds: publishers go on, and the subscriber, whenever it reads again, is told exactly what it lost through its
     * {@link LossHandler}, as a lapped untethered subscriber is. It reads as an untethered subscriber does from its
     * join (each message copied before it is handed over, then checked against being overwritten), so that a
     * demotion that comes while it is inside a poll can never hand it a message being overwritten.
     */
    DEMOTE,
    /**
     * For a durable subscriber: once it has made no progress for the set time while a publisher needs the space it
     * holds, it stops holding publishers back, as when it is away past its hold limit; whenever it reads again it is
     * told exactly what it lost. It reads as an untethered subscriber does, for the same reason as {@link #DEMOTE},
     * and stores its position and message index after each poll as a durable subscriber does.
     */
    DETACH
}
