package io.shmbus.aeron.bridge;

import io.aeron.ControlledFragmentAssembler;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.shmbus.Bus;
import io.shmbus.BusException;
import io.shmbus.BusOptions;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Topic;
import io.shmbus.TopicNotFoundException;
import io.shmbus.TopicOptions;
import io.shmbus.aeron.AeronBus;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * The in side of the bridge: receives numbered messages from an Aeron channel and publishes each one exactly
 * once, in order, into a local topic, as its only (exclusive) publisher: far subscribers see its publisher id
 * for every message; the source publisher's id and positions travel only in the frames.
 *
 * <p>It drops what it has already published (by sequence), reports a gap exactly (count, sequences and
 * source positions; in the log and in its state file) when the out side could not send something, and asks a
 * tethered out side to send again when it sees a sequence beyond the next one. Its last published sequence
 * survives a {@code kill -9}: before each publication it records the sequence and the topic's tail; after a
 * restart, a tail beyond the recorded one proves the message was published.
 */
public final class BridgeIn implements AutoCloseable, ControlledFragmentHandler
{
    private static final Logger LOG = LoggerFactory.getLogger(BridgeIn.class);
    private static final long ACK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long ACK_HEARTBEAT_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long RESEND_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(20);

    private final BridgeSettings settings;
    private final Bus localBus;
    private final Topic topic;
    private final Publisher publisher;
    private final BridgeState state;
    private final BridgeStatus status;
    private final AeronBus aeronBus;
    private final Subscription subscription;
    private final ExclusivePublication ackPublication;
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this);
    private final UnsafeBuffer ack = new UnsafeBuffer(new byte[BridgeProtocol.ACK_LENGTH]);
    private final long incarnation = BridgeSupport.newEpoch();
    private long epoch;
    private long lastSequence;
    private long lastNextPosition;
    private long ackedSequence = -1;
    private long lastAckNs;
    private long lastResendRequestNs;
    private long lastHeartbeatNs;
    private boolean resendWanted;
    private volatile boolean running = true;

    /**
     * Open (or create) the local topic, recover the last published sequence, and open the Aeron channels.
     *
     * @param settings the bridge settings.
     * @throws BusException naming what failed.
     */
    public BridgeIn(final BridgeSettings settings)
    {
        this.settings = settings;
        final java.nio.file.Path stateDirectory = settings.stateDirectory("in");
        Bus bus = null;
        BridgeState openedState = null;
        BridgeStatus openedStatus = null;
        AeronBus openedAeron = null;
        Publisher openedPublisher = null;
        try
        {
            bus = Bus.open(BusOptions.builder().directory(settings.busDirectory).transport("shm").build());
            this.localBus = bus;
            openedStatus = BridgeStatus.create(settings, "in", stateDirectory);
            this.status = openedStatus;
            Topic local;
            try
            {
                local = bus.openTopic(settings.topic);
            }
            catch (final TopicNotFoundException ex)
            {
                local = bus.topic(settings.topic, TopicOptions.builder().capacityBytes(settings.capacityBytes)
                    .maxMessageLength(settings.maxMessageLength).build());
            }
            this.topic = local;
            openedPublisher = topic.publisher(PublisherOptions.exclusive());
            this.publisher = openedPublisher;
            openedState = BridgeState.open(stateDirectory.resolve("in-" + settings.topic + ".state"),
                BridgeState.ROLE_IN);
            this.state = openedState;
            recover();
            openedAeron = BridgeSupport.aeronBus(settings, stateDirectory);
            this.aeronBus = openedAeron;
            this.subscription = BridgeSupport.subscription(aeronBus, settings.channel, settings.streamId, "data");
            this.ackPublication = BridgeSupport.publication(aeronBus, settings.ackChannel, settings.ackStreamId,
                "acks");
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(openedAeron, openedState, openedPublisher, openedStatus, bus);
            throw ex;
        }
        ack.putInt(BridgeProtocol.FRAME_TYPE_OFFSET, BridgeProtocol.ACK);
        ack.putLong(BridgeProtocol.ACK_INCARNATION_OFFSET, incarnation);
        LOG.info("bridge in: {}; epoch {}, last published sequence {} (source next position {})", settings,
            Long.toHexString(epoch), lastSequence, lastNextPosition);
    }

    private void recover()
    {
        state.heartbeat();
        final long pendingSequence = state.get(BridgeState.IN_PENDING_SEQUENCE_OFFSET);
        if (0 != pendingSequence)
        {
            final long tail = publisher.position();
            final long pendingTail = state.get(BridgeState.IN_PENDING_TAIL_OFFSET);
            if (tail > pendingTail)
            {
                // The message was published before the previous life ended: it counts as delivered.
                state.put(BridgeState.IN_LAST_NEXT_POSITION_OFFSET,
                    state.get(BridgeState.IN_PENDING_NEXT_POSITION_OFFSET));
                state.put(BridgeState.EPOCH_OFFSET, state.get(BridgeState.IN_PENDING_EPOCH_OFFSET));
                state.put(BridgeState.IN_LAST_SEQUENCE_OFFSET, pendingSequence);
                state.add(BridgeState.IN_DELIVERED_OFFSET, 1);
                LOG.info("bridge in: sequence {} was published before the restart (tail {} > {})",
                    pendingSequence, tail, pendingTail);
            }
            state.put(BridgeState.IN_PENDING_SEQUENCE_OFFSET, 0);
        }
        epoch = state.get(BridgeState.EPOCH_OFFSET);
        lastSequence = state.get(BridgeState.IN_LAST_SEQUENCE_OFFSET);
        lastNextPosition = state.get(BridgeState.IN_LAST_NEXT_POSITION_OFFSET);
        status.set(BridgeStatus.Counter.LAST_SEQUENCE, lastSequence);
        status.set(BridgeStatus.Counter.EPOCH, epoch);
    }

    @Override
    public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < BridgeProtocol.DATA_HEADER_LENGTH ||
            buffer.getInt(offset + BridgeProtocol.FRAME_TYPE_OFFSET) != BridgeProtocol.DATA)
        {
            LOG.warn("bridge in: dropped a frame of {} bytes that is not a bridge data frame (session {})",
                length, header.sessionId());
            status.increment(BridgeStatus.Counter.FRAMES_RECEIVED);
            return Action.CONTINUE;
        }
        final long frameEpoch = buffer.getLong(offset + BridgeProtocol.EPOCH_OFFSET);
        final long sequence = buffer.getLong(offset + BridgeProtocol.SEQUENCE_OFFSET);
        final boolean reliable =
            (buffer.getInt(offset + BridgeProtocol.FLAGS_OFFSET) & BridgeProtocol.FLAG_RELIABLE) != 0;
        if (frameEpoch != epoch)
        {
            LOG.info("bridge in: a new stream epoch {} (was {}): numbering starts again", Long.toHexString(frameEpoch),
                Long.toHexString(epoch));
            state.put(BridgeState.IN_LAST_SEQUENCE_OFFSET, 0);
            state.put(BridgeState.IN_LAST_NEXT_POSITION_OFFSET, 0);
            state.put(BridgeState.EPOCH_OFFSET, frameEpoch);
            epoch = frameEpoch;
            lastSequence = 0;
            lastNextPosition = 0;
            status.set(BridgeStatus.Counter.EPOCH, epoch);
        }
        if (sequence <= lastSequence)
        {
            state.add(BridgeState.IN_DUPLICATES_OFFSET, 1);
            status.increment(BridgeStatus.Counter.DUPLICATES);
            status.increment(BridgeStatus.Counter.FRAMES_RECEIVED);
            return Action.CONTINUE;
        }
        final long sourcePosition = buffer.getLong(offset + BridgeProtocol.SOURCE_POSITION_OFFSET);
        final long missing = sequence - lastSequence - 1;
        if (missing > 0 && reliable)
        {
            final long floor = buffer.getLong(offset + BridgeProtocol.FLOOR_OFFSET);
            if (floor <= lastSequence + 1 || sequence != floor)
            {
                // The out side still has what is missing: drop this one and ask for the rest again.
                state.add(BridgeState.IN_AHEAD_DROPPED_OFFSET, 1);
                status.increment(BridgeStatus.Counter.AHEAD_DROPPED);
                status.increment(BridgeStatus.Counter.FRAMES_RECEIVED);
                resendWanted = true;
                return Action.CONTINUE;
            }
        }
        final long nextPosition = buffer.getLong(offset + BridgeProtocol.SOURCE_NEXT_POSITION_OFFSET);
        state.put(BridgeState.IN_PENDING_NEXT_POSITION_OFFSET, nextPosition);
        state.put(BridgeState.IN_PENDING_EPOCH_OFFSET, epoch);
        state.put(BridgeState.IN_PENDING_TAIL_OFFSET, publisher.position());
        state.put(BridgeState.IN_PENDING_SEQUENCE_OFFSET, sequence);
        final int bodyLength = length - BridgeProtocol.DATA_HEADER_LENGTH;
        final long result = publisher.offer(buffer, offset + BridgeProtocol.DATA_HEADER_LENGTH, bodyLength,
            buffer.getInt(offset + BridgeProtocol.TYPE_OFFSET));
        if (result < 0)
        {
            state.put(BridgeState.IN_PENDING_SEQUENCE_OFFSET, 0);
            if (result == Publisher.CLOSED)
            {
                running = false;
            }
            else if (result == Publisher.BACK_PRESSURED)
            {
                status.increment(BridgeStatus.Counter.BACK_PRESSURED);
            }
            // The fragment comes again on the next poll: it is counted as received then.
            return Action.ABORT;
        }
        if (missing > 0)
        {
            gap(missing, sequence, sourcePosition);
        }
        state.put(BridgeState.IN_LAST_NEXT_POSITION_OFFSET, nextPosition);
        state.put(BridgeState.IN_LAST_SEQUENCE_OFFSET, sequence);
        state.put(BridgeState.IN_PENDING_SEQUENCE_OFFSET, 0);
        state.add(BridgeState.IN_DELIVERED_OFFSET, 1);
        status.increment(BridgeStatus.Counter.FRAMES_RECEIVED);
        status.increment(BridgeStatus.Counter.MESSAGES);
        status.add(BridgeStatus.Counter.BYTES, bodyLength);
        status.set(BridgeStatus.Counter.LAST_SEQUENCE, sequence);
        lastSequence = sequence;
        lastNextPosition = nextPosition;
        resendWanted = false;
        return Action.CONTINUE;
    }

    private void gap(final long missing, final long sequence, final long sourcePosition)
    {
        state.add(BridgeState.IN_GAPS_OFFSET, 1);
        state.add(BridgeState.IN_GAP_MESSAGES_OFFSET, missing);
        state.put(BridgeState.IN_LAST_GAP_FROM_SEQUENCE_OFFSET, lastSequence + 1);
        state.put(BridgeState.IN_LAST_GAP_TO_SEQUENCE_OFFSET, sequence - 1);
        state.put(BridgeState.IN_LAST_GAP_FROM_POSITION_OFFSET, lastNextPosition);
        state.put(BridgeState.IN_LAST_GAP_TO_POSITION_OFFSET, sourcePosition);
        status.increment(BridgeStatus.Counter.GAPS);
        status.add(BridgeStatus.Counter.GAP_MESSAGES, missing);
        status.set(BridgeStatus.Counter.LAST_GAP_FROM_SEQUENCE, lastSequence + 1);
        status.set(BridgeStatus.Counter.LAST_GAP_TO_SEQUENCE, sequence - 1);
        status.set(BridgeStatus.Counter.LAST_GAP_FROM_POSITION, lastNextPosition);
        status.set(BridgeStatus.Counter.LAST_GAP_TO_POSITION, sourcePosition);
        LOG.warn("bridge in: gap of {} messages on topic {}: sequences {}..{}, source positions {}..{}", missing,
            settings.topic, lastSequence + 1, sequence - 1, lastNextPosition, sourcePosition);
    }

    private boolean sendAck(final boolean resend)
    {
        ack.putInt(BridgeProtocol.ACK_FLAGS_OFFSET, resend ? BridgeProtocol.FLAG_RESEND : 0);
        ack.putLong(BridgeProtocol.ACK_EPOCH_OFFSET, epoch);
        ack.putLong(BridgeProtocol.ACK_SEQUENCE_OFFSET, lastSequence);
        ack.putLong(BridgeProtocol.ACK_NEXT_POSITION_OFFSET, lastNextPosition);
        ack.putLong(BridgeProtocol.ACK_DELIVERED_OFFSET, state.get(BridgeState.IN_DELIVERED_OFFSET));
        ack.putLong(BridgeProtocol.ACK_GAP_MESSAGES_OFFSET, state.get(BridgeState.IN_GAP_MESSAGES_OFFSET));
        ack.putLong(BridgeProtocol.ACK_DUPLICATES_OFFSET, state.get(BridgeState.IN_DUPLICATES_OFFSET));
        if (ackPublication.offer(ack, 0, BridgeProtocol.ACK_LENGTH) > 0)
        {
            status.increment(BridgeStatus.Counter.FRAMES_SENT);
            return true;
        }
        return false;
    }

    /**
     * Receive until {@link #stop()}.
     */
    public void run()
    {
        BridgeSupport.ready(settings.readyFile);
        final IdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 500_000);
        while (running)
        {
            int work = subscription.controlledPoll(assembler, 256);
            final long nowNs = System.nanoTime();
            if (resendWanted && nowNs - lastResendRequestNs >= RESEND_INTERVAL_NS)
            {
                if (sendAck(true))
                {
                    lastResendRequestNs = nowNs;
                    lastAckNs = nowNs;
                    ackedSequence = lastSequence;
                    state.add(BridgeState.IN_RESEND_REQUESTS_OFFSET, 1);
                    status.increment(BridgeStatus.Counter.RESENDS);
                    work++;
                }
            }
            else if ((lastSequence != ackedSequence && nowNs - lastAckNs >= ACK_INTERVAL_NS) ||
                nowNs - lastAckNs >= ACK_HEARTBEAT_NS)
            {
                if (sendAck(false))
                {
                    lastAckNs = nowNs;
                    ackedSequence = lastSequence;
                    work++;
                }
            }
            if (nowNs - lastHeartbeatNs >= ACK_HEARTBEAT_NS)
            {
                lastHeartbeatNs = nowNs;
                state.heartbeat();
                final boolean connected = subscription.isConnected();
                state.put(BridgeState.IN_CONNECTED_OFFSET, connected ? 1 : 0);
                status.heartbeat(connected, BridgeSupport.peer(subscription));
            }
            idle.idle(work);
        }
    }

    /**
     * Ask {@link #run()} to return.
     */
    public void stop()
    {
        running = false;
    }

    /**
     * @return the sequence of the last message published into the local topic.
     */
    public long lastSequence()
    {
        return lastSequence;
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(subscription, ackPublication, aeronBus, publisher, topic, localBus, state, status);
    }
}
