package io.shmbus.aeron.bridge;

import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.shmbus.Bus;
import io.shmbus.BusException;
import io.shmbus.BusOptions;
import io.shmbus.MessageHandler;
import io.shmbus.MessageHeader;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.WaitStrategy;
import io.shmbus.aeron.AeronBus;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * The out side of the bridge: reads a local topic and sends each message, numbered, on an Aeron channel.
 *
 * <p>Tethered (the default), it holds two subscribers of the local topic: a durable one that advances only
 * as far as the in side acknowledges (so the ring keeps, across a {@code kill -9} of this process, every
 * message not yet published on the far side, and local publishers slow down with the network), and a reader
 * that sends ahead of it. After a restart, or when the in side asks, the reader starts again from the oldest
 * retained message and skips to the first message not acknowledged. Untethered, it reads with an untethered
 * subscriber and numbers what it was lapped over as missing, so that the in side reports the exact gap. The
 * same holds tethered when the hold limit expired while the bridge was away: the durable subscriber's loss is
 * numbered past, and the in side reports it as a gap.
 */
public final class BridgeOut implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(BridgeOut.class);
    private static final int READ_LIMIT = 256;
    private static final long RESEND_QUIET_NS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long HEARTBEAT_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final BridgeSettings settings;
    private final boolean reliable;
    private final Bus localBus;
    private final Topic topic;
    private final BridgeState state;
    private final BridgeStatus status;
    private final AeronBus aeronBus;
    private final ExclusivePublication publication;
    private final Subscription acks;
    private final Subscriber durable;
    private Subscriber reader;
    private final long epoch;
    private final BridgeOutSender sender;
    private final MessageHandler sendHandler = this::onLocalMessage;
    private final MessageHandler countHandler = (buffer, offset, length, header) -> { };
    private final FragmentHandler ackHandler = this::onAck;
    private long nextSequence;
    private long skipBelowPosition;
    private long durableSequence;
    private boolean durableSequenceKnown;
    private long durableStartPosition;
    private long lastResendFromSequence = -1;
    private long lastResendNs;
    private long lastHeartbeatNs;
    private long durableLostMessages;
    private long durableLostFrom;
    private long durableLostTo;
    private volatile boolean running = true;
    private volatile boolean stopped;

    /**
     * Attach to the local topic, recover the resume point, and open the Aeron channels.
     *
     * @param settings the bridge settings.
     * @throws BusException naming what failed: the topic, the state file, a channel, the media driver.
     */
    public BridgeOut(final BridgeSettings settings)
    {
        this.settings = settings;
        this.reliable = !settings.untethered;
        final java.nio.file.Path stateDirectory = settings.stateDirectory("out");
        Bus bus = null;
        BridgeState openedState = null;
        BridgeStatus openedStatus = null;
        AeronBus openedAeron = null;
        try
        {
            bus = Bus.open(BusOptions.builder().directory(settings.busDirectory).transport("shm").build());
            this.localBus = bus;
            openedStatus = BridgeStatus.create(settings, "out", stateDirectory);
            this.status = openedStatus;
            this.topic = BridgeSupport.openTopic(bus, settings);
            openedState = BridgeState.open(stateDirectory.resolve("out-" + settings.topic + ".state"),
                BridgeState.ROLE_OUT);
            this.state = openedState;
            state.heartbeat();
            if (reliable)
            {
                durable = topic.subscriber(SubscriberOptions.durable(settings.durableName)
                    .holdLimitNs(settings.holdLimitMs < 0 ? -1 : TimeUnit.MILLISECONDS.toNanos(settings.holdLimitMs))
                    .lossHandler(this::onDurableLoss)
                    .waitStrategy(WaitStrategy.backoff()));
                // A gap the durable subscriber found when it resumed (the hold limit expired while the bridge was
                // away) is reported at its first poll: take it now, before anything is numbered.
                durable.poll(countHandler, 0);
                final boolean fresh = openedState.isFresh() || 0 == state.get(BridgeState.EPOCH_OFFSET);
                if (fresh)
                {
                    state.resumeAt(1, durable.position());
                    state.put(BridgeState.EPOCH_OFFSET, BridgeSupport.newEpoch());
                }
                epoch = state.get(BridgeState.EPOCH_OFFSET);
                nextSequence = state.resumeSequence();
                skipBelowPosition = state.resumePosition();
                if (!fresh && durableLostMessages > 0)
                {
                    numberPastTheLoss();
                }
                durableStartPosition = durable.position();
                reader = newReader();
                LOG.info("bridge out: {}; resuming epoch {} at sequence {} (source position {}), durable '{}' at {}",
                    settings, Long.toHexString(epoch), nextSequence, skipBelowPosition, settings.durableName,
                    durableStartPosition);
            }
            else
            {
                durable = null;
                epoch = BridgeSupport.newEpoch();
                state.put(BridgeState.EPOCH_OFFSET, epoch);
                nextSequence = 1;
                reader = topic.subscriber(SubscriberOptions.untethered().lossHandler(this::onLoss)
                    .waitStrategy(WaitStrategy.backoff()));
                LOG.info("bridge out (untethered): {}; epoch {}", settings, Long.toHexString(epoch));
            }
            openedAeron = BridgeSupport.aeronBus(settings, stateDirectory);
            this.aeronBus = openedAeron;
            this.publication = BridgeSupport.publication(aeronBus, settings.channel, settings.streamId, "data");
            final int needed = topic.options().maxMessageLength() + BridgeProtocol.DATA_HEADER_LENGTH;
            if (publication.maxMessageLength() < needed)
            {
                throw new BusException("bridge data channel '" + settings.channel + "' carries messages up to " +
                    publication.maxMessageLength() + " bytes; topic " + settings.topic + " needs " + needed +
                    " (its maxMessageLength and the bridge's " + BridgeProtocol.DATA_HEADER_LENGTH +
                    "-byte header): raise term-length");
            }
            this.acks = BridgeSupport.subscription(aeronBus, settings.ackChannel, settings.ackStreamId, "acks");
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(openedAeron, openedState, openedStatus, bus);
            throw ex;
        }
        sender = new BridgeOutSender(publication, settings.channel, state, status, reliable, epoch, nextSequence - 1);
        status.set(BridgeStatus.Counter.EPOCH, epoch);
        status.set(BridgeStatus.Counter.LAST_SEQUENCE, nextSequence - 1);
    }

    private Subscriber newReader()
    {
        return topic.subscriber(SubscriberOptions.tethered().startAt(SubscriberOptions.StartPosition.OLDEST)
            .waitStrategy(WaitStrategy.backoff()));
    }

    private void onLoss(final long lostMessages, final long lostBytes, final long fromPosition, final long toPosition)
    {
        nextSequence += lostMessages;
        state.add(BridgeState.OUT_DROPPED_OFFSET, lostMessages);
        status.add(BridgeStatus.Counter.DROPPED, lostMessages);
        LOG.warn("bridge out: lapped, dropped {} messages (source positions {}..{}): sequences {}..{}",
            lostMessages, fromPosition, toPosition, nextSequence - lostMessages, nextSequence - 1);
    }

    private void onDurableLoss(
        final long lostMessages, final long lostBytes, final long fromPosition, final long toPosition)
    {
        // Only after the hold limit expired while the bridge was away: the ring was reused over messages that
        // had not been acknowledged, and they are gone.
        state.add(BridgeState.OUT_DROPPED_OFFSET, lostMessages);
        status.add(BridgeStatus.Counter.HOLD_EXPIRED, lostMessages);
        durableLostMessages += lostMessages;
        durableLostFrom = 0 == durableLostTo ? fromPosition : durableLostFrom;
        durableLostTo = toPosition;
        LOG.error("bridge out: the durable subscriber was away past its hold limit: {} messages (source positions " +
            "{}..{}) were overwritten before the in side acknowledged them", lostMessages, fromPosition, toPosition);
    }

    /**
     * The hold limit expired while the bridge was away: the messages from the resume point to where the durable
     * subscriber resumed are gone. Number the first message after them as if they had been sent, so the in side
     * sees the jump; its frame carries that sequence as the floor (the lowest the out side can still send), which
     * tells the in side the missing ones will never come: it reports them as a gap, exactly.
     */
    private void numberPastTheLoss()
    {
        final long resumeSequence = nextSequence;
        final long resumePosition = skipBelowPosition;
        long firstLost = resumeSequence;
        if (resumePosition != durableLostFrom)
        {
            // Killed between an advance of the durable subscriber and the write of the resume point: it had
            // advanced to the acknowledged sequence, which is written before each advance.
            firstLost = Math.max(resumeSequence, state.get(BridgeState.OUT_ACKED_OFFSET) + 1);
            LOG.warn("bridge out: the resume point (sequence {}, position {}) is behind the durable subscriber's " +
                "position {} before the loss: numbering the loss from the acknowledged sequence {}", resumeSequence,
                resumePosition, durableLostFrom, firstLost);
        }
        nextSequence = firstLost + durableLostMessages;
        skipBelowPosition = durable.position();
        state.resumeAt(nextSequence, skipBelowPosition);
        LOG.error("bridge out: sequences {}..{} (source positions {}..{}) are lost; numbering goes on at sequence {} " +
            "(source position {}), which the in side reports as a gap", firstLost, nextSequence - 1, durableLostFrom,
            durableLostTo, nextSequence, skipBelowPosition);
    }

    private void onLocalMessage(final DirectBuffer buffer, final int offset, final int length,
        final MessageHeader header)
    {
        final long position = header.position();
        if (reliable)
        {
            if (position < skipBelowPosition)
            {
                return;
            }
            if (!durableSequenceKnown && position >= durableStartPosition)
            {
                durableSequence = nextSequence;
                durableSequenceKnown = true;
            }
        }
        final long sequence = nextSequence++;
        sender.send(sequence, reliable ? (durableSequenceKnown ? durableSequence : sequence) : sequence, buffer,
            offset, length, header);
    }

    private void onAck(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < BridgeProtocol.ACK_LENGTH ||
            buffer.getInt(offset + BridgeProtocol.FRAME_TYPE_OFFSET) != BridgeProtocol.ACK)
        {
            return;
        }
        final boolean resend =
            (buffer.getInt(offset + BridgeProtocol.ACK_FLAGS_OFFSET) & BridgeProtocol.FLAG_RESEND) != 0;
        final long ackEpoch = buffer.getLong(offset + BridgeProtocol.ACK_EPOCH_OFFSET);
        final long lastSequence = buffer.getLong(offset + BridgeProtocol.ACK_SEQUENCE_OFFSET);
        final long lastNextPosition = buffer.getLong(offset + BridgeProtocol.ACK_NEXT_POSITION_OFFSET);
        status.increment(BridgeStatus.Counter.FRAMES_RECEIVED);
        if (ackEpoch == epoch)
        {
            status.set(BridgeStatus.Counter.ACKED_SEQUENCE, lastSequence);
        }
        if (!reliable)
        {
            return;
        }
        if (ackEpoch != epoch)
        {
            if (resend && durableSequenceKnown)
            {
                // The in side has nothing of this epoch: send everything still kept.
                resendFrom(durableSequence, durable.position());
            }
            return;
        }
        state.put(BridgeState.OUT_ACKED_OFFSET, lastSequence);
        if (durableSequenceKnown && lastSequence >= durableSequence)
        {
            advanceDurable(Math.min(lastSequence, nextSequence - 1));
        }
        if (resend && durableSequenceKnown)
        {
            if (lastSequence + 1 >= durableSequence)
            {
                resendFrom(lastSequence + 1, lastNextPosition);
            }
            else
            {
                resendFrom(durableSequence, durable.position());
            }
        }
    }

    private void advanceDurable(final long acknowledgedSequence)
    {
        long remaining = acknowledgedSequence - durableSequence + 1;
        while (remaining > 0)
        {
            final int delivered = durable.poll(countHandler, (int)Math.min(remaining, Integer.MAX_VALUE));
            if (0 == delivered)
            {
                break;
            }
            remaining -= delivered;
            durableSequence += delivered;
        }
        state.resumeAt(durableSequence, durable.position());
    }

    private void resendFrom(final long sequence, final long position)
    {
        final long nowNs = System.nanoTime();
        if (sequence == lastResendFromSequence && nowNs - lastResendNs < RESEND_QUIET_NS)
        {
            return;
        }
        lastResendFromSequence = sequence;
        lastResendNs = nowNs;
        LOG.info("bridge out: the in side asks again from sequence {} (source position {}); {} were sent",
            sequence, position, nextSequence - 1);
        reader.close();
        reader = newReader();
        skipBelowPosition = position;
        nextSequence = sequence;
        sender.clear();
        state.add(BridgeState.OUT_RESENDS_OFFSET, 1);
        status.increment(BridgeStatus.Counter.RESENDS);
    }

    /**
     * Forward until {@link #stop()}: the duty cycle polls acks, flushes what the channel refused, reads the
     * local topic.
     */
    public void run()
    {
        BridgeSupport.ready(settings.readyFile);
        final IdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 500_000);
        try
        {
            while (running)
            {
                int work = acks.poll(ackHandler, 64);
                if (sender.hasPending())
                {
                    work += sender.flush();
                }
                if (!sender.hasPending())
                {
                    work += reader.poll(sendHandler, READ_LIMIT);
                }
                final long nowNs = System.nanoTime();
                if (nowNs - lastHeartbeatNs >= HEARTBEAT_NS)
                {
                    lastHeartbeatNs = nowNs;
                    state.heartbeat();
                    state.put(BridgeState.OUT_SENT_OFFSET, nextSequence - 1);
                    final boolean connected = publication.isConnected();
                    state.put(BridgeState.OUT_CONNECTED_OFFSET, connected ? 1 : 0);
                    status.heartbeat(connected, BridgeSupport.peer(acks));
                }
                idle.idle(work);
            }
        }
        finally
        {
            stopped = true;
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
     * @return true once {@link #run()} returned.
     */
    public boolean isStopped()
    {
        return stopped;
    }

    /**
     * @return the sequence of the next message to send.
     */
    public long nextSequence()
    {
        return nextSequence;
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(publication, acks, aeronBus, reader, durable, topic, localBus, state, status);
    }
}
