package io.shmbus.impl.ring;

import io.shmbus.impl.signal.BackOff;
import io.shmbus.impl.signal.Sleeper;
import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.layout.PublisherSlotDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.shmbus.Publisher.ADMIN_ACTION;
import static io.shmbus.Publisher.CLOSED;

/**
 * A publisher's blocking offer ({@link RingPublisher#offerBlocking}): offer, and while there is no room, sleep on
 * the space word until a round makes some, backing off from other participants' rounds in the way. One per
 * publisher, used by that publisher's thread only; it holds the offer being retried, so the retry allocates nothing.
 */
final class BlockingOffer
{
    /** Longest single sleep waiting for space: how often a back-pressured publisher looks for dead peers. */
    static final long SPACE_SLICE_NS = 50_000_000;
    /** The longest single park of a blocking offer backing off from ADMIN_ACTION. */
    static final long ADMIN_PARK_MAX_NS = 50_000;
    /** How long a blocking offer backs off from ADMIN_ACTION before it sleeps a space slice instead. */
    static final long ADMIN_PATIENCE_NS = 2_000_000;

    private final RingPublisher publisher;
    private final UnsafeBuffer control;
    private final int slotOffset;
    private final Sleeper spaceSleeper;
    private final BackOff adminBackOff = new BackOff(ADMIN_PARK_MAX_NS);
    private final java.util.function.BooleanSupplier retryOffer = this::retryOffer;
    private DirectBuffer pendingBuffer;
    private int pendingOffset;
    private int pendingLength;
    private int pendingType;
    private long pendingResult;

    /**
     * @param publisher  the publisher whose offers block.
     * @param control    the control region.
     * @param slotOffset the publisher's slot in the control region.
     */
    BlockingOffer(final RingPublisher publisher, final UnsafeBuffer control, final int slotOffset)
    {
        this.publisher = publisher;
        this.control = control;
        this.slotOffset = slotOffset;
        this.spaceSleeper = new Sleeper(
            control,
            ControlDescriptor.SPACE_SIGNAL_OFFSET,
            ControlDescriptor.SPACE_WAITERS_OFFSET,
            ControlDescriptor.BLOCKING_PUBLISHERS_OFFSET,
            -1,
            -1,
            slotOffset + PublisherSlotDescriptor.SLEEPING_OFFSET);
    }

    /**
     * Offer, and while it is refused, wait for space up to {@code timeoutNs}.
     *
     * @return as {@link RingPublisher#offerBlocking}.
     */
    long offer(final DirectBuffer buffer, final int offset, final int length, final int type, final long timeoutNs)
    {
        final long first = publisher.offer(buffer, offset, length, type);
        if (first > 0 || first == CLOSED)
        {
            return first;
        }
        pendingBuffer = buffer;
        pendingOffset = offset;
        pendingLength = length;
        pendingType = type;
        pendingResult = first;
        try
        {
            registerBlocking();
            spaceSleeper.await(retryOffer, timeoutNs, SPACE_SLICE_NS);
            return pendingResult;
        }
        catch (final InternalError error)
        {
            throw publisher.ring.memoryFault(error);
        }
        finally
        {
            pendingBuffer = null;
        }
    }

    /**
     * One attempt of {@link #offer}: offer, and while another participant's cleaning round is in the way
     * (ADMIN_ACTION), back off rather than spin: a few spins and yields (a round takes microseconds), then parks
     * that double from 1 us up to {@link #ADMIN_PARK_MAX_NS}, for at most {@link #ADMIN_PATIENCE_NS} in all. A
     * round still in the way after that (its owner was preempted, stopped or paused by a GC) hands back to the
     * space sleeper, which sleeps on the space word for a slice and tries again, so a blocked caller burns no
     * CPU however long the round takes, and its timeout holds.
     */
    private boolean retryOffer()
    {
        long result = publisher.offer(pendingBuffer, pendingOffset, pendingLength, pendingType);
        if (result == ADMIN_ACTION)
        {
            final BackOff backOff = adminBackOff;
            backOff.reset();
            final long deadline = System.nanoTime() + ADMIN_PATIENCE_NS;
            do
            {
                backOff.idle();
                result = publisher.offer(pendingBuffer, pendingOffset, pendingLength, pendingType);
            }
            while (result == ADMIN_ACTION && System.nanoTime() - deadline < 0);
        }
        pendingResult = result;
        return result > 0 || result == CLOSED;
    }

    /**
     * Register as a publisher that may sleep for space. Where this process cannot issue the expedited barrier the
     * sleeper counts itself in blockingPublishers; the slot's flag, set after that add, lets a repair take a dead
     * publisher out of the count (else every poll of every subscriber would fence for good).
     */
    private void registerBlocking()
    {
        final boolean before = spaceSleeper.isCounted();
        spaceSleeper.registerBlocking();
        if (!before && spaceSleeper.isCounted())
        {
            control.putIntVolatile(slotOffset + PublisherSlotDescriptor.BLOCKING_OFFSET, 1);
        }
    }

    /**
     * On the publisher's close: no longer a publisher that may sleep for space.
     */
    void close()
    {
        if (spaceSleeper.isCounted())
        {
            // Flag first, count second: killed between the two, the count stays one too high (needless
            // fences), never one too low after a repair subtracts it again.
            control.putIntVolatile(slotOffset + PublisherSlotDescriptor.BLOCKING_OFFSET, 0);
        }
        spaceSleeper.unregisterBlocking();
    }
}
