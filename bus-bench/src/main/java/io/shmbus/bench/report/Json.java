package io.shmbus.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough JSON: writes maps, lists, strings, numbers, booleans and nulls; parses the same back (objects
 * into {@link LinkedHashMap}, arrays into {@link ArrayList}, numbers into {@link Double} or {@link Long}).
 */
public final class Json
{
    private final String text;
    private int at;

    private Json(final String text)
    {
        this.text = text;
    }

    /**
     * @param value a tree of maps, lists and scalars.
     * @return its JSON, indented.
     */
    public static String write(final Object value)
    {
        final StringBuilder sb = new StringBuilder();
        write(sb, value, 0);
        return sb.append('\n').toString();
    }

    private static void write(final StringBuilder sb, final Object value, final int depth)
    {
        if (null == value)
        {
            sb.append("null");
        }
        else if (value instanceof Map<?, ?> map)
        {
            sb.append('{');
            boolean first = true;
            for (final Map.Entry<?, ?> e : map.entrySet())
            {
                sb.append(first ? "" : ",").append('\n').append("  ".repeat(depth + 1));
                string(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                write(sb, e.getValue(), depth + 1);
                first = false;
            }
            sb.append(map.isEmpty() ? "" : "\n" + "  ".repeat(depth)).append('}');
        }
        else if (value instanceof List<?> list)
        {
            final boolean scalars = list.stream().noneMatch(v -> v instanceof Map || v instanceof List);
            sb.append('[');
            boolean first = true;
            for (final Object v : list)
            {
                sb.append(first ? "" : ",");
                if (!scalars)
                {
                    sb.append('\n').append("  ".repeat(depth + 1));
                }
                else if (!first)
                {
                    sb.append(' ');
                }
                write(sb, v, depth + 1);
                first = false;
            }
            sb.append(scalars || list.isEmpty() ? "" : "\n" + "  ".repeat(depth)).append(']');
        }
        else if (value instanceof Double d)
        {
            sb.append(d.isNaN() || d.isInfinite() ? "null" : d.toString());
        }
        else if (value instanceof Number || value instanceof Boolean)
        {
            sb.append(value);
        }
        else
        {
            string(sb, value.toString());
        }
    }

    private static void string(final StringBuilder sb, final String s)
    {
        sb.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        sb.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /**
     * @param text JSON text.
     * @return the value.
     * @throws IllegalArgumentException when it is not well-formed JSON, with the offset.
     */
    public static Object parse(final String text)
    {
        final Json parser = new Json(text);
        final Object value = parser.value();
        parser.skipSpace();
        if (parser.at != text.length())
        {
            throw parser.error("trailing characters");
        }
        return value;
    }

    private Object value()
    {
        skipSpace();
        if (at >= text.length())
        {
            throw error("unexpected end");
        }
        final char c = text.charAt(at);
        switch (c)
        {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                return number();
        }
    }

    private Map<String, Object> object()
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        at++;
        skipSpace();
        if (peek() == '}')
        {
            at++;
            return map;
        }
        while (true)
        {
            skipSpace();
            if (peek() != '"')
            {
                throw error("expected a key");
            }
            final String key = string();
            skipSpace();
            expect(':');
            map.put(key, value());
            skipSpace();
            if (peek() == ',')
            {
                at++;
                continue;
            }
            expect('}');
            return map;
        }
    }

    private List<Object> array()
    {
        final List<Object> list = new ArrayList<>();
        at++;
        skipSpace();
        if (peek() == ']')
        {
            at++;
            return list;
        }
        while (true)
        {
            list.add(value());
            skipSpace();
            if (peek() == ',')
            {
                at++;
                continue;
            }
            expect(']');
            return list;
        }
    }

    private String string()
    {
        final StringBuilder sb = new StringBuilder();
        at++;
        while (true)
        {
            if (at >= text.length())
            {
                throw error("unterminated string");
            }
            final char c = text.charAt(at++);
            if (c == '"')
            {
                return sb.toString();
            }
            if (c == '\\')
            {
                final char e = text.charAt(at++);
                switch (e)
                {
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' ->
                    {
                        sb.append((char)Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> sb.append(e);
                }
            }
            else
            {
                sb.append(c);
            }
        }
    }

    private Object number()
    {
        final int start = at;
        while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0)
        {
            at++;
        }
        final String n = text.substring(start, at);
        if (n.isEmpty())
        {
            throw error("unexpected character '" + text.charAt(start) + "'");
        }
        try
        {
            return n.contains(".") || n.contains("e") || n.contains("E") ? (Object)Double.parseDouble(n) :
                (Object)Long.parseLong(n);
        }
        catch (final NumberFormatException ex)
        {
            throw error("bad number " + n);
        }
    }

    private Object literal(final String word, final Object value)
    {
        if (!text.startsWith(word, at))
        {
            throw error("expected " + word);
        }
        at += word.length();
        return value;
    }

    private char peek()
    {
        return at < text.length() ? text.charAt(at) : '\0';
    }

    private void expect(final char c)
    {
        if (peek() != c)
        {
            throw error("expected '" + c + "'");
        }
        at++;
    }

    private void skipSpace()
    {
        while (at < text.length() && Character.isWhitespace(text.charAt(at)))
        {
            at++;
        }
    }

    private IllegalArgumentException error(final String what)
    {
        return new IllegalArgumentException("JSON: " + what + " at offset " + at);
    }
}
