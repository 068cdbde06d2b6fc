package io.shmbus;

import java.util.List;

/**
 * A snapshot of a topic's shared state, read without disturbing its participants: where the stream is, who
 * is attached, who is alive, and how far behind each subscriber is. Liveness is the kernel lock each
 * participant holds, so a process killed a moment ago already shows as dead.
 *
 * @param name          the topic name.
 * @param tail          the position where the next message will be claimed.
 * @param oldest        the position of the oldest message still retained.
 * @param capacityBytes the ring's size.
 * @param repairs       dead publishers' claims turned into padding, and dead cleaning rounds finished.
 * @param reclaims      slots of dead participants reclaimed.
 * @param publishers    the attached (or dead, not yet reclaimed) publishers.
 * @param subscribers   the attached, detached durable, or dead subscribers.
 * @param takeovers     cleaning rounds taken over from an owner that was stalled or dead (0 where the transport
 *                      has no rounds).
 * @param holes         ring ranges a stalled cleaner may still zero, which claims pad over now.
 * @param demotions     tethered subscribers demoted to untethered for stalling ({@link SlowConsumerPolicy#DEMOTE}).
 */
public record TopicStatus(
    String name,
    long tail,
    long oldest,
    int capacityBytes,
    long repairs,
    long reclaims,
    List<PublisherStatus> publishers,
    List<SubscriberStatus> subscribers,
    long takeovers,
    long holes,
    long demotions)
{
    /**
     * A topic of a transport without cleaning rounds.
     *
     * @param name          the topic name.
     * @param tail          the tail position.
     * @param oldest        the oldest retained position.
     * @param capacityBytes the ring's size.
     * @param repairs       repairs made.
     * @param reclaims      slots reclaimed.
     * @param publishers    the publishers.
     * @param subscribers   the subscribers.
     */
    public TopicStatus(
        final String name,
        final long tail,
        final long oldest,
        final int capacityBytes,
        final long repairs,
        final long reclaims,
        final List<PublisherStatus> publishers,
        final List<SubscriberStatus> subscribers)
    {
        this(name, tail, oldest, capacityBytes, repairs, reclaims, publishers, subscribers, 0, 0, 0);
    }

    /**
     * One publisher slot.
     *
     * @param id                its slot index.
     * @param pid               the process id it had when it attached (for display; liveness is the lock).
     * @param alive             whether its process holds the slot's kernel lock.
     * @param exclusive         whether it is the topic's exclusive publisher.
     * @param publishedMessages messages published (exclusive publishers only; -1 for shared).
     * @param backPressured     offers refused for lack of space.
     * @param wakesIssued       futex wake calls it made for sleeping subscribers.
     * @param wakesSkipped      commits that found subscribers able to sleep but none asleep.
     * @param adminActions      offers and claims answered {@link Publisher#ADMIN_ACTION} (another participant's
     *                          cleaning round or a repair was in the way); 0 where the transport has none.
     */
    public record PublisherStatus(
        int id,
        int pid,
        boolean alive,
        boolean exclusive,
        long publishedMessages,
        long backPressured,
        long wakesIssued,
        long wakesSkipped,
        long adminActions)
    {
        /**
         * A publisher of a transport that never answers {@link Publisher#ADMIN_ACTION} by itself.
         *
         * @param id                its id.
         * @param pid               its process id.
         * @param alive             whether it is alive.
         * @param exclusive         whether it is exclusive.
         * @param publishedMessages messages published, or -1.
         * @param backPressured     offers refused for lack of space.
         * @param wakesIssued       wake calls made.
         * @param wakesSkipped      commits that woke nobody.
         */
        public PublisherStatus(
            final int id,
            final int pid,
            final boolean alive,
            final boolean exclusive,
            final long publishedMessages,
            final long backPressured,
            final long wakesIssued,
            final long wakesSkipped)
        {
            this(id, pid, alive, exclusive, publishedMessages, backPressured, wakesIssued, wakesSkipped, 0);
        }
    }

    /**
     * One subscriber slot.
     *
     * @param id                its slot index.
     * @param pid               the process id it had when it attached (for display).
     * @param alive             whether its process holds the slot's kernel lock.
     * @param state             "active", or "detached" for a durable subscriber that is away.
     * @param policy            tethered, untethered or durable.
     * @param name              the durable name, or null.
     * @param position          the next position it will read.
     * @param lagBytes          tail minus position.
     * @param deliveredMessages messages delivered.
     * @param lostMessages      messages lost by lapping (untethered, or durable away past its hold limit).
     * @param waits             times it slept on the topic's futex.
     * @param waitTimeouts      sleeps that ended by timeout.
     * @param demoted           a tethered subscriber that publishers demoted for stalling: it no longer holds them.
     */
    public record SubscriberStatus(
        int id,
        int pid,
        boolean alive,
        String state,
        SubscriberOptions.Policy policy,
        String name,
        long position,
        long lagBytes,
        long deliveredMessages,
        long lostMessages,
        long waits,
        long waitTimeouts,
        boolean demoted)
    {
        /**
         * A subscriber of a transport that never demotes.
         *
         * @param id                its slot index.
         * @param pid               its process id.
         * @param alive             whether it is alive.
         * @param state             its state.
         * @param policy            its policy.
         * @param name              its durable name, or null.
         * @param position          its position.
         * @param lagBytes          tail minus position.
         * @param deliveredMessages messages delivered.
         * @param lostMessages      messages lost.
         * @param waits             sleeps.
         * @param waitTimeouts      sleeps that timed out.
         */
        public SubscriberStatus(
            final int id,
            final int pid,
            final boolean alive,
            final String state,
            final SubscriberOptions.Policy policy,
            final String name,
            final long position,
            final long lagBytes,
            final long deliveredMessages,
            final long lostMessages,
            final long waits,
            final long waitTimeouts)
        {
            this(id, pid, alive, state, policy, name, position, lagBytes, deliveredMessages, lostMessages, waits,
                waitTimeouts, false);
        }
    }
}
