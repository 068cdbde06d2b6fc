package io.shmbus;

/**
 * The settings of a topic, fixed by its creator and stored in its header. Every process that opens the topic
 * with {@link Bus#topic(String, TopicOptions)} must ask for the same values, or gets a
 * {@link TopicMismatchException} naming both. Validation happens here, once, when the options are built.
 *
 * <table>
 *     <caption>Settings</caption>
 *     <tr><th>setting</th><th>default</th><th>range</th></tr>
 *     <tr><td>capacityBytes</td><td>1 MiB</td><td>a power of two, {@value #MIN_CAPACITY_BYTES} to
 *     {@value #MAX_CAPACITY_BYTES}</td></tr>
 *     <tr><td>maxMessageLength</td><td>min(4096, capacity / 8)</td><td>0 to capacity / 8</td></tr>
 *     <tr><td>maxPublishers</td><td>16</td><td>1 to {@value #MAX_PUBLISHERS}</td></tr>
 *     <tr><td>maxSubscribers</td><td>16</td><td>1 to {@value #MAX_SUBSCRIBERS}</td></tr>
 *     <tr><td>timestamps</td><td>false</td><td>records carry the publisher's epoch-nanosecond clock</td></tr>
 *     <tr><td>requireSubscriber</td><td>true</td><td>offer returns NOT_CONNECTED while no subscriber is
 *     attached</td></tr>
 * </table>
 */
public final class TopicOptions
{
    /** Smallest ring. */
    public static final int MIN_CAPACITY_BYTES = 4096;
    /** Largest ring: 1 GiB. */
    public static final int MAX_CAPACITY_BYTES = 1 << 30;
    /** Most publisher slots in one topic. */
    public static final int MAX_PUBLISHERS = 1024;
    /** Most subscriber slots in one topic. */
    public static final int MAX_SUBSCRIBERS = 1024;
    /** Longest topic name. */
    public static final int MAX_NAME_LENGTH = 100;

    private final int capacityBytes;
    private final int maxMessageLength;
    private final int maxPublishers;
    private final int maxSubscribers;
    private final boolean timestamps;
    private final boolean requireSubscriber;

    private TopicOptions(final Builder builder)
    {
        this.capacityBytes = builder.capacityBytes;
        this.maxMessageLength = builder.maxMessageLength >= 0 ?
            builder.maxMessageLength : Math.min(4096, builder.capacityBytes / 8);
        this.maxPublishers = builder.maxPublishers;
        this.maxSubscribers = builder.maxSubscribers;
        this.timestamps = builder.timestamps;
        this.requireSubscriber = builder.requireSubscriber;
        validate();
    }

    /**
     * @return the default settings.
     */
    public static TopicOptions defaults()
    {
        return builder().build();
    }

    /**
     * @return a builder starting from the defaults.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return a builder starting from these settings.
     */
    public Builder toBuilder()
    {
        return new Builder()
            .capacityBytes(capacityBytes)
            .maxMessageLength(maxMessageLength)
            .maxPublishers(maxPublishers)
            .maxSubscribers(maxSubscribers)
            .timestamps(timestamps)
            .requireSubscriber(requireSubscriber);
    }

    /**
     * Check a topic name.
     *
     * @param name the name.
     * @return the name.
     * @throws IllegalArgumentException naming the problem: empty, too long, a character outside
     *                                  {@code [A-Za-z0-9._-]} (so no {@code /}), or a leading dot (so no
     *                                  {@code ..}).
     */
    public static String validateName(final String name)
    {
        if (null == name || name.isEmpty())
        {
            throw new IllegalArgumentException("topic name must not be empty");
        }
        if (name.length() > MAX_NAME_LENGTH)
        {
            throw new IllegalArgumentException(
                "topic name is " + name.length() + " characters long, the most is " + MAX_NAME_LENGTH);
        }
        if (name.charAt(0) == '.')
        {
            throw new IllegalArgumentException(
                "topic name must not start with '.' (no hidden files, no '.' or '..'): " + printable(name));
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' ||
                c == '-'))
            {
                throw new IllegalArgumentException(
                    "topic name may hold only [A-Za-z0-9._-]; character " + i + " is " +
                    (c < 0x20 || c == 0x7f ? String.format("control 0x%02x", (int)c) : "'" + c + "'") +
                    " in: " + printable(name));
            }
        }
        return name;
    }

    private static String printable(final String s)
    {
        final StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f)
            {
                sb.append(String.format("\\x%02x", (int)c));
            }
            else
            {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private void validate()
    {
        if (capacityBytes < MIN_CAPACITY_BYTES || capacityBytes > MAX_CAPACITY_BYTES ||
            Integer.bitCount(capacityBytes) != 1)
        {
            throw new IllegalArgumentException(
                "capacityBytes must be a power of two from " + MIN_CAPACITY_BYTES + " to " + MAX_CAPACITY_BYTES +
                ": " + capacityBytes);
        }
        if (maxMessageLength > capacityBytes / 8)
        {
            throw new IllegalArgumentException(
                "maxMessageLength must be at most capacityBytes / 8 = " + capacityBytes / 8 + " for capacityBytes " +
                capacityBytes + ": " + maxMessageLength);
        }
        if (maxPublishers < 1 || maxPublishers > MAX_PUBLISHERS)
        {
            throw new IllegalArgumentException(
                "maxPublishers must be from 1 to " + MAX_PUBLISHERS + ": " + maxPublishers);
        }
        if (maxSubscribers < 1 || maxSubscribers > MAX_SUBSCRIBERS)
        {
            throw new IllegalArgumentException(
                "maxSubscribers must be from 1 to " + MAX_SUBSCRIBERS + ": " + maxSubscribers);
        }
    }

    /**
     * @return the ring's size in bytes.
     */
    public int capacityBytes()
    {
        return capacityBytes;
    }

    /**
     * @return the largest message, in bytes.
     */
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    /**
     * @return the number of publisher slots.
     */
    public int maxPublishers()
    {
        return maxPublishers;
    }

    /**
     * @return the number of subscriber slots.
     */
    public int maxSubscribers()
    {
        return maxSubscribers;
    }

    /**
     * @return true when records carry a publication timestamp.
     */
    public boolean timestamps()
    {
        return timestamps;
    }

    /**
     * @return true when publishers get NOT_CONNECTED while no subscriber is attached.
     */
    public boolean requireSubscriber()
    {
        return requireSubscriber;
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof TopicOptions that &&
            capacityBytes == that.capacityBytes &&
            maxMessageLength == that.maxMessageLength &&
            maxPublishers == that.maxPublishers &&
            maxSubscribers == that.maxSubscribers &&
            timestamps == that.timestamps &&
            requireSubscriber == that.requireSubscriber;
    }

    @Override
    public int hashCode()
    {
        return ((capacityBytes * 31 + maxMessageLength) * 31 + maxPublishers) * 31 + maxSubscribers +
            (timestamps ? 1 : 0) + (requireSubscriber ? 2 : 0);
    }

    @Override
    public String toString()
    {
        return "TopicOptions{capacityBytes=" + capacityBytes + ", maxMessageLength=" + maxMessageLength +
            ", maxPublishers=" + maxPublishers + ", maxSubscribers=" + maxSubscribers + ", timestamps=" + timestamps +
            ", requireSubscriber=" + requireSubscriber + '}';
    }

    /**
     * Builds {@link TopicOptions}; {@link #build()} validates.
     */
    public static final class Builder
    {
        private int capacityBytes = 1 << 20;
        private int maxMessageLength = -1;
        private int maxPublishers = 16;
        private int maxSubscribers = 16;
        private boolean timestamps;
        private boolean requireSubscriber = true;

        private Builder()
        {
        }

        /**
         * @param capacityBytes the ring's size: a power of two.
         * @return this.
         */
        public Builder capacityBytes(final int capacityBytes)
        {
            this.capacityBytes = capacityBytes;
            return this;
        }

        /**
         * @param maxMessageLength the largest message in bytes, at most capacityBytes / 8.
         * @return this.
         */
        public Builder maxMessageLength(final int maxMessageLength)
        {
            if (maxMessageLength < 0)
            {
                throw new IllegalArgumentException("maxMessageLength must not be negative: " + maxMessageLength);
            }
            this.maxMessageLength = maxMessageLength;
            return this;
        }

        /**
         * @param maxPublishers the number of publisher slots.
         * @return this.
         */
        public Builder maxPublishers(final int maxPublishers)
        {
            this.maxPublishers = maxPublishers;
            return this;
        }

        /**
         * @param maxSubscribers the number of subscriber slots.
         * @return this.
         */
        public Builder maxSubscribers(final int maxSubscribers)
        {
            this.maxSubscribers = maxSubscribers;
            return this;
        }

        /**
         * @param timestamps whether records carry a publication timestamp.
         * @return this.
         */
        public Builder timestamps(final boolean timestamps)
        {
            this.timestamps = timestamps;
            return this;
        }

        /**
         * @param requireSubscriber whether offer returns NOT_CONNECTED while no subscriber is attached.
         * @return this.
         */
        public Builder requireSubscriber(final boolean requireSubscriber)
        {
            this.requireSubscriber = requireSubscriber;
            return this;
        }

        /**
         * @return the validated options.
         * @throws IllegalArgumentException naming the bad value and its range.
         */
        public TopicOptions build()
        {
            return new TopicOptions(this);
        }
    }
}
