package io.shmbus.tools;

import io.shmbus.aeron.bridge.BridgeStatus;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bridge sides of a bus directory as {@code list} and {@code stat} show them.
 */
final class BridgeSides
{
    private static final BridgeStatus.Counter[] OUT_COUNTERS = {
        BridgeStatus.Counter.MESSAGES, BridgeStatus.Counter.BYTES, BridgeStatus.Counter.FRAMES_SENT,
        BridgeStatus.Counter.FRAMES_RECEIVED, BridgeStatus.Counter.BACK_PRESSURED, BridgeStatus.Counter.NOT_CONNECTED,
        BridgeStatus.Counter.DROPPED, BridgeStatus.Counter.HOLD_EXPIRED, BridgeStatus.Counter.RESENDS,
        BridgeStatus.Counter.LAST_SEQUENCE, BridgeStatus.Counter.ACKED_SEQUENCE, BridgeStatus.Counter.EPOCH};

    private static final BridgeStatus.Counter[] IN_COUNTERS = {
        BridgeStatus.Counter.MESSAGES, BridgeStatus.Counter.BYTES, BridgeStatus.Counter.FRAMES_RECEIVED,
        BridgeStatus.Counter.FRAMES_SENT, BridgeStatus.Counter.DUPLICATES, BridgeStatus.Counter.AHEAD_DROPPED,
        BridgeStatus.Counter.GAPS, BridgeStatus.Counter.GAP_MESSAGES, BridgeStatus.Counter.BACK_PRESSURED,
        BridgeStatus.Counter.RESENDS, BridgeStatus.Counter.LAST_SEQUENCE, BridgeStatus.Counter.EPOCH};

    private BridgeSides()
    {
    }

    static Map<String, List<BridgeStatus.Snapshot>> byTopic(final Path busDirectory)
    {
        final Map<String, List<BridgeStatus.Snapshot>> byTopic = new LinkedHashMap<>();
        for (final BridgeStatus.Snapshot side : BridgeStatus.list(busDirectory))
        {
            byTopic.computeIfAbsent(side.topic(), topic -> new ArrayList<>()).add(side);
        }
        return byTopic;
    }

    static String livenessWord(final BridgeStatus.Liveness liveness)
    {
        return switch (liveness)
        {
            case ALIVE -> "alive";
            case STOPPED -> "stopped";
            case DEAD -> "DEAD";
        };
    }

    /**
     * A bridge side as {@code stat} shows it: what it is and whether it lives, its channels, and its counters as
     * {@code key=value}.
     */
    static List<String> lines(final BridgeStatus.Snapshot side)
    {
        final long nowMs = System.currentTimeMillis();
        final List<String> lines = new ArrayList<>();
        final StringBuilder head = new StringBuilder("  bridge ").append(side.role()).append(" pid ").append(side.pid())
            .append(' ').append(livenessWord(side.liveness()));
        switch (side.liveness())
        {
            case ALIVE -> head.append(side.connected() ? " connected" : " NOT CONNECTED")
                .append(" up ").append(seconds(nowMs - side.startedMs()))
                .append(" heartbeat ").append(Math.max(0, nowMs - side.heartbeatMs())).append(" ms ago");
            case STOPPED -> head.append(" at ").append(Instant.ofEpochMilli(side.stoppedMs()));
            case DEAD -> head.append(" (killed or crashed; last heartbeat ")
                .append(Instant.ofEpochMilli(side.heartbeatMs())).append(')');
        }
        if (side.isOut())
        {
            head.append(side.tethered() ? " tethered durable '" + side.durableName() + "'" : " untethered");
        }
        head.append(" peer ").append(side.peer().isEmpty() ? "-" : side.peer());
        lines.add(head.toString());
        lines.add("    data " + side.channel() + " stream " + side.streamId() + "  acks " + side.ackChannel() +
            " stream " + side.ackStreamId() + "  state " + side.stateDirectory());
        final StringBuilder counters = new StringBuilder("   ");
        final BridgeStatus.Counter[] shown = side.isOut() ? OUT_COUNTERS : IN_COUNTERS;
        for (final BridgeStatus.Counter counter : shown)
        {
            counters.append(' ').append(counter.key()).append('=').append(counter == BridgeStatus.Counter.EPOCH ?
                Long.toHexString(side.get(counter)) : Long.toString(side.get(counter)));
        }
        lines.add(counters.toString());
        if (!side.isOut() && side.get(BridgeStatus.Counter.GAPS) > 0)
        {
            lines.add("    last gap: sequences " + side.get(BridgeStatus.Counter.LAST_GAP_FROM_SEQUENCE) + ".." +
                side.get(BridgeStatus.Counter.LAST_GAP_TO_SEQUENCE) + ", source positions " +
                side.get(BridgeStatus.Counter.LAST_GAP_FROM_POSITION) + ".." +
                side.get(BridgeStatus.Counter.LAST_GAP_TO_POSITION));
        }
        return lines;
    }

    private static String seconds(final long ms)
    {
        return String.format("%.1f s", Math.max(0, ms) / 1000.0);
    }
}
