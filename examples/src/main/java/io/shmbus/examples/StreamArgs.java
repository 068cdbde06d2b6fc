package io.shmbus.examples;

import io.shmbus.TopicOptions;
import picocli.CommandLine.Option;

/**
 * The options of the stream the producer and consumer demos share. Every process on the topic must agree on
 * them: a mismatch is reported by {@code Bus.topic} with both values.
 */
final class StreamArgs
{
    /** The largest message the demo topic takes. */
    static final int MAX_MESSAGE_LENGTH = 1024;

    @Option(names = "--topic", paramLabel = "NAME", defaultValue = "demo",
        description = "Topic name (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--ring-bytes", paramLabel = "BYTES", defaultValue = "1048576",
        description = "Ring capacity when this process creates the topic: a power of two, at least 8192 " +
            "(default: ${DEFAULT-VALUE}).")
    int ringBytes;

    @Option(names = "--timeout-s", paramLabel = "SECONDS", defaultValue = "30",
        description = "Give up after this many seconds without progress (default: ${DEFAULT-VALUE}).")
    int timeoutS;

    TopicOptions topicOptions()
    {
        return TopicOptions.builder().capacityBytes(ringBytes).maxMessageLength(MAX_MESSAGE_LENGTH).build();
    }

    long timeoutNs()
    {
        return timeoutS * 1_000_000_000L;
    }
}
