package io.shmbus.aeron.bridge;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The offsets of a bridge status file, as {@link BridgeStatus} lays it out, a side's first write of it, and the
 * reading and writing of its strings: an int length followed by the US-ASCII bytes, cut to fit the area and then
 * ending in {@code "..."}.
 */
final class BridgeStatusLayout
{
    static final long MAGIC = 0x3154_5453_4242_4d53L; // "SMBBSTT1" little-endian
    static final int VERSION = 1;
    static final int ROLE_OUT = 1;
    static final int ROLE_IN = 2;
    static final int FLAG_TETHERED = 1;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 8;
    static final int ROLE_OFFSET = 12;
    static final int PID_OFFSET = 16;
    static final int STARTED_MS_OFFSET = 24;
    static final int HEARTBEAT_MS_OFFSET = 32;
    static final int STOPPED_MS_OFFSET = 40;
    static final int STRINGS_CHANGE_OFFSET = 48;
    static final int CONNECTED_OFFSET = 56;
    static final int STREAM_ID_OFFSET = 64;
    static final int ACK_STREAM_ID_OFFSET = 68;
    static final int FLAGS_OFFSET = 72;
    static final int COUNTERS_OFFSET = 128;

    static final int TOPIC_OFFSET = 1024;
    static final int CHANNEL_OFFSET = 1152;
    static final int ACK_CHANNEL_OFFSET = 2176;
    static final int PEER_OFFSET = 3200;
    static final int STATE_DIRECTORY_OFFSET = 3456;
    static final int DURABLE_NAME_OFFSET = 3968;
    private static final int[] STRING_AREAS = {TOPIC_OFFSET, CHANNEL_OFFSET, ACK_CHANNEL_OFFSET, PEER_OFFSET,
        STATE_DIRECTORY_OFFSET, DURABLE_NAME_OFFSET, BridgeStatus.LENGTH};

    private BridgeStatusLayout()
    {
    }

    /**
     * Write a side's first status: everything zero but what it is, then the magic that says the file is whole.
     */
    static void init(final UnsafeBuffer buffer, final BridgeSettings settings, final int role,
        final Path stateDirectory)
    {
        buffer.putLongOrdered(MAGIC_OFFSET, 0);
        buffer.setMemory(8, BridgeStatus.LENGTH - 8, (byte)0);
        buffer.putInt(VERSION_OFFSET, VERSION);
        buffer.putInt(ROLE_OFFSET, role);
        buffer.putLong(PID_OFFSET, ProcessHandle.current().pid());
        final long nowMs = System.currentTimeMillis();
        buffer.putLong(STARTED_MS_OFFSET, nowMs);
        buffer.putLong(HEARTBEAT_MS_OFFSET, nowMs);
        buffer.putInt(STREAM_ID_OFFSET, settings.streamId);
        buffer.putInt(ACK_STREAM_ID_OFFSET, settings.ackStreamId);
        buffer.putInt(FLAGS_OFFSET, role == ROLE_IN || !settings.untethered ? FLAG_TETHERED : 0);
        putString(buffer, TOPIC_OFFSET, settings.topic);
        putString(buffer, CHANNEL_OFFSET, settings.channel);
        putString(buffer, ACK_CHANNEL_OFFSET, settings.ackChannel);
        putString(buffer, PEER_OFFSET, "");
        putString(buffer, STATE_DIRECTORY_OFFSET, stateDirectory.toString());
        putString(buffer, DURABLE_NAME_OFFSET, role == ROLE_OUT && !settings.untethered ? settings.durableName : "");
        buffer.putLongOrdered(MAGIC_OFFSET, MAGIC);
    }

    static void putString(final UnsafeBuffer buffer, final int offset, final String value)
    {
        final int area = areaLength(offset) - 4;
        byte[] bytes = (null == value ? "" : value).getBytes(StandardCharsets.US_ASCII);
        if (bytes.length > area)
        {
            final byte[] cut = new byte[area];
            System.arraycopy(bytes, 0, cut, 0, area - 3);
            cut[area - 3] = '.';
            cut[area - 2] = '.';
            cut[area - 1] = '.';
            bytes = cut;
        }
        buffer.putBytes(offset + 4, bytes);
        buffer.putInt(offset, bytes.length);
    }

    static String readString(final UnsafeBuffer buffer, final int offset)
    {
        final int length = buffer.getInt(offset);
        if (length < 0 || length > areaLength(offset) - 4)
        {
            return "?";
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset + 4, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private static int areaLength(final int offset)
    {
        for (int i = 0; i < STRING_AREAS.length - 1; i++)
        {
            if (STRING_AREAS[i] == offset)
            {
                return STRING_AREAS[i + 1] - offset;
            }
        }
        throw new IllegalArgumentException("no string area at " + offset);
    }
}
