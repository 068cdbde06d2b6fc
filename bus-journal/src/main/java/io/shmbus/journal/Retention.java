package io.shmbus.journal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * How much of a journal a recorder keeps: at most a number of segments, at most a total size, and/or only
 * segments with a record newer than an age. Immutable; each setter returns a copy. Each limit is off when 0.
 *
 * <p>The recorder removes whole segments, oldest first, when it makes a new segment (ahead of a roll) and when
 * it rolls (and, with an age limit, once a second while it records), until every limit holds. The limits count
 * every segment file: the one being written and the empty one made ahead of the next roll included. Those two
 * are never removed, nor is a segment a reader has mapped (a reader holds a shared lock on each segment it
 * maps): at such a segment the recorder stops, so the segments kept are always one run without a hole, and
 * tries again later. See docs/JOURNAL.md.
 */
public final class Retention
{
    private static final Retention NONE = new Retention(0, 0, 0);

    private final int maxSegments;
    private final long maxBytes;
    private final long maxAgeNs;

    private Retention(final int maxSegments, final long maxBytes, final long maxAgeNs)
    {
        this.maxSegments = maxSegments;
        this.maxBytes = maxBytes;
        this.maxAgeNs = maxAgeNs;
    }

    /**
     * @return keep everything (the default).
     */
    public static Retention none()
    {
        return NONE;
    }

    /**
     * @param maxSegments keep at most this many segment files, 2 or more (the one being written and the one made
     *                    ahead of the next roll are never removed); 0: no limit.
     * @return a copy.
     */
    public Retention maxSegments(final int maxSegments)
    {
        if (maxSegments < 0 || 1 == maxSegments)
        {
            throw new IllegalArgumentException("segments to keep must be 2 or more, the one being written and the " +
                "one made ahead of the next roll (0: no limit): " + maxSegments);
        }
        return new Retention(maxSegments, maxBytes, maxAgeNs);
    }

    /**
     * @param maxBytes keep at most this many bytes of segment files (each is the journal's segment length), the
     *                 one being written and the one made ahead included, which are always kept; 0: no limit.
     * @return a copy.
     */
    public Retention maxBytes(final long maxBytes)
    {
        if (maxBytes < 0)
        {
            throw new IllegalArgumentException("bytes to keep must be positive (0: no limit): " + maxBytes);
        }
        return new Retention(maxSegments, maxBytes, maxAgeNs);
    }

    /**
     * @param maxAgeNs remove a segment once its newest record (by the records' timestamps) is older than this;
     *                 0: no limit.
     * @return a copy.
     */
    public Retention maxAgeNs(final long maxAgeNs)
    {
        if (maxAgeNs < 0)
        {
            throw new IllegalArgumentException("age to keep must be positive (0: no limit): " + maxAgeNs);
        }
        return new Retention(maxSegments, maxBytes, maxAgeNs);
    }

    /**
     * @return the most segments kept; 0: no limit.
     */
    public int maxSegments()
    {
        return maxSegments;
    }

    /**
     * @return the most bytes of segment files kept; 0: no limit.
     */
    public long maxBytes()
    {
        return maxBytes;
    }

    /**
     * @return the age past which a segment is removed, in nanoseconds; 0: no limit.
     */
    public long maxAgeNs()
    {
        return maxAgeNs;
    }

    /**
     * @return true when nothing is ever removed.
     */
    public boolean keepsEverything()
    {
        return 0 == maxSegments && 0 == maxBytes && 0 == maxAgeNs;
    }

    /**
     * Parse a size: a number of bytes with an optional suffix k, m, g or t (powers of 1024), e.g. {@code 512m}.
     *
     * @param text the size.
     * @return bytes.
     */
    public static long parseSize(final String text)
    {
        final String trimmed = text.trim().toLowerCase(Locale.ROOT);
        int end = trimmed.length();
        long unit = 1;
        if (end > 0)
        {
            switch (trimmed.charAt(end - 1))
            {
                case 'k' -> unit = 1L << 10;
                case 'm' -> unit = 1L << 20;
                case 'g' -> unit = 1L << 30;
                case 't' -> unit = 1L << 40;
                default -> unit = 1;
            }
            if (unit > 1)
            {
                end--;
            }
        }
        try
        {
            final long value = Long.parseLong(trimmed.substring(0, end));
            if (value < 0 || value > Long.MAX_VALUE / unit)
            {
                throw new NumberFormatException();
            }
            return value * unit;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("a size is a number of bytes with an optional k, m, g or t: " + text,
                ex);
        }
    }

    /**
     * Parse a duration: a number with a suffix s, m, h or d ({@code 90s}, {@code 12h}, {@code 7d}), or ISO-8601
     * ({@code PT36H}).
     *
     * @param text the duration.
     * @return nanoseconds.
     */
    public static long parseDuration(final String text)
    {
        final String trimmed = text.trim();
        try
        {
            if (trimmed.length() > 1 && Character.isDigit(trimmed.charAt(0)))
            {
                final long value = Long.parseLong(trimmed.substring(0, trimmed.length() - 1));
                final Duration duration = switch (Character.toLowerCase(trimmed.charAt(trimmed.length() - 1)))
                {
                    case 's' -> Duration.ofSeconds(value);
                    case 'm' -> Duration.ofMinutes(value);
                    case 'h' -> Duration.ofHours(value);
                    case 'd' -> Duration.ofDays(value);
                    default -> throw new IllegalArgumentException();
                };
                return duration.toNanos();
            }
            return Duration.parse(trimmed).toNanos();
        }
        catch (final IllegalArgumentException | DateTimeParseException | ArithmeticException ex)
        {
            throw new IllegalArgumentException("a duration is a number with s, m, h or d (12h, 7d) or ISO-8601 " +
                "(PT36H): " + text, ex);
        }
    }

    @Override
    public String toString()
    {
        if (keepsEverything())
        {
            return "keep everything";
        }
        final StringBuilder sb = new StringBuilder("keep");
        if (maxSegments > 0)
        {
            sb.append(" at most ").append(maxSegments).append(" segments");
        }
        if (maxBytes > 0)
        {
            sb.append(sb.length() > 4 ? "," : "").append(" at most ").append(maxBytes).append(" bytes");
        }
        if (maxAgeNs > 0)
        {
            sb.append(sb.length() > 4 ? "," : "").append(" segments newer than ").append(Duration.ofNanos(maxAgeNs));
        }
        return sb.toString();
    }
}
