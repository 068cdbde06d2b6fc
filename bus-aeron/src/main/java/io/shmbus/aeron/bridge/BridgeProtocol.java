package io.shmbus.aeron.bridge;

/**
 * The frames the bridge exchanges over Aeron, little-endian.
 *
 * <p>A data frame, from the out side to the in side, carries one message of the local topic:
 * <pre>
 *   0 frameType=1 | 4 message type | 8 publisher id | 12 flags | 16 epoch | 24 sequence | 32 floor sequence
 *   | 40 source position | 48 source next position | 56 body ...
 * </pre>
 * The sequence numbers the messages of one epoch (one life of the out side's stream) densely from 1; the floor
 * is the lowest sequence the out side can still send again ({@link #FLAG_RELIABLE} set: tethered out side).
 *
 * <p>An ack frame, from the in side back to the out side:
 * <pre>
 *   0 frameType=2 | 4 flags | 8 incarnation | 16 epoch | 24 last sequence | 32 last source next position
 *   | 40 delivered | 48 gap messages | 56 duplicates
 * </pre>
 * It says which message of which epoch the in side published last into its local topic; with
 * {@link #FLAG_RESEND} it asks for everything after it again.
 */
public final class BridgeProtocol
{
    /** A data frame. */
    public static final int DATA = 1;
    /** An ack frame. */
    public static final int ACK = 2;
    /** Data flag: the out side is tethered and keeps every unacknowledged message to send again. */
    public static final int FLAG_RELIABLE = 1;
    /** Ack flag: the in side saw a sequence past the next one and asks for the rest again. */
    public static final int FLAG_RESEND = 1;

    /** Offset of the frame type, in both frames. */
    public static final int FRAME_TYPE_OFFSET = 0;
    /** Data: the message type. */
    public static final int TYPE_OFFSET = 4;
    /** Data: the publisher id at the source. */
    public static final int PUBLISHER_ID_OFFSET = 8;
    /** Data: flags. */
    public static final int FLAGS_OFFSET = 12;
    /** Data: the stream epoch. */
    public static final int EPOCH_OFFSET = 16;
    /** Data: the sequence. */
    public static final int SEQUENCE_OFFSET = 24;
    /** Data: the floor sequence. */
    public static final int FLOOR_OFFSET = 32;
    /** Data: the message's position in the source topic. */
    public static final int SOURCE_POSITION_OFFSET = 40;
    /** Data: the position after the message in the source topic. */
    public static final int SOURCE_NEXT_POSITION_OFFSET = 48;
    /** Data: header length; the body follows. */
    public static final int DATA_HEADER_LENGTH = 56;

    /** Ack: flags. */
    public static final int ACK_FLAGS_OFFSET = 4;
    /** Ack: a random number for each life of the in side. */
    public static final int ACK_INCARNATION_OFFSET = 8;
    /** Ack: the epoch of the last message published. */
    public static final int ACK_EPOCH_OFFSET = 16;
    /** Ack: the sequence of the last message published. */
    public static final int ACK_SEQUENCE_OFFSET = 24;
    /** Ack: the source next position of the last message published. */
    public static final int ACK_NEXT_POSITION_OFFSET = 32;
    /** Ack: messages published into the local topic. */
    public static final int ACK_DELIVERED_OFFSET = 40;
    /** Ack: messages reported missing. */
    public static final int ACK_GAP_MESSAGES_OFFSET = 48;
    /** Ack: duplicate frames dropped. */
    public static final int ACK_DUPLICATES_OFFSET = 56;
    /** Ack: length. */
    public static final int ACK_LENGTH = 64;

    private BridgeProtocol()
    {
    }
}
