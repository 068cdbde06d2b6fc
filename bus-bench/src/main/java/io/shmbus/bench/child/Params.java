package io.shmbus.bench.child;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code key=value} arguments a child JVM is started with.
 */
public final class Params
{
    private final Map<String, String> values = new LinkedHashMap<>();

    /**
     * @param args {@code key=value} pairs.
     */
    public Params(final String[] args)
    {
        for (final String arg : args)
        {
            final int eq = arg.indexOf('=');
            if (eq <= 0)
            {
                throw new IllegalArgumentException("expected key=value, got: " + arg);
            }
            values.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
    }

    /**
     * @param key the key.
     * @return the value.
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
     * @param key      the key.
     * @param fallback returned when missing.
     * @return the value.
     */
    public String get(final String key, final String fallback)
    {
        return values.getOrDefault(key, fallback);
    }

    /**
     * @param key the key.
     * @return the value as an int.
     */
    public int getInt(final String key)
    {
        return Integer.parseInt(get(key));
    }

    /**
     * @param key      the key.
     * @param fallback returned when missing.
     * @return the value as an int.
     */
    public int getInt(final String key, final int fallback)
    {
        return values.containsKey(key) ? Integer.parseInt(values.get(key)) : fallback;
    }

    /**
     * @param key      the key.
     * @param fallback returned when missing.
     * @return the value as a long.
     */
    public long getLong(final String key, final long fallback)
    {
        return values.containsKey(key) ? Long.parseLong(values.get(key)) : fallback;
    }

    /**
     * @param key the key.
     * @return whether the key is "true".
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
