package io.shmbus;

import org.agrona.DirectBuffer;

/**
 * Receives messages from {@link Subscriber#poll(MessageHandler, int)}.
 *
 * <p>The buffer is a view straight into the shared ring (for tethered and durable subscribers) and is valid
 * only for the duration of the call: copy what must outlive it. Do not keep the buffer or the header.
 */
@FunctionalInterface
public interface MessageHandler
{
    /**
     * Called once for each message, in publication order.
     *
     * @param buffer the buffer holding the message.
     * @param offset where the message starts in {@code buffer}.
     * @param length the message length in bytes, 0 to the topic's maximum.
     * @param header the message's metadata.
     */
    void onMessage(DirectBuffer buffer, int offset, int length, MessageHeader header);
}
