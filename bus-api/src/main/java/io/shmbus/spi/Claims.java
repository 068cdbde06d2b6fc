package io.shmbus.spi;

import io.shmbus.Claim;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What a publisher does to a {@link Claim} that applications cannot: point it at the record it claimed, and
 * read back where that record is. Not for applications.
 *
 * <p>{@link Claim} stays a final class that applications make with {@code new Claim()} and reuse for every
 * message, and that any publisher accepts; only its public methods are API. These hooks reach its private
 * state through the one {@link Access} that {@link Claim} registers when it is initialised.
 *
 * <p>Their cost on the hot path is nil. The registered {@link Access} is held in a static final field, which
 * the JIT takes as a constant of a known, final class (nested in {@link Claim}), so a call here is a direct
 * call, inlined into the publisher, that reads or writes the claim's fields: the same code as when these hooks
 * were public methods of {@link Claim}, with no type check and no megamorphic dispatch. No object is made per
 * message: the claim is the application's, reused.
 */
public final class Claims
{
    private static Access registered;

    private Claims()
    {
    }

    /**
     * Point a claim at a record; called by the publisher that claimed it.
     *
     * @param claim        the application's claim.
     * @param owner        the publisher that made the claim, called back on commit and abort.
     * @param ring         the buffer holding the record.
     * @param recordOffset the offset of the record's header in {@code ring}.
     * @param offset       the offset of the message body in {@code ring}; the claim's buffer covers exactly the
     *                     body.
     * @param length       the length of the message body.
     * @param position     the stream position of the record.
     */
    public static void wrap(
        final Claim claim,
        final ClaimOwner owner,
        final UnsafeBuffer ring,
        final int recordOffset,
        final int offset,
        final int length,
        final long position)
    {
        Holder.ACCESS.wrap(claim, owner, ring, recordOffset, offset, length, position);
    }

    /**
     * @param claim a claim pointed at a record by {@link #wrap}.
     * @return the offset of the record's header in the buffer it was claimed in.
     */
    public static int recordOffset(final Claim claim)
    {
        return Holder.ACCESS.recordOffset(claim);
    }

    /**
     * Called once, by {@link Claim} when it is initialised.
     *
     * @param access the claim's hooks.
     * @throws IllegalStateException when called by anything else, or twice.
     */
    public static synchronized void register(final Access access)
    {
        if (null != registered || access.getClass().getEnclosingClass() != Claim.class)
        {
            throw new IllegalStateException("only io.shmbus.Claim registers its hooks, once");
        }
        registered = access;
    }

    /**
     * The hooks {@link Claim} implements; not for anything else.
     */
    public abstract static class Access
    {
        /**
         * Only {@link Claim} makes one.
         */
        protected Access()
        {
        }

        /**
         * @see Claims#wrap(Claim, ClaimOwner, UnsafeBuffer, int, int, int, long)
         *
         * @param claim        the claim.
         * @param owner        the publisher.
         * @param ring         the buffer holding the record.
         * @param recordOffset the offset of the record's header.
         * @param offset       the offset of the message body.
         * @param length       the length of the message body.
         * @param position     the stream position of the record.
         */
        protected abstract void wrap(
            Claim claim, ClaimOwner owner, UnsafeBuffer ring, int recordOffset, int offset, int length, long position);

        /**
         * @see Claims#recordOffset(Claim)
         *
         * @param claim the claim.
         * @return the offset of its record's header.
         */
        protected abstract int recordOffset(Claim claim);
    }

    private static final class Holder
    {
        static final Access ACCESS = access();

        private static Access access()
        {
            try
            {
                // Runs Claim's static initialiser if nothing has yet (it registers the hooks).
                Class.forName(Claim.class.getName(), true, Claim.class.getClassLoader());
            }
            catch (final ClassNotFoundException ex)
            {
                throw new IllegalStateException(ex);
            }
            synchronized (Claims.class)
            {
                if (null == registered)
                {
                    throw new IllegalStateException("io.shmbus.Claim did not register its hooks");
                }
                return registered;
            }
        }
    }
}
