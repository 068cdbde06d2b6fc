package io.shmbus.aeron;

import io.aeron.ConcurrentPublication;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.ReservedValueSupplier;
import io.aeron.logbuffer.BufferClaim;
import io.shmbus.BusException;
import io.shmbus.Claim;
import io.shmbus.Publisher;
import io.shmbus.spi.ClaimOwner;
import io.shmbus.spi.Claims;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A publisher over an Aeron publication: a {@link ConcurrentPublication} for a shared publisher, an
 * {@link ExclusivePublication} for an exclusive one. Aeron's status codes have the values and meanings of
 * {@link Publisher}'s.
 */
public final class AeronPublisher implements Publisher, ClaimOwner
{
    private static final ReservedValueSupplier TIMESTAMP = (termBuffer, termOffset, frameLength) -> epochNanos();

    /**
     * The buffers one thread needs to publish: the message header to prepend and the claim of Aeron's log.
     */
    private static final class ThreadState
    {
        final UnsafeBuffer header = new UnsafeBuffer(new byte[MessageFraming.HEADER_LENGTH]);
        final BufferClaim bufferClaim = new BufferClaim();
    }

    private final AeronTopic topic;
    private final Publication publication;
    private final ExclusivePublication exclusive;
    private final ConcurrentPublication concurrent;
    private final int publisherId;
    private final int maxMessageLength;
    private final int maxClaimLength;
    private final boolean requireSubscriber;
    private final ReservedValueSupplier reservedValue;
    private final ThreadState exclusiveState;
    private final ThreadLocal<ThreadState> sharedState;
    private final AtomicLong backPressured = new AtomicLong();
    private long publishedMessages;
    private volatile boolean closed;

    AeronPublisher(final AeronTopic topic, final ExclusivePublication publication, final int publisherId)
    {
        this(topic, publication, publication, null, publisherId);
    }

    AeronPublisher(final AeronTopic topic, final ConcurrentPublication publication, final int publisherId)
    {
        this(topic, publication, null, publication, publisherId);
    }

    private AeronPublisher(
        final AeronTopic topic,
        final Publication publication,
        final ExclusivePublication exclusive,
        final ConcurrentPublication concurrent,
        final int publisherId)
    {
        this.topic = topic;
        this.publication = publication;
        this.exclusive = exclusive;
        this.concurrent = concurrent;
        this.publisherId = publisherId;
        this.maxMessageLength = topic.options().maxMessageLength();
        this.maxClaimLength = publication.maxPayloadLength() - MessageFraming.HEADER_LENGTH;
        this.requireSubscriber = topic.options().requireSubscriber();
        this.reservedValue = topic.options().timestamps() ? TIMESTAMP : null;
        if (publication.maxMessageLength() - MessageFraming.HEADER_LENGTH < maxMessageLength)
        {
            publication.close();
            throw new BusException("topic " + topic.name() + ": Aeron publication on '" + publication.channel() +
                "' carries messages up to " + (publication.maxMessageLength() - MessageFraming.HEADER_LENGTH) +
                " bytes, the topic's maxMessageLength is " + maxMessageLength);
        }
        if (null != exclusive)
        {
            exclusiveState = newState();
            sharedState = null;
        }
        else
        {
            exclusiveState = null;
            sharedState = ThreadLocal.withInitial(this::newState);
        }
    }

    private ThreadState newState()
    {
        final ThreadState state = new ThreadState();
        state.header.putInt(MessageFraming.PUBLISHER_ID_OFFSET, publisherId);
        return state;
    }

    private ThreadState state()
    {
        return null != exclusiveState ? exclusiveState : sharedState.get();
    }

    private static long epochNanos()
    {
        final java.time.Instant now = java.time.Instant.now();
        return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
    }

    @Override
    public long offer(final DirectBuffer buffer, final int offset, final int length)
    {
        return offer(buffer, offset, length, 0);
    }

    @Override
    public long offer(final DirectBuffer buffer, final int offset, final int length, final int type)
    {
        checkLength(length);
        buffer.boundsCheck(offset, length);
        if (closed)
        {
            return CLOSED;
        }
        final UnsafeBuffer header = state().header;
        header.putInt(MessageFraming.TYPE_OFFSET, type);
        final long result = null != exclusive ?
            exclusive.offer(header, 0, MessageFraming.HEADER_LENGTH, buffer, offset, length, reservedValue) :
            concurrent.offer(header, 0, MessageFraming.HEADER_LENGTH, buffer, offset, length, reservedValue);
        return outcome(result);
    }

    private long outcome(final long result)
    {
        if (result > 0)
        {
            if (null != exclusive)
            {
                publishedMessages++;
            }
            return result;
        }
        if (result == Publication.NOT_CONNECTED)
        {
            // Nobody subscribes: a topic that does not require a subscriber drops the message, as a ring
            // nobody reads would be overwritten before anybody could see it.
            return requireSubscriber ? NOT_CONNECTED : Math.max(1, publication.position());
        }
        if (result == Publication.BACK_PRESSURED)
        {
            backPressured.incrementAndGet();
            return BACK_PRESSURED;
        }
        if (result == Publication.ADMIN_ACTION)
        {
            return ADMIN_ACTION;
        }
        return CLOSED;
    }

    private void checkLength(final int length)
    {
        if (length < 0 || length > maxMessageLength)
        {
            throw new IllegalArgumentException("message length " + length + " is outside 0 to maxMessageLength " +
                maxMessageLength + " of topic " + topic.name());
        }
    }

    @Override
    public long offerBlocking(
        final DirectBuffer buffer, final int offset, final int length, final int type, final long timeoutNs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        long parkNs = 1_000;
        int spins = 0;
        while (true)
        {
            final long result = offer(buffer, offset, length, type);
            if (result > 0 || result == CLOSED)
            {
                return result;
            }
            if (System.nanoTime() - deadlineNs >= 0)
            {
                return result;
            }
            if (result == ADMIN_ACTION || spins++ < 100)
            {
                Thread.onSpinWait();
            }
            else
            {
                LockSupport.parkNanos(parkNs);
                parkNs = Math.min(parkNs << 1, 1_000_000);
            }
        }
    }

    @Override
    public long tryClaim(final int length, final Claim claim)
    {
        checkLength(length);
        if (length > maxClaimLength)
        {
            throw new BusException("tryClaim of " + length + " bytes on topic " + topic.name() + " exceeds Aeron's " +
                "claim limit of " + maxClaimLength + " bytes (one frame: MTU " + publication.maxPayloadLength() +
                " payload bytes less the " + MessageFraming.HEADER_LENGTH + "-byte message header); " +
                "offer() carries up to " + maxMessageLength + " bytes in fragments");
        }
        if (closed)
        {
            return CLOSED;
        }
        final BufferClaim bufferClaim = state().bufferClaim;
        final long result = null != exclusive ?
            exclusive.tryClaim(length + MessageFraming.HEADER_LENGTH, bufferClaim) :
            concurrent.tryClaim(length + MessageFraming.HEADER_LENGTH, bufferClaim);
        if (result <= 0)
        {
            return outcome(result);
        }
        final UnsafeBuffer frame = (UnsafeBuffer)bufferClaim.buffer();
        final int headerOffset = bufferClaim.offset();
        frame.putInt(headerOffset + MessageFraming.PUBLISHER_ID_OFFSET, publisherId);
        Claims.wrap(claim, this, frame, headerOffset, headerOffset + MessageFraming.HEADER_LENGTH, length,
            result - align(length + MessageFraming.HEADER_LENGTH +
                io.aeron.protocol.DataHeaderFlyweight.HEADER_LENGTH));
        return result;
    }

    private static long align(final int frameLength)
    {
        return (frameLength + io.aeron.logbuffer.FrameDescriptor.FRAME_ALIGNMENT - 1) &
            -io.aeron.logbuffer.FrameDescriptor.FRAME_ALIGNMENT;
    }

    @Override
    public void commitClaim(final Claim claim)
    {
        final BufferClaim bufferClaim = state().bufferClaim;
        bufferClaim.buffer().putInt(Claims.recordOffset(claim) + MessageFraming.TYPE_OFFSET, claim.type());
        if (null != reservedValue)
        {
            bufferClaim.reservedValue(epochNanos());
        }
        bufferClaim.commit();
        if (null != exclusive)
        {
            publishedMessages++;
        }
    }

    @Override
    public void abortClaim(final Claim claim)
    {
        state().bufferClaim.abort();
    }

    @Override
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    /**
     * @return the longest message {@link #tryClaim(int, Claim)} takes: one Aeron frame less the message header.
     */
    public int maxClaimLength()
    {
        return maxClaimLength;
    }

    @Override
    public boolean isConnected()
    {
        return publication.isConnected();
    }

    @Override
    public int id()
    {
        return publisherId;
    }

    @Override
    public long position()
    {
        return closed ? 0 : publication.position();
    }

    boolean isExclusive()
    {
        return null != exclusive;
    }

    long publishedMessages()
    {
        return publishedMessages;
    }

    long backPressuredCount()
    {
        return backPressured.get();
    }

    /**
     * @return the Aeron session id of this publisher's publication.
     */
    public int sessionId()
    {
        return publication.sessionId();
    }

    @Override
    public boolean isClosed()
    {
        return closed || topic.isClosed();
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        publication.close();
        topic.removed(this);
    }
}
