package io.shmbus.impl.ring;

import io.shmbus.impl.liveness.Liveness;
import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.layout.PublisherSlotDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static io.shmbus.Publisher.ADMIN_ACTION;
import static io.shmbus.Publisher.BACK_PRESSURED;
import static io.shmbus.Publisher.NOT_CONNECTED;
import static io.shmbus.impl.layout.RecordDescriptor.ALIGNMENT;

/**
 * A publisher's slow path: making room for a claim that does not fit below its cached limit. It runs a cleaning
 * round, or finds another participant's round in the way (and takes it over once it shows no progress), pads over
 * holes, and, back-pressured, demotes stalled subscribers and releases dead peers in the way. Reached once per
 * quarter of the ring, or when a claim is refused: nothing here is on the per-message path.
 *
 * <p>One per publisher, used by that publisher's thread only: it keeps what the publisher watches between
 * refusals (a stalled round, stalled subscribers).
 */
final class RoomMaker
{
    private static final Logger LOG = LoggerFactory.getLogger(RoomMaker.class);
    /** How long a cleaning round's owner may show no progress before this publisher takes the round over. */
    static final long TAKE_OVER_PATIENCE_NS = 200_000;
    /** The patience in force: {@link #TAKE_OVER_PATIENCE_NS}; tests of this package lower it to force takeovers. */
    static volatile long takeOverPatienceNs = TAKE_OVER_PATIENCE_NS;

    private final Ring ring;
    private final UnsafeBuffer control;
    private final int capacity;
    private final short publisherId;
    private final int slotOffset;
    private final boolean requireSubscriber;
    private final Liveness liveness;
    private final long[] nearestHole = new long[1];
    private final long[] stallSeen;
    private final long[] stallSinceNs;
    private boolean watchingStalls;
    private long watchedWord;
    private long watchedProgress;
    private long watchedSinceNs;

    /**
     * @param ring        the topic's ring.
     * @param publisherId the publisher's slot index.
     * @param slotOffset  the publisher's slot in the control region.
     * @param liveness    finds and repairs dead peers in the way.
     */
    RoomMaker(final Ring ring, final short publisherId, final int slotOffset, final Liveness liveness)
    {
        this.ring = ring;
        this.control = ring.control;
        this.capacity = ring.capacity;
        this.publisherId = publisherId;
        this.slotOffset = slotOffset;
        this.requireSubscriber = ring.requireSubscriber;
        this.liveness = liveness;
        this.stallSeen = new long[ring.maxSubscribers];
        this.stallSinceNs = new long[ring.maxSubscribers];
    }

    /**
     * Make room for a claim from {@code tail} that must end at {@code requiredEnd}. Also answers NOT_CONNECTED, and
     * {@link RingPublisher#PAD} when a hole left by a stalled cleaner is in the way: the claim must then be one
     * padding record from the tail to the publisher's {@link RingPublisher#padTo} (there is room for it), and the
     * caller tries again after it.
     *
     * @param publisher   the publisher claiming: its cached limit and pad target are updated here.
     * @param tail        the claim's start.
     * @param requiredEnd the claim's end position.
     * @return 0 when the claim now fits below the publisher's {@link RingPublisher#limitCache},
     * {@link RingPublisher#PAD}, or a negative status.
     */
    long makeRoom(final RingPublisher publisher, final long tail, final long requiredEnd)
    {
        if (requireSubscriber && control.getIntVolatile(ControlDescriptor.SUBSCRIBER_COUNT_OFFSET) == 0)
        {
            return NOT_CONNECTED;
        }
        final CleaningRound round = ring.round;
        final ZeroingSteps steps = ring.steps;
        long end = requiredEnd;
        while (true)
        {
            // Checked: a negative limit would overflow below and report room that is not there, for ever.
            long limit = ring.checkPosition(ring.cleanLimit(), "cleanLimit");
            if (limit - capacity > end)
            {
                // The oldest retained record (cleanLimit - capacity) is never past the tail. This claim may start from
                // a tail read long ago (a shared publisher preempted before its CAS, which will fail): only a limit a
                // ring past the tail as it is now, read after the limit (the tail only grows), is corruption.
                final long tailNow = ring.tail();
                if (limit - capacity > tailNow)
                {
                    throw ring.corrupt("cleanLimit " + limit + " is more than a ring (" + capacity + " bytes) ahead " +
                        "of the tail " + tailNow);
                }
            }
            if (limit - ALIGNMENT < end)
            {
                limit = round.reclaim(end, publisherId + 1);
                if (limit == CleaningRound.BUSY)
                {
                    if (liveness.due())
                    {
                        liveness.finishDeadRound();
                    }
                    takeOverIfStalled(round);
                    control.getAndAddLong(slotOffset + PublisherSlotDescriptor.ADMIN_ACTIONS_OFFSET, 1);
                    return ADMIN_ACTION;
                }
            }
            watchedWord = 0;
            // Holes are read after the limit: a taker counts and marks a hole before it publishes any limit over its
            // bytes, so the limit read above comes with every hole below it.
            long nearest = Long.MAX_VALUE;
            long pad = tail;
            if (steps.anyHoles())
            {
                pad = steps.padTarget(tail, requiredEnd, nearestHole);
                nearest = nearestHole[0];
                if (pad > end)
                {
                    end = pad;
                    if (limit - ALIGNMENT < end)
                    {
                        continue; // the padding needs room of its own
                    }
                }
            }
            publisher.limitCache = Math.min(Math.max(publisher.limitCache, limit), nearest);
            if (limit - ALIGNMENT < end)
            {
                control.getAndAddLong(slotOffset + PublisherSlotDescriptor.BACK_PRESSURED_OFFSET, 1);
                publisher.flushCounters();
                // A stalled subscriber is watched from the first refusal of a back-pressured stretch on.
                if (!watchingStalls)
                {
                    java.util.Arrays.fill(stallSeen, -1);
                    watchingStalls = true;
                }
                if (SubscriberScans.demoteStalled(ring, end, stallSeen, stallSinceNs, System.nanoTime()))
                {
                    control.getAndAddLong(slotOffset + PublisherSlotDescriptor.ADMIN_ACTIONS_OFFSET, 1);
                    return ADMIN_ACTION; // it no longer holds the space: try again at once
                }
                if (liveness.due() && liveness.releaseBlockers())
                {
                    control.getAndAddLong(slotOffset + PublisherSlotDescriptor.ADMIN_ACTIONS_OFFSET, 1);
                    return ADMIN_ACTION; // a dead peer was in the way and is gone: try again at once
                }
                return BACK_PRESSURED;
            }
            watchingStalls = false;
            if (pad != tail)
            {
                publisher.padTo = pad;
                return RingPublisher.PAD;
            }
            return 0;
        }
    }

    /**
     * Another participant holds the cleaning round this publisher needs. If the round has shown no progress (no step
     * announced, no new intent) for {@link #TAKE_OVER_PATIENCE_NS} of this publisher's looks, take it over: its
     * owner is stopped, preempted for long, or dead. A false alarm costs a hole of one step, padded over until the
     * owner goes on.
     */
    private void takeOverIfStalled(final CleaningRound round)
    {
        final long word = round.lockWord();
        if (word == 0)
        {
            watchedWord = 0;
            return;
        }
        final long progress = round.progress(word);
        final long now = System.nanoTime();
        if (word != watchedWord || progress != watchedProgress)
        {
            watchedWord = word;
            watchedProgress = progress;
            watchedSinceNs = now;
            return;
        }
        if (now - watchedSinceNs >= takeOverPatienceNs)
        {
            watchedWord = 0;
            if (round.takeOver(word, publisherId + 1))
            {
                LOG.debug("publisher {} of {} took over a cleaning round that made no progress (cleanLock {})",
                    publisherId, ring.source, word);
            }
        }
    }
}
