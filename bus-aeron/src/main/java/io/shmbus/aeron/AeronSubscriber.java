package io.shmbus.aeron;

import io.aeron.ControlledFragmentAssembler;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.Header;
import io.aeron.protocol.DataHeaderFlyweight;
import io.shmbus.MessageHandler;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.TopicCorruptedException;
import io.shmbus.WaitStrategy;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/**
 * A subscriber over an Aeron subscription: tethered (Aeron's default) or untethered ({@code tether=false}).
 * Fragmented messages are reassembled; each message is delivered once, in the order of its publisher.
 * Messages of different publishers (Aeron sessions) interleave as their images are polled.
 */
public final class AeronSubscriber implements Subscriber, ControlledFragmentHandler
{
    private static final long MAX_WAIT_PARK_NS = 1_000_000;

    /**
     * Where a session's stream stood after the last message read from it.
     */
    private static final class SessionPosition
    {
        long nextPosition;
    }

    private final AeronTopic topic;
    private final Subscription subscription;
    private final SubscriberOptions options;
    private final int id;
    private final boolean timestamps;
    private final boolean untethered;
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this);
    private final ControlledFragmentHandler peek = this::peek;
    private final AeronMessageHeader metadata = new AeronMessageHeader();
    private final Int2ObjectHashMap<SessionPosition> sessions = new Int2ObjectHashMap<>();
    private final IdleStrategy waitIdle;
    private MessageHandler handler;
    private int batchLimit;
    private int batchCount;
    private boolean available;
    private RuntimeException failure;
    private Error error;
    private volatile long position;
    private volatile long delivered;
    private volatile long lostSpans;
    private volatile long lostBytes;
    private volatile boolean closed;

    AeronSubscriber(
        final AeronTopic topic, final Subscription subscription, final SubscriberOptions options, final int id)
    {
        this.topic = topic;
        this.subscription = subscription;
        this.options = options;
        this.id = id;
        this.timestamps = topic.options().timestamps();
        this.untethered = options.policy() == SubscriberOptions.Policy.UNTETHERED;
        this.waitIdle = idleFor(options.waitStrategy(), MAX_WAIT_PARK_NS);
    }

    private static IdleStrategy idleFor(final WaitStrategy strategy, final long maxParkNs)
    {
        return switch (strategy.kind())
        {
            case BUSY_SPIN -> new BusySpinIdleStrategy();
            case YIELD -> new YieldingIdleStrategy();
            case BACKOFF -> new BackoffIdleStrategy(
                strategy.spins(), strategy.yields(), 1_000, Math.min(strategy.maxParkNs(), maxParkNs));
            // No futex over Aeron: spin, yield, then park in growing steps.
            case SPIN_YIELD_FUTEX -> new BackoffIdleStrategy(
                Math.max(1, strategy.spins()), Math.max(1, strategy.yields()), 1_000, maxParkNs);
        };
    }

    @Override
    public int poll(final MessageHandler handler, final int messageLimit)
    {
        if (closed || topic.isClosed() || messageLimit <= 0)
        {
            return 0;
        }
        this.handler = handler;
        this.batchLimit = messageLimit;
        this.batchCount = 0;
        subscription.controlledPoll(assembler, Integer.MAX_VALUE);
        this.handler = null;
        final int count = batchCount;
        if (null != failure)
        {
            final RuntimeException thrown = failure;
            failure = null;
            throw thrown;
        }
        if (null != error)
        {
            final Error thrown = error;
            error = null;
            throw thrown;
        }
        return count;
    }

    @Override
    public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (batchCount >= batchLimit)
        {
            return Action.ABORT;
        }
        final long nextPosition = header.position();
        if (length < MessageFraming.HEADER_LENGTH)
        {
            failure = new TopicCorruptedException("topic " + topic.name() + ": a message of " + length +
                " bytes at position " + nextPosition + " of Aeron session " + header.sessionId() +
                " is shorter than the " + MessageFraming.HEADER_LENGTH + "-byte shmbus header: not written by a " +
                "shmbus publisher (another application on channel '" + topic.channel() + "' stream " +
                topic.streamId() + "?)");
            return Action.BREAK;
        }
        final long messagePosition = nextPosition - framedLength(length, header);
        if (untethered)
        {
            trackLoss(header.sessionId(), messagePosition, nextPosition);
        }
        final AeronMessageHeader metadata = this.metadata;
        metadata.position = messagePosition;
        metadata.nextPosition = nextPosition;
        metadata.length = length - MessageFraming.HEADER_LENGTH;
        metadata.type = buffer.getInt(offset + MessageFraming.TYPE_OFFSET);
        metadata.publisherId = buffer.getInt(offset + MessageFraming.PUBLISHER_ID_OFFSET);
        metadata.timestampNs = timestamps ? header.reservedValue() : 0;
        batchCount++;
        position = nextPosition;
        delivered++;
        try
        {
            handler.onMessage(buffer, offset + MessageFraming.HEADER_LENGTH, metadata.length, metadata);
        }
        catch (final RuntimeException ex)
        {
            failure = ex;
            return Action.BREAK;
        }
        catch (final Error ex)
        {
            error = ex;
            return Action.BREAK;
        }
        return batchCount >= batchLimit ? Action.BREAK : Action.CONTINUE;
    }

    private void trackLoss(final int sessionId, final long messagePosition, final long nextPosition)
    {
        SessionPosition session = sessions.get(sessionId);
        if (null == session)
        {
            session = new SessionPosition();
            sessions.put(sessionId, session);
        }
        else if (messagePosition > session.nextPosition)
        {
            lostSpans++;
            lostBytes += messagePosition - session.nextPosition;
        }
        session.nextPosition = nextPosition;
    }

    /**
     * The bytes a message of this length takes in the stream: its frames, each with a data header, aligned.
     */
    private static long framedLength(final int length, final Header header)
    {
        final int mtu = header.context() instanceof Image image ? image.mtuLength() : 0;
        final int maxPayload = mtu - DataHeaderFlyweight.HEADER_LENGTH;
        if (mtu <= 0 || length <= maxPayload)
        {
            return align(length + DataHeaderFlyweight.HEADER_LENGTH);
        }
        final int fullFrames = length / maxPayload;
        final int remainder = length - fullFrames * maxPayload;
        return (long)fullFrames * align(mtu) +
            (remainder > 0 ? align(remainder + DataHeaderFlyweight.HEADER_LENGTH) : 0);
    }

    private static long align(final int frameLength)
    {
        return (frameLength + FrameDescriptor.FRAME_ALIGNMENT - 1) & -FrameDescriptor.FRAME_ALIGNMENT;
    }

    private Action peek(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        available = true;
        return Action.ABORT;
    }

    private boolean hasMessage()
    {
        if (closed || topic.isClosed())
        {
            return false;
        }
        available = false;
        subscription.controlledPoll(peek, 1);
        return available;
    }

    @Override
    public int poll(final MessageHandler handler, final int messageLimit, final long timeoutNs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        waitIdle.reset();
        while (true)
        {
            final int count = poll(handler, messageLimit);
            if (count > 0 || closed || System.nanoTime() - deadlineNs >= 0)
            {
                return count;
            }
            waitIdle.idle();
        }
    }

    @Override
    public boolean awaitMessage(final long timeoutNs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        waitIdle.reset();
        while (true)
        {
            if (hasMessage())
            {
                return true;
            }
            if (closed || System.nanoTime() - deadlineNs >= 0)
            {
                return false;
            }
            waitIdle.idle();
        }
    }

    @Override
    public IdleStrategy idleStrategy(final long maxSleepNs)
    {
        return idleFor(options.waitStrategy(), Math.max(1_000, maxSleepNs));
    }

    /**
     * @return true when a message (or the first fragment of one) is ready to poll.
     */
    boolean isReady()
    {
        return hasMessage();
    }

    /**
     * @return the Aeron subscription (for its images and connection state).
     */
    public Subscription subscription()
    {
        return subscription;
    }

    /**
     * @return the position after the last message delivered, in the stream of that message's publisher.
     */
    @Override
    public long position()
    {
        return position;
    }

    @Override
    public long deliveredMessages()
    {
        return delivered;
    }

    /**
     * @return the number of spans an untethered subscriber skipped (Aeron tells bytes, not messages: each
     * span is at least one message); 0 for a tethered subscriber.
     */
    @Override
    public long lostMessages()
    {
        return lostSpans;
    }

    @Override
    public long lostBytes()
    {
        return lostBytes;
    }

    @Override
    public int id()
    {
        return id;
    }

    SubscriberOptions.Policy policy()
    {
        return options.policy();
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
        subscription.close();
        topic.removed(this);
    }
}
