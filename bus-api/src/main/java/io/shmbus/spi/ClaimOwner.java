package io.shmbus.spi;

import io.shmbus.Claim;

/**
 * Implemented by publishers to finish a {@link Claim} they pointed at a record with
 * {@link Claims#wrap(Claim, ClaimOwner, org.agrona.concurrent.UnsafeBuffer, int, int, int, long)}; not for
 * applications, which call {@link Claim#commit()} or {@link Claim#abort()}.
 */
public interface ClaimOwner
{
    /**
     * Publish the claimed record.
     *
     * @param claim the claim being committed; {@link Claims#recordOffset(Claim)} tells where its record is.
     */
    void commitClaim(Claim claim);

    /**
     * Turn the claimed record into padding.
     *
     * @param claim the claim being aborted.
     */
    void abortClaim(Claim claim);
}
