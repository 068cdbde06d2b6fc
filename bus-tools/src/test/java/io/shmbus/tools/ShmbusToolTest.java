package io.shmbus.tools;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.impl.TestBus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShmbusToolTest
{
    @Test
    @Timeout(60)
    void listStatTailAndClean()
    {
        try (TestBus test = TestBus.create("tool"))
        {
            final String dir = test.directory().toString();
            final Topic topic = test.bus().topic("quotes", TopicOptions.builder().capacityBytes(64 * 1024).build());
            final Subscriber subscriber = topic.subscriber(SubscriberOptions.durable("audit"));
            final Publisher publisher = topic.publisher(PublisherOptions.exclusive());
            final UnsafeBuffer message = new UnsafeBuffer(new byte[16]);
            // 64 messages: an exclusive publisher stores its published count in its slot every 64 (and when
            // back-pressured or closing), so the figure stat shows is exact here.
            for (int i = 0; i < 64; i++)
            {
                message.putLong(0, 0xABCD00 + i);
                assertTrue(publisher.offer(message, 0, 16, 7) > 0);
            }
            assertEquals(64, subscriber.poll((b, o, l, h) -> {}, 100));

            final String list = run("--dir", dir, "list");
            assertTrue(list.contains("quotes") && list.contains("1/1"), list);

            final String stat = run("--dir", dir, "stat", "quotes", "--interval-ms", "10");
            assertTrue(stat.contains("exclusive") && stat.contains("published 64"), stat);
            assertTrue(stat.contains("DURABLE") && stat.contains("audit") && stat.contains("delivered 64"), stat);

            final String tail = run("--dir", dir, "tail", "quotes", "--count", "0");
            assertFalse(tail.contains("lost"), tail);

            subscriber.close();
            final String dropped = run("--dir", dir, "drop-durable", "quotes", "audit");
            assertTrue(dropped.contains("dropped durable subscription 'audit' of quotes"), dropped);
            assertEquals(0, topic.status().subscribers().size(), "the durable slot is free");

            final String busyClean = run("--dir", dir, "clean");
            assertTrue(busyClean.contains("0 file(s) removed"), busyClean);
            assertTrue(Files.exists(test.directory().resolve("quotes")), "a topic in use is never removed");

            test.bus().close();
            final String clean = run("--dir", dir, "clean");
            assertTrue(clean.contains("removed quotes"), clean);
            assertFalse(Files.exists(test.directory().resolve("quotes")));
        }
    }

    @Test
    void theBridgeAndJournalCommandsAreThere()
    {
        final String help = run("--help");
        for (final String command : new String[] {"list", "stat", "tail", "inspect", "clean", "drop-durable",
            "bridge", "record", "replay", "journal"})
        {
            assertTrue(help.contains("  " + command + " "), command + " in\n" + help);
        }
        assertTrue(run("bridge", "--help").contains("status"), "bridge subcommands");
        assertTrue(run("journal", "info", "--help").contains("info"), "journal info");
        assertTrue(run("journal", "trim", "--help").contains("--before"), "journal trim");
    }

    private static String run(final String... args)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream original = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try
        {
            final int exit = new CommandLine(new ShmbusTool()).execute(args);
            assertEquals(0, exit, "exit code of shmbus " + String.join(" ", args));
        }
        finally
        {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
