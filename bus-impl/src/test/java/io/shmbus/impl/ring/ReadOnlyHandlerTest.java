package io.shmbus.impl.ring;

import io.shmbus.MessageHandler;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.impl.TestBus;
import io.shmbus.impl.process.ChildGroup;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.VandalSubscriberMain;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A subscriber's handler that tries to write into the ring. Through the buffer it is given it cannot: the cast to
 * a mutable buffer fails in its own thread (ClassCastException out of its poll), re-pointing the buffer fails, and
 * an untethered subscriber's handler only ever holds a private copy. Through the raw address it dies: the ring is
 * mapped read-only in subscribers, so a child JVM that writes there is killed by SIGSEGV, while the other
 * subscribers and the publisher go on with every message intact.
 */
class ReadOnlyHandlerTest
{
    private static final int MESSAGES = 200;

    @Test
    @Timeout(30)
    void aHandlerCannotWriteThroughItsBuffer()
    {
        try (TestBus test = TestBus.create("readonly"))
        {
            final Topic topic = test.bus().topic("t", TopicOptions.builder().capacityBytes(64 * 1024).build());
            final Subscriber vandal = topic.subscriber(SubscriberOptions.tethered());
            final Subscriber tethered = topic.subscriber(SubscriberOptions.tethered());
            final Subscriber untetheredVandal = topic.subscriber(SubscriberOptions.untethered());
            final Subscriber untethered = topic.subscriber(SubscriberOptions.untethered());
            final Publisher publisher = topic.publisher(PublisherOptions.exclusive());
            final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
            for (int i = 0; i < MESSAGES; i++)
            {
                message.putInt(0, i);
                message.putLong(8, 0x0123_4567_89AB_CDEFL);
                assertTrue(publisher.offer(message, 0, message.capacity()) > 0);
            }

            final ClassCastException cast = assertThrows(ClassCastException.class, () -> vandal.poll(
                (buffer, offset, length, header) -> ((MutableDirectBuffer)buffer).putLong(offset + 8, 0), 10));
            System.out.println("READ-ONLY cast to MutableDirectBuffer -> " + cast);
            assertTrue(cast.getMessage().contains(ReadOnlyBuffer.class.getName()) &&
                cast.getMessage().contains(MutableDirectBuffer.class.getName()), cast.getMessage());
            final UnsupportedOperationException rewrap = assertThrows(UnsupportedOperationException.class,
                () -> vandal.poll((buffer, offset, length, header) -> buffer.wrap(new byte[64]), 10));
            System.out.println("READ-ONLY re-pointing the buffer -> " + rewrap);
            assertTrue(vandal.poll((buffer, offset, length, header) -> assertEquals(null, buffer.byteArray()), 1) == 1);

            // An untethered handler holds a copy: writing into it changes nothing the others read.
            final int[] copies = {0};
            while (untetheredVandal.poll((buffer, offset, length, header) ->
            {
                ((MutableDirectBuffer)buffer).putLong(offset + 8, 0);
                copies[0]++;
            }, 50) > 0)
            {
                Thread.onSpinWait();
            }
            assertEquals(MESSAGES, copies[0]);

            // The vandals' own streams go on after their failures: each failed message is consumed, not redelivered.
            assertEquals(List.of(3), indices(vandal, 1));
            for (final Subscriber reader : List.of(tethered, untethered))
            {
                final List<Integer> seen = indices(reader, MESSAGES);
                assertEquals(MESSAGES, seen.size());
                for (int i = 0; i < MESSAGES; i++)
                {
                    assertEquals(i, seen.get(i));
                }
            }
        }
    }

    private static List<Integer> indices(final Subscriber subscriber, final int count)
    {
        final List<Integer> seen = new ArrayList<>();
        final MessageHandler handler = (buffer, offset, length, header) ->
        {
            assertEquals(0x0123_4567_89AB_CDEFL, buffer.getLong(offset + 8), "the message is intact");
            seen.add(buffer.getInt(offset));
        };
        while (seen.size() < count && subscriber.poll(handler, count - seen.size()) > 0)
        {
            Thread.onSpinWait();
        }
        return seen;
    }

    @Test
    @Timeout(120)
    void aChildWritingThroughTheRawAddressDiesAloneAndChangesNothing() throws Exception
    {
        final Path errorFile = Path.of("/tmp", "shmbus-test-vandal-" + ProcessHandle.current().pid() + ".log");
        try (TestBus test = TestBus.create("vandal"); ChildGroup children = new ChildGroup())
        {
            final Topic topic = test.bus().topic("t", TopicOptions.builder().capacityBytes(64 * 1024).build());
            final Subscriber reader = topic.subscriber(SubscriberOptions.tethered());
            final Publisher publisher = topic.publisher(PublisherOptions.exclusive());
            final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
            message.putLong(8, 0x0123_4567_89AB_CDEFL);
            message.putInt(0, 0);
            assertTrue(publisher.offer(message, 0, message.capacity()) > 0);

            final List<String> flags = new ArrayList<>(ChildProcess.JVM_FLAGS);
            flags.addAll(List.of("-XX:ErrorFile=" + errorFile, "-XX:-CreateCoredumpOnCrash"));
            final ChildProcess vandal = children.start("vandal", List.of(), flags,
                System.getProperty("java.class.path"), VandalSubscriberMain.class, "dir=" + test.directory(),
                    "topic=t");
            vandal.awaitLine("READY", Duration.ofSeconds(60));
            final String writing = vandal.awaitLine("WRITING", Duration.ofSeconds(60));
            final int exit = vandal.awaitExit(Duration.ofSeconds(60));
            final String crash = Files.exists(errorFile) ? Files.readString(errorFile) : "";
            System.out.println("READ-ONLY child " + writing + " -> exit code " + exit + ", " +
                crash.lines().filter(l -> l.contains("SIGSEGV")).findFirst().orElse("no SIGSEGV report"));
            assertNotEquals(0, exit, vandal.diagnostics());
            assertTrue(!vandal.diagnostics().contains("SURVIVED"), vandal.diagnostics());
            assertTrue(crash.contains("SIGSEGV") || vandal.diagnostics().contains("SIGSEGV"),
                vandal.diagnostics() + "\n" + crash);

            // The parent goes on: the dead subscriber stops holding the publisher back, every message is intact.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            final List<Integer> seen = new ArrayList<>();
            final MessageHandler check = (buffer, offset, length, header) ->
            {
                assertEquals(0x0123_4567_89AB_CDEFL, buffer.getLong(offset + 8), "the message is intact");
                seen.add(buffer.getInt(offset));
            };
            for (int i = 1; i < 5_000; i++) // several laps of the ring: the dead subscriber must be released
            {
                message.putInt(0, i);
                while (publisher.offer(message, 0, message.capacity()) < 0)
                {
                    reader.poll(check, 100);
                    assertTrue(System.nanoTime() < deadline, "the publisher is still held back");
                }
            }
            while (seen.size() < 5_000)
            {
                reader.poll(check, 100);
                assertTrue(System.nanoTime() < deadline, "messages missing");
            }
            for (int i = 0; i < seen.size(); i++)
            {
                assertEquals(i, seen.get(i));
            }
        }
        finally
        {
            Files.deleteIfExists(errorFile);
        }
    }
}
