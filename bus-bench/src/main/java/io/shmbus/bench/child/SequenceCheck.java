package io.shmbus.bench.child;

/**
 * Checks that numbers arrive once each and in order, from 0: counts what was skipped (lost), what came again
 * or out of order (duplicated), and what the reader found wrong in a message's content (misread).
 */
public final class SequenceCheck
{
    private long next;
    private long received;
    private long lost;
    private long duplicated;
    private long misread;

    /**
     * @param sequence the number of the message that arrived.
     * @return whether it is new (its content is to be checked); false for a duplicate.
     */
    public boolean accept(final long sequence)
    {
        if (sequence < next)
        {
            duplicated++;
            return false;
        }
        lost += sequence - next;
        next = sequence + 1;
        received++;
        return true;
    }

    /**
     * Count a message whose content is not what it should be.
     */
    public void misread()
    {
        misread++;
    }

    /**
     * @return the number expected next.
     */
    public long next()
    {
        return next;
    }

    /**
     * @return new messages accepted.
     */
    public long received()
    {
        return received;
    }

    /**
     * @return numbers skipped.
     */
    public long lost()
    {
        return lost;
    }

    /**
     * @return numbers that came again or late.
     */
    public long duplicated()
    {
        return duplicated;
    }

    /**
     * @return messages with a wrong field.
     */
    public long misreadCount()
    {
        return misread;
    }

    /**
     * @return lost + duplicated + misread.
     */
    public long errors()
    {
        return lost + duplicated + misread;
    }

    /**
     * @param expected how many messages there should have been.
     * @return the errors, counting the messages missing at the end as lost.
     */
    public long errors(final long expected)
    {
        return errors() + Math.max(0, expected - next);
    }
}
