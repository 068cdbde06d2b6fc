package io.shmbus.impl.process;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A child JVM's arguments: {@code key=value} words, as the tests and the benchmark harness start their children
 * with. Internal, not API.
 */
public final class ChildArgs
{
    private final Map<String, String> values = new LinkedHashMap<>();

    /**
     * @param args the words, each {@code key=value}.
     * @throws IllegalArgumentException when a word is not {@code key=value}.
     */
    public ChildArgs(final String[] args)
    {
        for (final String arg : args)
        {
            final int eq = arg.indexOf('=');
            if (eq <= 0)
            {
                throw new IllegalArgumentException("argument is not key=value: " + arg);
            }
            values.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
    }

    /**
     * @param key a key.
     * @return its value.
     * @throws IllegalArgumentException when missing.
     */
    public String get(final String key)
    {
        final String value = values.get(key);
        if (null == value)
        {
            throw new IllegalArgumentException("missing argument " + key + "=...; have " + values);
        }
        return value;
    }

    /**
     * @param key          a key.
     * @param defaultValue returned when missing.
     * @return its value.
     */
    public String get(final String key, final String defaultValue)
    {
        return values.getOrDefault(key, defaultValue);
    }

    /**
     * @param key a key.
     * @return its value as an int.
     * @throws IllegalArgumentException when missing or not a number.
     */
    public int getInt(final String key)
    {
        return Integer.parseInt(get(key));
    }

    /**
     * @param key          a key.
     * @param defaultValue returned when missing.
     * @return its value as an int.
     */
    public int getInt(final String key, final int defaultValue)
    {
        final String value = values.get(key);
        return null == value ? defaultValue : Integer.parseInt(value);
    }

    /**
     * @param key          a key.
     * @param defaultValue returned when missing.
     * @return its value as a long.
     */
    public long getLong(final String key, final long defaultValue)
    {
        final String value = values.get(key);
        return null == value ? defaultValue : Long.parseLong(value);
    }

    /**
     * @param key a key.
     * @return true when its value is {@code true}; false when it is anything else or missing.
     */
    public boolean flag(final String key)
    {
        return Boolean.parseBoolean(values.getOrDefault(key, "false"));
    }

    @Override
    public String toString()
    {
        return values.toString();
    }
}
