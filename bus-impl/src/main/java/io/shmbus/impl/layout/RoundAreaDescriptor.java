package io.shmbus.impl.layout;

/**
 * The cleaning-round area every participant slot holds, {@value #LENGTH} bytes: at
 * {@link PublisherSlotDescriptor#ROUND_AREA_OFFSET} in a publisher slot and at
 * {@link SubscriberSlotDescriptor#ROUND_AREA_OFFSET} in a subscriber slot (subscribers only finish rounds others
 * left). Written only by the slot's owner, except the step state, which a participant taking a round over turns
 * from active into a hole.
 *
 * <pre>
 *  offset  field                  notes
 *  ------  ---------------------  ---------------------------------------------------------------------
 *    0     stepState (int32)      0 idle, 1 active (zeroing [stepFrom, stepTo) now), 2 hole (was active
 *                                 when the round was taken over: the owner may still zero it, so nobody
 *                                 writes a record there until the owner, or the repair of a dead owner,
 *                                 sets it idle again)
 *    4     stepSequence (int32)   +1 for each step announced; read around the range by hole scans
 *    8     stepFrom (int64)       first position of the step
 *   16     stepTo (int64)         end position of the step (at most {@link #STEP_BYTES} on, never past
 *                                 the ring's end)
 *   24     proposalLimit (int64)  the cleanLimit the owner's round will publish, stored before the round
 *                                 is announced in cleanLock
 *   32     proposalCount (int64)  the cleanCount it will publish
 * </pre>
 */
public final class RoundAreaDescriptor
{
    public static final int LENGTH = 40;

    public static final int STEP_STATE_OFFSET = 0;
    public static final int STEP_SEQUENCE_OFFSET = 4;
    public static final int STEP_FROM_OFFSET = 8;
    public static final int STEP_TO_OFFSET = 16;
    public static final int PROPOSAL_LIMIT_OFFSET = 24;
    public static final int PROPOSAL_COUNT_OFFSET = 32;

    public static final int STEP_IDLE = 0;
    public static final int STEP_ACTIVE = 1;
    public static final int STEP_HOLE = 2;

    /** The most bytes one zeroing step covers: the largest hole a stalled cleaner can leave. */
    public static final int STEP_BYTES = 4096;

    /** The cleanLock bit that says the owner's proposal is published in its round area. */
    public static final long ANNOUNCED = 1L << 32;
    /** Where the round's epoch starts in the cleanLock word: bits 33 to 62. */
    public static final int EPOCH_SHIFT = 33;
    /** The epoch's mask, after the shift. */
    public static final long EPOCH_MASK = (1L << 30) - 1;

    private RoundAreaDescriptor()
    {
    }

    /**
     * The cleanLock word of a round: the code in bits 0 to 31, {@link #ANNOUNCED}, and in bits 33 to 62 the round's
     * epoch, {@code (cleanLimit >> 4) & EPOCH_MASK} for the cleanLimit the round starts from. Every round starts from
     * another limit, so the same word never names two rounds (until 16 GiB of stream later): a participant that
     * read a word and CASes from it later can only take the round it read.
     *
     * @param code      a participant's code: a publisher's slot index plus one, or minus a subscriber's plus one.
     * @param announced whether the round's proposal is announced.
     * @param limit     the cleanLimit the round starts from.
     * @return the cleanLock word.
     */
    public static long lockWord(final int code, final boolean announced, final long limit)
    {
        return (code & 0xFFFF_FFFFL) | (announced ? ANNOUNCED : 0) | ((limit >>> 4) & EPOCH_MASK) << EPOCH_SHIFT;
    }

    /**
     * @param word  a cleanLock word.
     * @param limit a cleanLimit.
     * @return true when the word names a round that starts from that limit.
     */
    public static boolean isOfLimit(final long word, final long limit)
    {
        return (word >>> EPOCH_SHIFT) == ((limit >>> 4) & EPOCH_MASK);
    }

    /**
     * @param word a cleanLock word.
     * @return the code of the participant it names (0 when free).
     */
    public static int lockCode(final long word)
    {
        return (int)word;
    }

    /**
     * @param word a cleanLock word.
     * @return true when the round it names has announced its proposal.
     */
    public static boolean isAnnounced(final long word)
    {
        return (word & ANNOUNCED) != 0;
    }

    /**
     * @param word a cleanLock word.
     * @return true when only the code and announced bits may be set.
     */
    public static boolean isWellFormed(final long word)
    {
        return word >= 0 && ((int)word != 0 || word == 0);
    }
}
