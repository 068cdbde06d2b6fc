package io.shmbus.interop;

import io.shmbus.TopicCorruptedException;
import io.shmbus.TopicOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static io.shmbus.interop.Proc.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same bad topic files are refused by the Java implementation and by the C reader, each with a message that
 * says what is wrong; the good copy is opened by both. The first case is a file of a future layout version.
 */
class InteropHeaderTest
{
    private static final TopicOptions OPTIONS = InteropReadTest.options(16 * 1024, false);

    @BeforeAll
    static void build()
    {
        CPrograms.require();
    }

    private interface Change
    {
        void apply(FileChannel file) throws IOException;
    }

    private record Case(String what, Change change, boolean rename, String javaSays, String cSays)
    {
    }

    @Test
    @Timeout(60)
    void javaAndCRefuseTheSameFiles() throws Exception
    {
        final List<Case> cases = List.of(
            new Case("layout version 4", putInt(8, 4), true,
                "layout version is 4, this shmbus reads version 3", "layout version is 4, this reader reads version 3"),
            new Case("layout version 4, other fields changed too", file ->
            {
                putInt(8, 4).apply(file);
                putInt(12, 8192).apply(file);
                putLong(2000, 42).apply(file);
            }, true, "layout version is 4", "layout version is 4"),
            new Case("not initialised", putInt(8, 0), true, "not initialised", "not initialised"),
            new Case("wrong magic", putLong(0, 0x1234), true, "not a shmbus topic", "not a shmbus topic"),
            new Case("capacity not a power of two", putLong(40, 20000), true, "ring capacity 20000",
                "ring capacity 20000"),
            new Case("unknown flag", putInt(72, 2 | 64), true, "unknown flags 0x40", "unknown flags 0x40"),
            new Case("control length", putLong(24, 0), true, "control region length is 0",
                "control region length is 0"),
            new Case("truncated", file -> file.truncate(8192), true, "(truncated?)", "(truncated?)"),
            new Case("name length 101", putInt(88, 101), true, "topic name length 101", "topic name length 101"),
            new Case("reserved byte in use", putLong(1024, 1), true, "reserved header byte 1024",
                "reserved header byte 1024"),
            new Case("anonymous flag on a named file", putInt(72, 2 | 4), true, "marked anonymous",
                "marked anonymous"),
            new Case("another topic's header", file -> { }, false, "header names topic 'good'",
                "header names topic 'good'"));

        try (InteropBus test = new InteropBus("header"))
        {
            test.bus().topic("good", OPTIONS).close();
            final Path good = test.directory().resolve("good");
            final List<String> failures = new ArrayList<>();
            int n = 0;
            for (final Case c : cases)
            {
                final String name = "bad" + n++;
                copy(good, test.directory().resolve(name), c.rename(), c.change());
                final TopicCorruptedException java = assertThrows(TopicCorruptedException.class,
                    () -> test.bus().openTopic(name), c.what());
                if (!java.getMessage().contains(c.javaSays()))
                {
                    failures.add(c.what() + ": Java says " + java.getMessage());
                }
                try (Proc reader = CPrograms.read("c-reader", "--topic", test.path(name)))
                {
                    final String error = reader.next("ERROR", seconds(10));
                    final int exit = reader.waitFor(seconds(10));
                    System.out.println("REFUSED " + c.what() + "\n  Java: " + java.getMessage() + "\n  C:    " + error);
                    if (null == error || !error.contains(c.cSays()) || exit != 2)
                    {
                        failures.add(c.what() + ": C exits " + exit + " saying " + error);
                    }
                }
            }
            assertTrue(failures.isEmpty(), String.join("\n", failures));

            // The good file, and a copy of it under a new name whose header says so, open in both.
            copy(good, test.directory().resolve("copy"), true, file -> { });
            test.bus().openTopic("copy").close();
            for (final String name : new String[]{"good", "copy"})
            {
                try (Proc reader = CPrograms.read("c-reader", "--topic", test.path(name), "--idle-ms", "100"))
                {
                    reader.await("READY", seconds(10));
                    assertEquals(5, reader.waitFor(seconds(10)), "idle timeout after 100 ms: " + reader.recent());
                }
            }
        }
    }

    private static void copy(final Path from, final Path to, final boolean rename, final Change change)
        throws IOException
    {
        Files.copy(from, to);
        try (FileChannel file = FileChannel.open(to, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            if (rename)
            {
                final String name = to.getFileName().toString();
                file.write(ByteBuffer.allocate(104).order(ByteOrder.LITTLE_ENDIAN).putInt(name.length())
                    .put(name.getBytes(StandardCharsets.US_ASCII)).clear(), 88);
            }
            change.apply(file);
        }
    }

    private static Change putLong(final int offset, final long value)
    {
        return file -> file.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value), offset);
    }

    private static Change putInt(final int offset, final int value)
    {
        return file -> file.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value), offset);
    }
}
