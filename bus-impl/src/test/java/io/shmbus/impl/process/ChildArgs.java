package io.shmbus.impl.process;

import java.util.HashMap;
import java.util.Map;

/**
 * A child's arguments as {@code key=value} words.
 */
public final class ChildArgs
{
    private final Map<String, String> values = new HashMap<>();

    /**
     * @param args the words.
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
     * @param defaultValue when missing.
     * @return its value.
     */
    public String get(final String key, final String defaultValue)
    {
        return values.getOrDefault(key, defaultValue);
    }

    /**
     * @param key          a key.
     * @param defaultValue when missing.
     * @return its value as a long.
     */
    public long getLong(final String key, final long defaultValue)
    {
        final String value = values.get(key);
        return null == value ? defaultValue : Long.parseLong(value);
    }

    /**
     * @param key a key.
     * @return its value as an int.
     */
    public int getInt(final String key)
    {
        return Integer.parseInt(get(key));
    }
}
