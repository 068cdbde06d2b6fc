package io.shmbus;

import io.shmbus.spi.ClaimOwner;
import io.shmbus.spi.Claims;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A reusable flyweight over bytes claimed in a topic's ring by {@link Publisher#tryClaim(int, Claim)}.
 * Write the message into {@link #buffer()} from {@link #offset()} for {@link #length()} bytes, then
 * {@link #commit()} to publish it or {@link #abort()} to turn it into padding that subscribers skip.
 * Exactly one of the two must follow every successful claim, promptly: until then, subscribers cannot
 * see the messages claimed after it.
 *
 * <pre>{@code
 * Claim claim = new Claim();                    // once, reused for every message
 * if (publisher.tryClaim(32, claim) > 0)
 * {
 *     claim.buffer().putLong(claim.offset(), sequence);
 *     claim.type(7).commit();
 * }
 * }</pre>
 *
 * <p>Not thread safe: one claim object per thread.
 */
public final class Claim
{
    static
    {
        Claims.register(new Access());
    }

    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private ClaimOwner owner;
    private int recordOffset;
    private int length;
    private int type;
    private long position;

    /**
     * An empty claim, to pass to {@link Publisher#tryClaim(int, Claim)}: make one per publishing thread and reuse
     * it for every message.
     */
    public Claim()
    {
    }

    /**
     * @return the buffer to write the message into: a view over exactly the claimed bytes of the ring, so a
     * write past {@link #length()} fails its bounds check instead of corrupting the next record.
     */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return where the message body starts in {@link #buffer()}: always 0.
     */
    public int offset()
    {
        return 0;
    }

    /**
     * @return the number of bytes claimed for the message body.
     */
    public int length()
    {
        return length;
    }

    /**
     * @return the position of the claimed record in the stream.
     */
    public long position()
    {
        return position;
    }

    /**
     * @return the message type that will be published.
     */
    public int type()
    {
        return type;
    }

    /**
     * Set the application's message type carried in the record header.
     *
     * @param type any int.
     * @return this claim.
     */
    public Claim type(final int type)
    {
        this.type = type;
        return this;
    }

    /**
     * @return true while a claim is held and neither committed nor aborted.
     */
    public boolean isActive()
    {
        return owner != null;
    }

    /**
     * Publish the message.
     *
     * @throws IllegalStateException when no claim is held.
     */
    public void commit()
    {
        final ClaimOwner owner = this.owner;
        if (null == owner)
        {
            throw new IllegalStateException("no claim is held: tryClaim did not succeed or the claim was finished");
        }
        this.owner = null;
        owner.commitClaim(this);
    }

    /**
     * Give the claimed bytes up: subscribers skip them.
     *
     * @throws IllegalStateException when no claim is held.
     */
    public void abort()
    {
        final ClaimOwner owner = this.owner;
        if (null == owner)
        {
            throw new IllegalStateException("no claim is held: tryClaim did not succeed or the claim was finished");
        }
        this.owner = null;
        owner.abortClaim(this);
    }

    /**
     * The hooks publishers reach through {@link Claims}; see there why they cost nothing.
     */
    private static final class Access extends Claims.Access
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
            claim.owner = owner;
            claim.buffer.wrap(ring, offset, length);
            claim.recordOffset = recordOffset;
            claim.length = length;
            claim.type = 0;
            claim.position = position;
        }

        @Override
        protected int recordOffset(final Claim claim)
        {
            return claim.recordOffset;
        }
    }
}
