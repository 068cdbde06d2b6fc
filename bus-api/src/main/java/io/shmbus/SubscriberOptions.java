package io.shmbus;

import java.util.Objects;

/**
 * A subscriber's policy, where it starts, and how it is told of loss. Immutable; each setter returns a copy.
 *
 * <pre>{@code
 * SubscriberOptions.tethered();                                   // back-pressure, start at the tail
 * SubscriberOptions.untethered().lossHandler(onLoss);             // never slows publishers
 * SubscriberOptions.durable("audit").startAt(StartPosition.OLDEST);
 * }</pre>
 */
public final class SubscriberOptions
{
    /**
     * What a subscriber does to publishers and what it keeps across restarts.
     */
    public enum Policy
    {
        /** Publishers never overwrite what it has not read. */
        TETHERED,
        /** Never slows publishers; told exactly what it lost when lapped. */
        UNTETHERED,
        /** Tethered, and its position outlives it: reopening by name resumes at the next message. */
        DURABLE
    }

    /**
     * Where a new subscriber starts reading.
     */
    public enum StartPosition
    {
        /** With the next message published after it attaches. */
        TAIL,
        /** With the oldest message still retained in the ring. */
        OLDEST
    }

    /**
     * Longest durable subscriber name, in bytes of US-ASCII.
     */
    public static final int MAX_NAME_LENGTH = 48;

    /**
     * Default {@link #holdLimitNs(long)}: 10 seconds.
     */
    public static final long DEFAULT_HOLD_LIMIT_NS = 10_000_000_000L;

    /**
     * {@link #expireAfterNs(long)} that never expires (the default).
     */
    public static final long NEVER_EXPIRE = -1;

    private static final LossHandler NO_LOSS_HANDLER = (messages, bytes, from, to) -> {};

    private final Policy policy;
    private final String name;
    private final StartPosition startPosition;
    private final LossHandler lossHandler;
    private final WaitStrategy waitStrategy;
    private final long holdLimitNs;
    private final long expireAfterNs;
    private final SlowConsumerPolicy slowConsumerPolicy;
    private final long slowConsumerTimeoutNs;

    private SubscriberOptions(
        final Policy policy,
        final String name,
        final StartPosition startPosition,
        final LossHandler lossHandler,
        final WaitStrategy waitStrategy,
        final long holdLimitNs,
        final long expireAfterNs)
    {
        this(policy, name, startPosition, lossHandler, waitStrategy, holdLimitNs, expireAfterNs,
            SlowConsumerPolicy.KEEP, -1);
    }

    private SubscriberOptions(
        final Policy policy,
        final String name,
        final StartPosition startPosition,
        final LossHandler lossHandler,
        final WaitStrategy waitStrategy,
        final long holdLimitNs,
        final long expireAfterNs,
        final SlowConsumerPolicy slowConsumerPolicy,
        final long slowConsumerTimeoutNs)
    {
        this.slowConsumerPolicy = slowConsumerPolicy;
        this.slowConsumerTimeoutNs = slowConsumerTimeoutNs;
        this.holdLimitNs = holdLimitNs;
        this.expireAfterNs = expireAfterNs;
        this.policy = policy;
        this.name = name;
        this.startPosition = startPosition;
        this.lossHandler = lossHandler;
        this.waitStrategy = waitStrategy;
    }

    /**
     * @return a tethered subscriber starting at the tail.
     */
    public static SubscriberOptions tethered()
    {
        return new SubscriberOptions(Policy.TETHERED, null, StartPosition.TAIL, NO_LOSS_HANDLER,
            WaitStrategy.spinYieldFutex(),
            DEFAULT_HOLD_LIMIT_NS, NEVER_EXPIRE);
    }

    /**
     * @return an untethered subscriber starting at the tail, with no loss handler.
     */
    public static SubscriberOptions untethered()
    {
        return new SubscriberOptions(Policy.UNTETHERED, null, StartPosition.TAIL, NO_LOSS_HANDLER,
            WaitStrategy.spinYieldFutex(),
            DEFAULT_HOLD_LIMIT_NS, NEVER_EXPIRE);
    }

    /**
     * @param name identifies the subscriber across restarts: 1 to {@value #MAX_NAME_LENGTH} characters of
     *             {@code [A-Za-z0-9._-]}.
     * @return a durable subscriber that, the first time, starts at the tail.
     */
    public static SubscriberOptions durable(final String name)
    {
        validateName(name);
        return new SubscriberOptions(Policy.DURABLE, name, StartPosition.TAIL, NO_LOSS_HANDLER,
            WaitStrategy.spinYieldFutex(),
            DEFAULT_HOLD_LIMIT_NS, NEVER_EXPIRE);
    }

    /**
     * @param startPosition where to start (for a durable subscriber: only the first time).
     * @return a copy with that start position.
     */
    public SubscriberOptions startAt(final StartPosition startPosition)
    {
        return new SubscriberOptions(policy, name, Objects.requireNonNull(startPosition), lossHandler, waitStrategy,
            holdLimitNs, expireAfterNs, slowConsumerPolicy, slowConsumerTimeoutNs);
    }

    /**
     * @param lossHandler told of every gap (untethered subscribers only).
     * @return a copy with that handler.
     */
    public SubscriberOptions lossHandler(final LossHandler lossHandler)
    {
        return new SubscriberOptions(policy, name, startPosition, Objects.requireNonNull(lossHandler), waitStrategy,
            holdLimitNs, expireAfterNs, slowConsumerPolicy, slowConsumerTimeoutNs);
    }

    /**
     * @param waitStrategy how {@link Subscriber#poll(MessageHandler, int, long)} and the subscriber's idle
     *                     strategy wait (default {@link WaitStrategy#spinYieldFutex()}).
     * @return a copy with that strategy.
     */
    public SubscriberOptions waitStrategy(final WaitStrategy waitStrategy)
    {
        return new SubscriberOptions(policy, name, startPosition, lossHandler, Objects.requireNonNull(waitStrategy),
            holdLimitNs, expireAfterNs, slowConsumerPolicy, slowConsumerTimeoutNs);
    }

    /**
     * How long a durable subscriber that is away (closed, or dead) may hold publishers back. Past that, the
     * ring is reused over its unread messages, and when it returns it resumes at the oldest retained message
     * and its {@link LossHandler} is told exactly how many it lost.
     *
     * @param holdLimitNs nanoseconds (millisecond resolution), or a negative value to hold publishers back for
     *                    as long as it is away.
     * @return a copy with that limit.
     */
    public SubscriberOptions holdLimitNs(final long holdLimitNs)
    {
        return new SubscriberOptions(policy, name, startPosition, lossHandler, waitStrategy, holdLimitNs,
            expireAfterNs, slowConsumerPolicy, slowConsumerTimeoutNs);
    }

    /**
     * How long a durable subscription may stay away (closed, or its process dead) before it is dropped: its slot is
     * freed by the next participant that needs a slot or looks for it by name, and a later subscriber of the same
     * name starts afresh from its start position, as if new. By default a durable subscription never expires; it
     * can always be dropped with {@link Topic#dropDurable(String)}.
     *
     * @param expireAfterNs nanoseconds (millisecond resolution), or {@link #NEVER_EXPIRE}.
     * @return a copy with that expiry.
     */
    public SubscriberOptions expireAfterNs(final long expireAfterNs)
    {
        return new SubscriberOptions(policy, name, startPosition, lossHandler, waitStrategy, holdLimitNs,
            expireAfterNs, slowConsumerPolicy, slowConsumerTimeoutNs);
    }

    /**
     * What publishers do about this subscriber when it stops making progress while it holds them back: keep
     * waiting for it ({@link SlowConsumerPolicy#KEEP}, the default) or, once it has made no progress for
     * {@code timeoutNs} while a publisher needs the space it holds, demote a tethered one to untethered
     * ({@link SlowConsumerPolicy#DEMOTE}) or detach a durable one ({@link SlowConsumerPolicy#DETACH}): a market-data
     * feed does not stop because one strategy froze. Either is logged and counted by the publisher that makes it,
     * and shown by {@code shmbus stat}; the subscriber learns its exact loss when it reads again.
     *
     * @param slowConsumerPolicy what to do.
     * @param timeoutNs          how long it may make no progress while holding publishers back (millisecond
     *                           resolution, at least 1 ms); ignored for {@link SlowConsumerPolicy#KEEP}.
     * @return a copy with that policy.
     * @throws IllegalArgumentException for DEMOTE on a subscriber that is not tethered, DETACH on one that is not
     *                                  durable, or a timeout below 1 ms.
     */
    public SubscriberOptions slowConsumer(final SlowConsumerPolicy slowConsumerPolicy, final long timeoutNs)
    {
        Objects.requireNonNull(slowConsumerPolicy);
        if (slowConsumerPolicy != SlowConsumerPolicy.KEEP)
        {
            if (slowConsumerPolicy == SlowConsumerPolicy.DEMOTE && policy != Policy.TETHERED)
            {
                throw new IllegalArgumentException("only a tethered subscriber can be demoted; this one is " + policy +
                    " (a durable one can be detached: SlowConsumerPolicy.DETACH)");
            }
            if (slowConsumerPolicy == SlowConsumerPolicy.DETACH && policy != Policy.DURABLE)
            {
                throw new IllegalArgumentException("only a durable subscriber can be detached; this one is " + policy +
                    " (a tethered one can be demoted: SlowConsumerPolicy.DEMOTE)");
            }
            if (timeoutNs < 1_000_000)
            {
                throw new IllegalArgumentException("slow consumer timeout " + timeoutNs + " ns is below 1 ms");
            }
        }
        return new SubscriberOptions(policy, name, startPosition, lossHandler, waitStrategy, holdLimitNs,
            expireAfterNs, slowConsumerPolicy, slowConsumerPolicy == SlowConsumerPolicy.KEEP ? -1 : timeoutNs);
    }

    /**
     * @return what publishers do about this subscriber when it stalls.
     */
    public SlowConsumerPolicy slowConsumerPolicy()
    {
        return slowConsumerPolicy;
    }

    /**
     * @return how long it may stall while holding publishers back before the policy applies (-1 with KEEP).
     */
    public long slowConsumerTimeoutNs()
    {
        return slowConsumerTimeoutNs;
    }

    /**
     * @return how long a durable subscription may stay away before it is dropped (negative: never).
     */
    public long expireAfterNs()
    {
        return expireAfterNs;
    }

    /**
     * @return how long a durable subscriber that is away may hold publishers back (negative: for ever).
     */
    public long holdLimitNs()
    {
        return holdLimitNs;
    }

    /**
     * @return how the subscriber waits.
     */
    public WaitStrategy waitStrategy()
    {
        return waitStrategy;
    }

    /**
     * @return the policy.
     */
    public Policy policy()
    {
        return policy;
    }

    /**
     * @return the durable name, or null.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return where a new subscriber starts.
     */
    public StartPosition startPosition()
    {
        return startPosition;
    }

    /**
     * @return the loss handler.
     */
    public LossHandler lossHandler()
    {
        return lossHandler;
    }

    private static void validateName(final String name)
    {
        if (null == name || name.isEmpty() || name.length() > MAX_NAME_LENGTH)
        {
            throw new IllegalArgumentException(
                "durable subscriber name must be 1 to " + MAX_NAME_LENGTH + " characters: " + name);
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' ||
                c == '-'))
            {
                throw new IllegalArgumentException(
                    "durable subscriber name may hold only [A-Za-z0-9._-], found '" + c + "' in: " + name);
            }
        }
    }

    @Override
    public String toString()
    {
        return policy + (null != name ? "(" + name + ")" : "") + " from " + startPosition + ", " + waitStrategy;
    }
}
