package io.shmbus.aeron.bridge;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.shmbus.BusException;
import io.shmbus.MessageHeader;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The out side's sending: each local message as a numbered data frame offered to the Aeron publication, the
 * frames it refused kept in order until it takes them, and the counts of what was sent.
 */
final class BridgeOutSender
{
    private final ExclusivePublication publication;
    private final String channel;
    private final BridgeState state;
    private final BridgeStatus status;
    private final UnsafeBuffer frameHeader = new UnsafeBuffer(new byte[BridgeProtocol.DATA_HEADER_LENGTH]);
    private final ExpandableDirectByteBuffer pending = new ExpandableDirectByteBuffer(64 * 1024);
    private int pendingWrite;
    private int pendingRead;
    private long highestSentSequence;

    /**
     * @param lastSequence the last sequence sent before: a frame counts as a new message only after it.
     */
    BridgeOutSender(
        final ExclusivePublication publication,
        final String channel,
        final BridgeState state,
        final BridgeStatus status,
        final boolean reliable,
        final long epoch,
        final long lastSequence)
    {
        this.publication = publication;
        this.channel = channel;
        this.state = state;
        this.status = status;
        frameHeader.putInt(BridgeProtocol.FRAME_TYPE_OFFSET, BridgeProtocol.DATA);
        frameHeader.putInt(BridgeProtocol.FLAGS_OFFSET, reliable ? BridgeProtocol.FLAG_RELIABLE : 0);
        frameHeader.putLong(BridgeProtocol.EPOCH_OFFSET, epoch);
        highestSentSequence = lastSequence;
    }

    /**
     * Send a local message as the frame of a sequence, or keep the frame when the channel refuses it (or still
     * holds frames kept before).
     */
    void send(
        final long sequence,
        final long floor,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final MessageHeader header)
    {
        final UnsafeBuffer frame = frameHeader;
        frame.putInt(BridgeProtocol.TYPE_OFFSET, header.type());
        frame.putInt(BridgeProtocol.PUBLISHER_ID_OFFSET, header.publisherId());
        frame.putLong(BridgeProtocol.SEQUENCE_OFFSET, sequence);
        frame.putLong(BridgeProtocol.FLOOR_OFFSET, floor);
        frame.putLong(BridgeProtocol.SOURCE_POSITION_OFFSET, header.position());
        frame.putLong(BridgeProtocol.SOURCE_NEXT_POSITION_OFFSET, header.nextPosition());
        if (pendingWrite == pendingRead)
        {
            final long result = publication.offer(
                frame, 0, BridgeProtocol.DATA_HEADER_LENGTH, buffer, offset, length, null);
            if (result > 0)
            {
                sent(sequence, length);
                return;
            }
            checkPublication(result);
        }
        // Keep the frame until the channel takes it: the local subscriber has already moved past it.
        final int frameLength = BridgeProtocol.DATA_HEADER_LENGTH + length;
        pending.putInt(pendingWrite, frameLength);
        pending.putBytes(pendingWrite + 4, frame, 0, BridgeProtocol.DATA_HEADER_LENGTH);
        pending.putBytes(pendingWrite + 4 + BridgeProtocol.DATA_HEADER_LENGTH, buffer, offset, length);
        pendingWrite += 4 + frameLength;
    }

    /**
     * @return true while frames the channel refused are kept.
     */
    boolean hasPending()
    {
        return pendingRead < pendingWrite;
    }

    /**
     * Offer the kept frames again, in order, until the channel refuses one.
     *
     * @return the frames sent.
     */
    int flush()
    {
        int sent = 0;
        while (pendingRead < pendingWrite)
        {
            final int frameLength = pending.getInt(pendingRead);
            final long result = publication.offer(pending, pendingRead + 4, frameLength);
            if (result < 0)
            {
                checkPublication(result);
                return sent;
            }
            sent(pending.getLong(pendingRead + 4 + BridgeProtocol.SEQUENCE_OFFSET),
                frameLength - BridgeProtocol.DATA_HEADER_LENGTH);
            pendingRead += 4 + frameLength;
            sent++;
        }
        pendingRead = 0;
        pendingWrite = 0;
        return sent;
    }

    /**
     * Drop the kept frames (the reader starts again before them).
     */
    void clear()
    {
        pendingRead = 0;
        pendingWrite = 0;
    }

    private void checkPublication(final long result)
    {
        if (result == Publication.BACK_PRESSURED || result == Publication.NOT_CONNECTED ||
            result == Publication.ADMIN_ACTION)
        {
            if (result == Publication.BACK_PRESSURED)
            {
                state.add(BridgeState.OUT_BACK_PRESSURED_OFFSET, 1);
                status.increment(BridgeStatus.Counter.BACK_PRESSURED);
            }
            else if (result == Publication.NOT_CONNECTED)
            {
                status.increment(BridgeStatus.Counter.NOT_CONNECTED);
            }
            return;
        }
        throw new BusException("bridge out: the Aeron publication on '" + channel + "' failed: " +
            Publication.errorString(result));
    }

    private void sent(final long sequence, final int bodyLength)
    {
        status.increment(BridgeStatus.Counter.FRAMES_SENT);
        if (sequence > highestSentSequence)
        {
            highestSentSequence = sequence;
            status.increment(BridgeStatus.Counter.MESSAGES);
            status.add(BridgeStatus.Counter.BYTES, bodyLength);
            status.set(BridgeStatus.Counter.LAST_SEQUENCE, sequence);
        }
    }
}
