package io.shmbus.examples;

import io.shmbus.MessageHandler;
import io.shmbus.MessageHeader;
import org.agrona.DirectBuffer;

import java.util.BitSet;

/**
 * Checks the streams of {@link CheckedMessage}s from a known number of producers and counts every problem
 * exactly: messages missing, delivered twice, delivered out of order, corrupt, or unexpected (from an
 * unknown producer, or after that producer's end). One bit per sequence number remembers what was seen, so
 * the counts hold whatever the pattern of faults (up to 2^31 messages per producer).
 *
 * <p>Used as the consumer's {@link MessageHandler}: no allocation per message beyond the bit sets' growth.
 */
final class StreamVerifier implements MessageHandler
{
    private final int producers;
    private final BitSet[] seen;
    private final long[] nextExpected;
    private final long[] announced;
    private int ended;

    private long messages;
    private long bytes;
    private int minLength = Integer.MAX_VALUE;
    private int maxLength;
    private long duplicated;
    private long reordered;
    private long corrupt;
    private long unexpected;

    StreamVerifier(final int producers)
    {
        if (producers < 1)
        {
            throw new IllegalArgumentException("producers must be at least 1: " + producers);
        }
        this.producers = producers;
        this.seen = new BitSet[producers];
        this.nextExpected = new long[producers];
        this.announced = new long[producers];
        for (int i = 0; i < producers; i++)
        {
            seen[i] = new BitSet();
            announced[i] = -1;
        }
    }

    @Override
    public void onMessage(final DirectBuffer buffer, final int offset, final int length, final MessageHeader header)
    {
        if (!CheckedMessage.isIntact(buffer, offset, length))
        {
            count(length);
            corrupt++;
            return;
        }
        final int producer = CheckedMessage.producer(buffer, offset);
        final long sequence = CheckedMessage.sequence(buffer, offset);
        final boolean known = producer >= 0 && producer < producers && announced[producer] < 0;
        if (known && header.type() == CheckedMessage.TYPE_END && sequence >= 0)
        {
            onEnd(producer, sequence);
            return;
        }
        count(length);
        if (!known || header.type() != CheckedMessage.TYPE_DATA || sequence < 0 || sequence >= Integer.MAX_VALUE)
        {
            unexpected++;
            return;
        }
        onData(producer, (int)sequence);
    }

    private void count(final int length)
    {
        messages++;
        bytes += length;
        if (length < minLength)
        {
            minLength = length;
        }
        if (length > maxLength)
        {
            maxLength = length;
        }
    }

    private void onData(final int producer, final int sequence)
    {
        final BitSet bits = seen[producer];
        if (bits.get(sequence))
        {
            duplicated++;
            return;
        }
        bits.set(sequence);
        if (sequence == nextExpected[producer])
        {
            nextExpected[producer] = sequence + 1L;
        }
        else if (sequence < nextExpected[producer])
        {
            reordered++;
        }
        else
        {
            nextExpected[producer] = sequence + 1L;
        }
    }

    private void onEnd(final int producer, final long sent)
    {
        announced[producer] = sent;
        ended++;
        if (sent < nextExpected[producer])
        {
            // Messages numbered at or beyond the announced count cannot have been sent by this producer.
            final int from = (int)Math.min(sent, Integer.MAX_VALUE);
            unexpected += seen[producer].get(from, (int)nextExpected[producer]).cardinality();
        }
    }

    /**
     * @return true once every producer sent its end message.
     */
    boolean allEnded()
    {
        return ended == producers;
    }

    int producers()
    {
        return producers;
    }

    int endedProducers()
    {
        return ended;
    }

    /**
     * @return every message delivered, good or bad, except the producers' end messages.
     */
    long messages()
    {
        return messages;
    }

    /**
     * @return the bytes of the messages counted by {@link #messages()}.
     */
    long bytes()
    {
        return bytes;
    }

    int minLength()
    {
        return messages == 0 ? 0 : minLength;
    }

    int maxLength()
    {
        return maxLength;
    }

    /**
     * @return the distinct, intact data messages received.
     */
    long verified()
    {
        long total = 0;
        for (int i = 0; i < producers; i++)
        {
            final long limit = announced[i] >= 0 ? Math.min(announced[i], Integer.MAX_VALUE) : Integer.MAX_VALUE;
            total += seen[i].get(0, (int)limit).cardinality();
        }
        return total;
    }

    /**
     * @return the data messages the producers that ended say they sent.
     */
    long announced()
    {
        long total = 0;
        for (final long count : announced)
        {
            total += Math.max(count, 0);
        }
        return total;
    }

    /**
     * @return the messages known to be missing: below an end message's count, or below a later message
     * already seen, and never delivered.
     */
    long missing()
    {
        long total = 0;
        for (int i = 0; i < producers; i++)
        {
            final long limit = announced[i] >= 0 ? announced[i] : nextExpected[i];
            final int bound = (int)Math.min(limit, Integer.MAX_VALUE);
            total += limit - seen[i].get(0, bound).cardinality();
        }
        return total;
    }

    long duplicated()
    {
        return duplicated;
    }

    long reordered()
    {
        return reordered;
    }

    long corrupt()
    {
        return corrupt;
    }

    long unexpected()
    {
        return unexpected;
    }

    /**
     * @return true only when every producer ended and every message it announced arrived once, in order,
     * intact, with nothing else besides.
     */
    boolean isClean()
    {
        return allEnded() && missing() == 0 && duplicated == 0 && reordered == 0 && corrupt == 0 && unexpected == 0;
    }
}
