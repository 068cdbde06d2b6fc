package io.shmbus.examples;

import io.shmbus.MessageHeader;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamVerifierTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);
    private final TypeHeader header = new TypeHeader();

    @Test
    void cleanStreamsFromTwoProducersVerify()
    {
        final StreamVerifier verifier = new StreamVerifier(2);
        for (int i = 0; i < 1000; i++)
        {
            data(verifier, 0, i);
            data(verifier, 1, i);
        }
        end(verifier, 0, 1000);
        assertFalse(verifier.isClean(), "one producer has not ended");
        end(verifier, 1, 1000);
        assertTrue(verifier.isClean());
        assertEquals(2000, verifier.messages());
        assertEquals(2000, verifier.verified());
        assertEquals(2000, verifier.announced());
        assertEquals(32, verifier.minLength());
        assertEquals(256, verifier.maxLength());
    }

    @Test
    void countsEachKindOfProblemExactly()
    {
        final StreamVerifier verifier = new StreamVerifier(1);
        data(verifier, 0, 0);
        data(verifier, 0, 1);
        data(verifier, 0, 1);                 // duplicate
        data(verifier, 0, 4);                 // 2 and 3 skipped ...
        data(verifier, 0, 3);                 // ... 3 arrives late
        data(verifier, 0, 5);
        corrupt(verifier, 0, 6);              // arrives, but damaged: 6 stays missing
        data(verifier, 7, 7);                 // no such producer
        end(verifier, 0, 8);                  // 2, 6, 7 never arrived intact
        data(verifier, 0, 8);                 // after the end

        assertFalse(verifier.isClean());
        assertEquals(1, verifier.duplicated());
        assertEquals(1, verifier.reordered());
        assertEquals(1, verifier.corrupt());
        assertEquals(2, verifier.unexpected());
        assertEquals(3, verifier.missing());
        assertEquals(5, verifier.verified());
        assertEquals(9, verifier.messages(), "every delivery but the end message");
    }

    @Test
    void messagesBeyondTheAnnouncedCountAreUnexpected()
    {
        final StreamVerifier verifier = new StreamVerifier(1);
        for (int i = 0; i < 5; i++)
        {
            data(verifier, 0, i);
        }
        end(verifier, 0, 3);
        assertEquals(2, verifier.unexpected());
        assertEquals(0, verifier.missing());
        assertFalse(verifier.isClean());
    }

    @Test
    void aStreamWithoutItsEndIsNotClean()
    {
        final StreamVerifier verifier = new StreamVerifier(1);
        data(verifier, 0, 0);
        data(verifier, 0, 2);
        assertFalse(verifier.isClean());
        assertEquals(1, verifier.missing());
    }

    @Test
    void checksumCatchesAnyFlippedBit()
    {
        final int length = 100;
        CheckedMessage.write(buffer, 0, length, 3, 42);
        assertTrue(CheckedMessage.isIntact(buffer, 0, length));
        for (int bit = 0; bit < length * 8; bit++)
        {
            flip(bit);
            assertFalse(CheckedMessage.isIntact(buffer, 0, length), "bit " + bit);
            flip(bit);
        }
        assertFalse(CheckedMessage.isIntact(buffer, 0, length - 1), "truncated");
        assertFalse(CheckedMessage.isIntact(buffer, 0, CheckedMessage.HEADER_LENGTH - 1), "shorter than a header");
    }

    @Test
    void lengthsSpreadOverTheWholeRange()
    {
        final boolean[] seen = new boolean[257];
        for (int i = 0; i < 100_000; i++)
        {
            final int length = CheckedMessage.length(0, i, 32, 256);
            assertTrue(length >= 32 && length <= 256, "length " + length);
            seen[length] = true;
        }
        for (int length = 32; length <= 256; length++)
        {
            assertTrue(seen[length], "never " + length);
        }
    }

    private void flip(final int bit)
    {
        buffer.putByte(bit / 8, (byte)(buffer.getByte(bit / 8) ^ (1 << (bit % 8))));
    }

    private void data(final StreamVerifier verifier, final int producer, final long sequence)
    {
        final int length = CheckedMessage.length(producer, sequence, 32, 256);
        CheckedMessage.write(buffer, 0, length, producer, sequence);
        header.type = CheckedMessage.TYPE_DATA;
        verifier.onMessage(buffer, 0, length, header);
    }

    private void corrupt(final StreamVerifier verifier, final int producer, final long sequence)
    {
        final int length = CheckedMessage.length(producer, sequence, 32, 256);
        CheckedMessage.write(buffer, 0, length, producer, sequence);
        buffer.putByte(length - 1, (byte)(buffer.getByte(length - 1) + 1));
        header.type = CheckedMessage.TYPE_DATA;
        verifier.onMessage(buffer, 0, length, header);
    }

    private void end(final StreamVerifier verifier, final int producer, final long sent)
    {
        CheckedMessage.write(buffer, 0, CheckedMessage.HEADER_LENGTH, producer, sent);
        header.type = CheckedMessage.TYPE_END;
        verifier.onMessage(buffer, 0, CheckedMessage.HEADER_LENGTH, header);
    }

    private static final class TypeHeader implements MessageHeader
    {
        int type;

        @Override
        public long position()
        {
            return 0;
        }

        @Override
        public long nextPosition()
        {
            return 0;
        }

        @Override
        public int length()
        {
            return 0;
        }

        @Override
        public int type()
        {
            return type;
        }

        @Override
        public int publisherId()
        {
            return 0;
        }

        @Override
        public long timestampNs()
        {
            return 0;
        }
    }
}
