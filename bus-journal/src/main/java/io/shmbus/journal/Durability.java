package io.shmbus.journal;

/**
 * When a recorder forces what it appended from the page cache to the device.
 *
 * <table>
 *     <caption>What each survives</caption>
 *     <tr><th>mode</th><th>cost</th><th>recorder process crash (kill -9)</th><th>kernel crash or power loss</th></tr>
 *     <tr><td>{@link #none()}</td><td>none</td><td>everything committed</td><td>whatever the kernel had written
 *     back (usually up to ~30 s behind); torn tail records are cut at reopen</td></tr>
 *     <tr><td>{@link #perSegment()}</td><td>one {@code fdatasync} per segment roll</td><td>everything
 *     committed</td><td>every sealed segment; the open one as for none</td></tr>
 *     <tr><td>{@link #everyMessages(int)}</td><td>one {@code fdatasync} per N messages, and per roll</td>
 *     <td>everything committed</td><td>everything up to the last sync, so at most N - 1 messages lost</td></tr>
 * </table>
 *
 * <p>The page cache belongs to the kernel, not the process: a recorder killed in any way loses nothing it
 * committed, whatever the mode.
 */
public final class Durability
{
    private static final Durability NONE = new Durability(0, false);
    private static final Durability PER_SEGMENT = new Durability(0, true);

    private final int syncEveryMessages;
    private final boolean syncOnRoll;

    private Durability(final int syncEveryMessages, final boolean syncOnRoll)
    {
        this.syncEveryMessages = syncEveryMessages;
        this.syncOnRoll = syncOnRoll;
    }

    /**
     * @return never sync: the kernel writes back in its own time.
     */
    public static Durability none()
    {
        return NONE;
    }

    /**
     * @return sync a segment when it is sealed, and the open segment on close.
     */
    public static Durability perSegment()
    {
        return PER_SEGMENT;
    }

    /**
     * @param messages how many appended records between two syncs, 1 or more.
     * @return sync every {@code messages} records, at each roll and on close.
     */
    public static Durability everyMessages(final int messages)
    {
        if (messages < 1)
        {
            throw new IllegalArgumentException("sync interval must be 1 message or more: " + messages);
        }
        return new Durability(messages, true);
    }

    /**
     * Parse {@code none}, {@code segment} or {@code every:N}.
     *
     * @param text the text.
     * @return the durability.
     */
    public static Durability parse(final String text)
    {
        if ("none".equals(text))
        {
            return none();
        }
        if ("segment".equals(text))
        {
            return perSegment();
        }
        if (null != text && text.startsWith("every:"))
        {
            try
            {
                return everyMessages(Integer.parseInt(text.substring(6)));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("durability every:N needs a number: " + text, ex);
            }
        }
        throw new IllegalArgumentException("durability must be none, segment or every:N: " + text);
    }

    /**
     * @return records between syncs, 0 for none.
     */
    public int syncEveryMessages()
    {
        return syncEveryMessages;
    }

    /**
     * @return whether a segment is synced when sealed and on close.
     */
    public boolean syncOnRoll()
    {
        return syncOnRoll;
    }

    @Override
    public String toString()
    {
        return 0 != syncEveryMessages ? "every:" + syncEveryMessages : syncOnRoll ? "segment" : "none";
    }
}
