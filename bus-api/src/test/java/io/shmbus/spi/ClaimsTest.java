package io.shmbus.spi;

import io.shmbus.Claim;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The publisher's side of a claim: what {@link Claims} fills in, and that only {@link Claim} registers the hooks.
 */
class ClaimsTest
{
    @Test
    void wrapPointsTheClaimAtTheBodyAndTheOwnerFinishesIt()
    {
        final UnsafeBuffer ring = new UnsafeBuffer(new byte[256]);
        final List<String> calls = new ArrayList<>();
        final ClaimOwner owner = new ClaimOwner()
        {
            @Override
            public void commitClaim(final Claim claim)
            {
                calls.add("commit " + Claims.recordOffset(claim) + " " + claim.type());
            }

            @Override
            public void abortClaim(final Claim claim)
            {
                calls.add("abort " + Claims.recordOffset(claim));
            }
        };
        final Claim claim = new Claim();
        assertFalse(claim.isActive());

        Claims.wrap(claim, owner, ring, 64, 80, 24, 4160);
        assertTrue(claim.isActive());
        assertEquals(0, claim.offset());
        assertEquals(24, claim.length());
        assertEquals(24, claim.buffer().capacity(), "the buffer covers exactly the body");
        assertEquals(4160, claim.position());
        assertEquals(64, Claims.recordOffset(claim));
        claim.buffer().putLong(0, 42);
        assertEquals(42, ring.getLong(80), "the body is the ring's bytes");
        claim.type(7).commit();
        assertFalse(claim.isActive());
        assertThrows(IllegalStateException.class, claim::commit);

        Claims.wrap(claim, owner, ring, 128, 144, 8, 4224);
        assertEquals(0, claim.type(), "a new claim starts with type 0");
        claim.abort();
        assertThrows(IllegalStateException.class, claim::abort);
        assertEquals(List.of("commit 64 7", "abort 128"), calls);
    }

    @Test
    void onlyClaimRegistersTheHooks()
    {
        new Claim();
        assertThrows(IllegalStateException.class, () -> Claims.register(new Claims.Access()
        {
            @Override
            protected void wrap(
                final Claim claim,
                final ClaimOwner owner,
                final UnsafeBuffer ring,
                final int recordOffset,
                final int offset,
                final int length,
                final long position)
            {
            }

            @Override
            protected int recordOffset(final Claim claim)
            {
                return 0;
            }
        }));
    }
}
