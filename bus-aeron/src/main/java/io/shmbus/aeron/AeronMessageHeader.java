package io.shmbus.aeron;

import io.shmbus.MessageHeader;

/**
 * The metadata of the message an {@link AeronSubscriber} is delivering, filled in again for each message.
 */
final class AeronMessageHeader implements MessageHeader
{
    long position;
    long nextPosition;
    int length;
    int type;
    int publisherId;
    long timestampNs;

    @Override
    public long position()
    {
        return position;
    }

    @Override
    public long nextPosition()
    {
        return nextPosition;
    }

    @Override
    public int length()
    {
        return length;
    }

    @Override
    public int type()
    {
        return type;
    }

    @Override
    public int publisherId()
    {
        return publisherId;
    }

    @Override
    public long timestampNs()
    {
        return timestampNs;
    }
}
