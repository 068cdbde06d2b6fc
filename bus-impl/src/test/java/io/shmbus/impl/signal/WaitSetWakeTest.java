package io.shmbus.impl.signal;

import io.shmbus.TopicOptions;
import io.shmbus.impl.TestBus;
import io.shmbus.impl.platform.Linux;
import io.shmbus.impl.process.ChildGroup;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.ChildSupport;
import io.shmbus.impl.process.CommandPublisherMain;
import io.shmbus.impl.process.WaitSetMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A {@link io.shmbus.WaitSet} over {@value #TOPICS} topics, in one child JVM, is woken by a message published on any
 * one of them by another child JVM, and names exactly that topic as ready; for each topic in turn (twice, in two
 * orders). With {@code futex_waitv}, the waiter is seen blocked in that system call over all the words before each
 * message; with the polling fallback (the child sets {@code shmbus.waitset.noFutexWaitv} before making the set) it
 * never calls it.
 */
class WaitSetWakeTest
{
    private static final int TOPICS = 8;
    private static final TopicOptions OPTIONS = TopicOptions.builder()
        .capacityBytes(4096)
        .maxMessageLength(64)
        .maxPublishers(2)
        .maxSubscribers(2)
        .build();
    private static final Duration LINE_TIMEOUT = Duration.ofSeconds(30);
    private static final long FUTEX_PRIVATE_FLAG = 128;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void futexWaitvWakesOnTheTopicThatGotData()
    {
        assumeTrue(Linux.futexWaitvSupported(), "futex_waitv needs Linux 5.16");
        run("waitset-waitv", false);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void pollingFallbackWakesOnTheTopicThatGotData()
    {
        run("waitset-poll", true);
    }

    private static void run(final String label, final boolean noFutexWaitv)
    {
        final List<Integer> order = new ArrayList<>();
        for (int i = 0; i < TOPICS; i++)
        {
            order.add(i);
        }
        for (int i = 0; i < TOPICS; i++)
        {
            order.add((i * 5 + 3) % TOPICS); // another order: a permutation, since 5 and 8 are coprime
        }
        final StringJoiner names = new StringJoiner(",");
        for (int i = 0; i < TOPICS; i++)
        {
            names.add("t" + i);
        }
        try (TestBus bus = TestBus.create(label);
             ChildGroup children = new ChildGroup())
        {
            for (int i = 0; i < TOPICS; i++)
            {
                bus.bus().topic("t" + i, OPTIONS);
            }
            final ChildProcess publisher = children.start("publisher", CommandPublisherMain.class,
                "dir=" + bus.directory(), "topics=" + names, "spec=" + ChildSupport.spec(OPTIONS));
            publisher.awaitLine("READY", LINE_TIMEOUT);
            final ChildProcess waiter = children.start("waiter", WaitSetMain.class, "dir=" + bus.directory(),
                "topics=" + names, "spec=" + ChildSupport.spec(OPTIONS), "rounds=" + order.size(),
                "noFutexWaitv=" + noFutexWaitv);
            final String[] ready = waiter.awaitWords("READY", LINE_TIMEOUT);
            final int tid = Integer.parseInt(ready[0]);
            assertEquals(noFutexWaitv ? "poll" : "waitv", ready[1], "how the wait set waits");

            long maxWaitedNs = 0;
            try (SignalTestSupport.SyscallProbe probe = new SignalTestSupport.SyscallProbe(waiter.pid(), tid))
            {
                for (int round = 0; round < order.size(); round++)
                {
                    final int topic = order.get(round);
                    assertEquals(Integer.toString(round), waiter.awaitWords("WAITING", LINE_TIMEOUT)[0]);
                    if (noFutexWaitv)
                    {
                        // Parking between looks: blocked in some other call (a private futex), never futex_waitv.
                        assertTrue(probe.awaitSyscall(SignalTestSupport.SYS_FUTEX, TimeUnit.SECONDS.toNanos(10)),
                            "the polling waiter did not park: " + probe.describe());
                        assertNotEquals(0, probe.arg(1) & FUTEX_PRIVATE_FLAG,
                            "a polling wait set sleeps on no shared futex: " + probe.describe());
                    }
                    else
                    {
                        assertTrue(probe.awaitSyscall(SignalTestSupport.SYS_FUTEX_WAITV, TimeUnit.SECONDS.toNanos(10)),
                            "round " + round + ": the waiter did not block in futex_waitv: " + probe.describe());
                        assertEquals(TOPICS, probe.arg(1), "words waited on: " + probe.describe());
                    }
                    publisher.send("PUB " + topic);
                    publisher.awaitLine("PUBLISHED", LINE_TIMEOUT);
                    final String[] woke = waiter.awaitWords("WOKE", LINE_TIMEOUT);
                    assertEquals(Integer.toString(round), woke[0]);
                    assertEquals("1", woke[1], "round " + round + ": subscribers ready after a message on topic " +
                        topic + ": " + String.join(" ", woke));
                    assertEquals(Integer.toString(topic), woke[2], "round " + round + ": the ready subscriber");
                    maxWaitedNs = Math.max(maxWaitedNs, Long.parseLong(woke[3]));
                }
            }
            waiter.awaitLine("DONE", LINE_TIMEOUT);
            System.out.printf("%s: %d rounds over %d topics, each woken by its message; longest wait %.1f ms%n",
                label, order.size(), TOPICS, maxWaitedNs / 1e6);
            waiter.send("EXIT");
            assertEquals(0, waiter.awaitExit(LINE_TIMEOUT));
        }
    }
}
