package io.shmbus.aeron.bridge;

import java.nio.file.Path;

/**
 * What a bridge side needs to run: the local bus and topic, the Aeron channels, where its state lives.
 */
public final class BridgeSettings
{
    /** The out side's durable subscriber name unless told otherwise. */
    public static final String DEFAULT_DURABLE_NAME = "bridge-out";

    /** The local (shared-memory) bus directory. */
    public Path busDirectory;
    /** The local topic. */
    public String topic;
    /** The Aeron channel of the data frames. */
    public String channel;
    /** The stream id of the data frames. */
    public int streamId = 1001;
    /** The Aeron channel of the acks, from the in side back to the out side. */
    public String ackChannel;
    /** The stream id of the acks. */
    public int ackStreamId = 1002;
    /** Where the side keeps its state file and its embedded media driver; null: beside the bus directory. */
    public Path stateDirectory;
    /** An external media driver's directory; null for an embedded driver. */
    public String aeronDirectory;
    /** Out side: untethered (never slows local publishers, counts what it drops) instead of durable. */
    public boolean untethered;
    /** Out side: the durable subscriber's name; another than the default also names the status file. */
    public String durableName = DEFAULT_DURABLE_NAME;
    /**
     * Out side: how long the durable subscriber may hold local publishers while the bridge is down; negative: always.
     */
    public long holdLimitMs = -1;
    /** In side: the local topic's ring size when the in side creates it. */
    public int capacityBytes = 1 << 22;
    /** In side: the local topic's largest message when the in side creates it. */
    public int maxMessageLength = 4096;
    /** How long to wait for the out side's local topic to exist, in milliseconds. */
    public long topicWaitMs = 30_000;
    /** A file created once the side runs (for scripts and tests); null for none. */
    public Path readyFile;

    /**
     * @param role "out" or "in".
     * @return the state directory: the configured one, or {@code <bus directory>/.bridge-<role>-<topic>}.
     */
    public Path stateDirectory(final String role)
    {
        return null != stateDirectory ? stateDirectory : busDirectory.resolve(".bridge-" + role + "-" + topic);
    }

    @Override
    public String toString()
    {
        return "topic " + topic + " of bus " + busDirectory + ", channel " + channel + " stream " + streamId +
            ", acks " + ackChannel + " stream " + ackStreamId;
    }
}
