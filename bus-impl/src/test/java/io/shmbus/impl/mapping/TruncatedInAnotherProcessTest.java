package io.shmbus.impl.mapping;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.impl.TestBus;
import io.shmbus.impl.process.ChildGroup;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.FaultReaderMain;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A named topic's file truncated while other processes read it: each reader (tethered polling, untethered polling,
 * tethered asleep on the futex) gets a TopicCorruptedException naming the new size from its next poll, closes
 * everything and exits normally. The kernel's SIGBUS on the vanished pages never kills a JVM.
 */
class TruncatedInAnotherProcessTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    @Timeout(150)
    void readersInOtherProcessesGetTopicCorruptedNotACrash() throws Exception
    {
        for (final long newSize : new long[]{4096, 0})
        {
            try (TestBus test = TestBus.create("truncxproc"); ChildGroup children = new ChildGroup())
            {
                final Topic topic = test.bus().topic("t", TopicOptions.builder().capacityBytes(256 * 1024)
                    .requireSubscriber(false).build());
                final Publisher publisher = topic.publisher(PublisherOptions.exclusive());
                final UnsafeBuffer message = new UnsafeBuffer(new byte[100]);
                for (int i = 0; i < 100; i++)
                {
                    assertTrue(publisher.offer(message, 0, message.capacity()) > 0);
                }
                final String[][] readers = {{"tethered", "spin"}, {"untethered", "spin"}, {"tethered", "futex"}};
                final List<ChildProcess> started = new java.util.ArrayList<>();
                for (final String[] reader : readers)
                {
                    final ChildProcess child = children.start(reader[0] + "-" + reader[1], FaultReaderMain.class,
                        "dir=" + test.directory(), "topic=t", "policy=" + reader[0], "wait=" + reader[1]);
                    started.add(child);
                }
                for (final ChildProcess child : started)
                {
                    child.awaitLine("READY", TIMEOUT);
                    child.awaitLine("RECEIVED", TIMEOUT);
                }
                Thread.sleep(300); // the futex reader is asleep by now

                try (FileChannel file = FileChannel.open(test.directory().resolve("t"), StandardOpenOption.WRITE))
                {
                    file.truncate(newSize);
                }

                for (final ChildProcess child : started)
                {
                    final String line = child.awaitAnyLine(TIMEOUT, "CORRUPTED", "OTHER");
                    System.out.println("TRUNCATED to " + newSize + " under " + child.name() + " -> " + line);
                    assertTrue(line.startsWith("CORRUPTED ") && line.contains("memory fault") &&
                        line.contains("truncated or replaced") &&
                            line.contains("its size is now " + newSize + " bytes"),
                        line + "\n" + child.diagnostics());
                    child.awaitLine("CLOSED", TIMEOUT);
                    assertEquals(0, child.awaitExit(TIMEOUT), child.diagnostics());
                    assertTrue(!child.diagnostics().contains("SIGBUS") && !child.diagnostics().contains("hs_err"),
                        child.diagnostics());
                }
                // The parent's own mapping is damaged too: its publisher's claims and blocking offers report it.
                TruncatedTopicTest.assertFaultReported(
                    () -> publisher.tryClaim(8, new io.shmbus.Claim()), "its size is now " + newSize);
                TruncatedTopicTest.assertFaultReported(
                    () -> publisher.offerBlocking(message, 0, 8, 1_000_000_000L), "its size is now " + newSize);
                topic.close(); // and closing does not crash either
            }
        }
    }
}
