package io.shmbus.examples;

import java.util.Locale;

/**
 * Formats counts and rates for the demos' output.
 */
final class Rates
{
    private Rates()
    {
    }

    /**
     * @return the count with thousands separators: {@code 10,000,000}.
     */
    static String count(final long value)
    {
        return String.format(Locale.ROOT, "%,d", value);
    }

    /**
     * @return messages per second in millions, for example {@code 3.12 M msgs/s}.
     */
    static String messagesPerSecond(final long messages, final long nanos)
    {
        return String.format(Locale.ROOT, "%.2f M msgs/s", nanos <= 0 ? 0.0 : messages * 1e3 / nanos);
    }

    /**
     * @return megabytes (10^6 bytes) per second, for example {@code 449.3 MB/s}.
     */
    static String megabytesPerSecond(final long bytes, final long nanos)
    {
        return String.format(Locale.ROOT, "%.1f MB/s", nanos <= 0 ? 0.0 : bytes * 1e3 / nanos);
    }

    /**
     * @return seconds with two decimals.
     */
    static String seconds(final long nanos)
    {
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }
}
