package io.shmbus.impl.mapping;

import io.shmbus.TopicOptions;
import io.shmbus.impl.TestBus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Names that could leave the bus directory or make odd files, and topic settings out of range: each is refused with
 * an IllegalArgumentException that says why, by every call that takes a name, and nothing is created anywhere.
 * Each case prints {@code BAD INPUT <case> -> <exception>}.
 */
class BadNamesAndOptionsTest
{
    private static final String LONG_NAME = "n".repeat(101);

    @Test
    void badTopicNamesAreRefusedEverywhere() throws IOException
    {
        final Object[][] cases = {
            {"..", "must not start with '.'"},
            {".", "must not start with '.'"},
            {".hidden", "must not start with '.'"},
            {"/x", "character 0 is '/'"},
            {"a/b", "character 1 is '/'"},
            {"../escape", "must not start with '.'"},
            {"a/../../etc", "character 1 is '/'"},
            {"", "must not be empty"},
            {LONG_NAME, "101 characters long, the most is 100"},
            {"a\u0000b", "control 0x00"},
            {"a\nb", "control 0x0a"},
            {"tab\there", "control 0x09"},
            {"del\u007f", "control 0x7f"},
            {"caf\u00e9", "character 3 is '\u00e9'"},
            {"\u65e5\u672c", "character 0 is '\u65e5'"},
            {"a b", "character 1 is ' '"},
            {"a\\b", "character 1 is '\\'"},
            {"x*", "character 1 is '*'"},
        };
        try (TestBus test = TestBus.create("badnames"))
        {
            final Path parent = test.directory().getParent();
            for (final Object[] c : cases)
            {
                final String name = (String)c[0];
                final String expected = (String)c[1];
                final Executable[] calls = {
                    () -> test.bus().topic(name, TopicOptions.defaults()),
                    () -> test.bus().openTopic(name),
                    () -> test.bus().anonymousTopic(name, TopicOptions.defaults()),
                    () -> test.bus().deleteTopic(name)};
                for (final Executable call : calls)
                {
                    final IllegalArgumentException ex = assertThrows(
                        IllegalArgumentException.class, call, printable(name));
                    assertTrue(ex.getMessage().contains(expected), printable(name) + ": " + ex.getMessage());
                }
                report("topic name \"" + printable(name) + "\"",
                    assertThrows(IllegalArgumentException.class, () ->
                        test.bus().topic(name, TopicOptions.defaults())));
            }
            report("topic name null", assertThrows(IllegalArgumentException.class,
                () -> test.bus().topic(null, TopicOptions.defaults())));
            try (Stream<Path> files = Files.list(test.directory()))
            {
                assertEquals(0, files.count(), "nothing was created in the bus directory");
            }
            for (final String escaped : new String[]{"escape", "etc", "x", "b"})
            {
                assertTrue(!Files.exists(parent.resolve(escaped)) || !Files.isRegularFile(parent.resolve(escaped)) ||
                    Files.size(parent.resolve(escaped)) != TopicOptions.defaults().capacityBytes() + 8192,
                    "nothing was created beside the bus directory: " + parent.resolve(escaped));
            }

            // The limits themselves are accepted.
            test.bus().topic("n".repeat(100), TopicOptions.builder().capacityBytes(4096).build()).close();
            test.bus().topic("A-z_0.9", TopicOptions.builder().capacityBytes(4096).build()).close();
        }
    }

    @Test
    void badSettingsAreRefused()
    {
        final Object[][] cases = {
            {"capacity 0", (Executable)() -> TopicOptions.builder().capacityBytes(0).build(), "capacityBytes", ": 0"},
            {"capacity 4095", (Executable)() -> TopicOptions.builder().capacityBytes(4095).build(), ": 4095"},
            {"capacity 3000 (not a power of two, too small)",
                (Executable)() -> TopicOptions.builder().capacityBytes(3000).build(), "power of two", ": 3000"},
            {"capacity 12288 (not a power of two)",
                (Executable)() -> TopicOptions.builder().capacityBytes(12288).build(), "power of two", ": 12288"},
            {"capacity 2048 (too small)", (Executable)() -> TopicOptions.builder().capacityBytes(2048).build(),
                "from 4096", ": 2048"},
            {"capacity 2^30 + 2^29 (not a power of two)",
                (Executable)() -> TopicOptions.builder().capacityBytes((1 << 30) + (1 << 29)).build(), ": 1610612736"},
            {"capacity 2^31 (int overflow: -2147483648)",
                (Executable)() -> TopicOptions.builder().capacityBytes(1 << 31).build(), ": -2147483648"},
            {"capacity -4096", (Executable)() -> TopicOptions.builder().capacityBytes(-4096).build(), ": -4096"},
            {"maxMessageLength capacity/8 + 1",
                (Executable)() -> TopicOptions.builder().capacityBytes(65536).maxMessageLength(8193).build(),
                "at most capacityBytes / 8 = 8192", "65536", ": 8193"},
            {"maxMessageLength -1", (Executable)() -> TopicOptions.builder().maxMessageLength(-1),
                "must not be negative: -1"},
            {"maxPublishers 0", (Executable)() -> TopicOptions.builder().maxPublishers(0).build(), "1 to 1024: 0"},
            {"maxPublishers 1025", (Executable)() -> TopicOptions.builder().maxPublishers(1025).build(), ": 1025"},
            {"maxSubscribers 0", (Executable)() -> TopicOptions.builder().maxSubscribers(0).build(), "1 to 1024: 0"},
            {"maxSubscribers -3", (Executable)() -> TopicOptions.builder().maxSubscribers(-3).build(), ": -3"},
        };
        for (final Object[] c : cases)
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, (Executable)c[1],
                (String)c[0]);
            for (int i = 2; i < c.length; i++)
            {
                assertTrue(ex.getMessage().contains((String)c[i]), c[0] + ": " + ex.getMessage());
            }
            report((String)c[0], ex);
        }
        // The extremes that are allowed.
        TopicOptions.builder().capacityBytes(4096).maxMessageLength(512).maxPublishers(1).maxSubscribers(1).build();
        TopicOptions.builder().capacityBytes(1 << 30).maxMessageLength(1 << 27).maxPublishers(1024)
            .maxSubscribers(1024).build();
    }

    private static String printable(final String s)
    {
        if (null == s)
        {
            return "null";
        }
        final StringBuilder sb = new StringBuilder();
        for (final char c : s.toCharArray())
        {
            sb.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int)c) : String.valueOf(c));
        }
        return sb.length() > 40 ? sb.substring(0, 20) + "...(" + s.length() + " characters)" : sb.toString();
    }

    static void report(final String what, final Exception ex)
    {
        System.out.println("BAD INPUT " + what + " -> " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
    }
}
