package io.shmbus.interop;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads words of a named topic's control region straight from its file (tmpfs: the same pages every mapping sees),
 * for checks the status API does not show: waiter counts a participant must have given back.
 */
final class ControlWords
{
    static final int CONTROL_OFFSET = 4096;
    static final int DATA_WAITERS = 260;
    static final int BLOCKING_SUBSCRIBERS = 264;
    static final int SPACE_WAITERS = 388;
    static final int BLOCKING_PUBLISHERS = 392;
    static final int SUBSCRIBER_COUNT = 512;
    static final int PUBLISHER_COUNT = 516;

    private ControlWords()
    {
    }

    static int readInt(final Path topic, final int controlOffset) throws IOException
    {
        try (FileChannel file = FileChannel.open(topic, StandardOpenOption.READ))
        {
            final ByteBuffer word = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            file.read(word, CONTROL_OFFSET + controlOffset);
            return word.getInt(0);
        }
    }
}
