package io.shmbus.impl.signal;

import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.impl.TestBus;
import io.shmbus.impl.process.ChildGroup;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.ChildSupport;
import io.shmbus.impl.process.StrategySubscriberMain;
import io.shmbus.impl.process.WaitChildSupport;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An idle subscriber blocked in {@code poll(handler, limit, 30 s)} costs (next to) no CPU: two child JVMs, one with
 * {@link io.shmbus.WaitStrategy#futex()}, one with the default {@link io.shmbus.WaitStrategy#spinYieldFutex()},
 * each blocked on its own idle topic.
 *
 * <p>Measured from /proc over {@value #MEASURE_SECONDS} s, starting {@value #SETTLE_SECONDS} s after the thread
 * was seen blocked in a shared {@code FUTEX_WAIT} (so that start-up compilation and class loading are over): the
 * waiting thread's utime + stime ({@code /proc/PID/task/TID/stat}, in clock ticks of {@code getconf CLK_TCK}) and its
 * time on a CPU as the scheduler counts it ({@code /proc/PID/task/TID/schedstat}, in nanoseconds: clock ticks only
 * sample, and a thread that wakes on the timer tick is charged whole ticks); and the whole JVM's utime + stime
 * ({@code /proc/PID/stat}), its housekeeping threads included. Asserted: the waiting thread uses under 1% of a core
 * by both measures (it wakes ten times a second to look for a dead publisher's claim). The whole JVM's figure is
 * reported. Afterwards a message must still wake each of them.
 */
class IdleCpuTest
{
    private static final int SETTLE_SECONDS = 3;
    private static final int MEASURE_SECONDS = 10;
    private static final TopicOptions OPTIONS = TopicOptions.builder()
        .capacityBytes(4096)
        .maxMessageLength(64)
        .maxPublishers(2)
        .maxSubscribers(2)
        .build();

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aBlockedSubscriberIsIdle() throws InterruptedException
    {
        final String[] strategies = {"futex", "spinYieldFutex"};
        try (TestBus bus = TestBus.create("idle-cpu");
             ChildGroup children = new ChildGroup())
        {
            final ChildProcess[] waiters = new ChildProcess[strategies.length];
            final int[] tids = new int[strategies.length];
            final Topic[] topics = new Topic[strategies.length];
            for (int i = 0; i < strategies.length; i++)
            {
                topics[i] = bus.bus().topic("idle-" + i, OPTIONS);
                waiters[i] = children.start("idle-" + strategies[i], StrategySubscriberMain.class,
                    "dir=" + bus.directory(), "topic=idle-" + i, "spec=" + ChildSupport.spec(OPTIONS),
                    "strategy=" + strategies[i], "count=1", "limit=16", "timeoutMs=30000");
            }
            for (int i = 0; i < strategies.length; i++)
            {
                tids[i] = Integer.parseInt(waiters[i].awaitWords("READY", Duration.ofSeconds(60))[1]);
                try (SignalTestSupport.SyscallProbe probe = new SignalTestSupport.SyscallProbe(
                    waiters[i].pid(), tids[i]))
                {
                    assertTrue(probe.awaitSharedFutexWait(0, TimeUnit.SECONDS.toNanos(20)),
                        strategies[i] + ": the subscriber did not block in FUTEX_WAIT: " + probe.describe());
                }
            }
            Thread.sleep(TimeUnit.SECONDS.toMillis(SETTLE_SECONDS));

            final long ticksPerSecond = SignalTestSupport.clockTicksPerSecond();
            final long[] threadBefore = new long[strategies.length];
            final long[] threadNanosBefore = new long[strategies.length];
            final long[] processBefore = new long[strategies.length];
            for (int i = 0; i < strategies.length; i++)
            {
                threadBefore[i] = SignalTestSupport.cpuTicks(threadStat(waiters[i], tids[i], "stat"));
                threadNanosBefore[i] = SignalTestSupport.cpuNanos(threadStat(waiters[i], tids[i], "schedstat"));
                processBefore[i] = SignalTestSupport.cpuTicks(Path.of("/proc/" + waiters[i].pid() + "/stat"));
            }
            final long start = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(MEASURE_SECONDS));
            final double seconds = (System.nanoTime() - start) / 1e9;
            for (int i = 0; i < strategies.length; i++)
            {
                final long thread = SignalTestSupport.cpuTicks(
                    threadStat(waiters[i], tids[i], "stat")) - threadBefore[i];
                final long threadNanos =
                    SignalTestSupport.cpuNanos(threadStat(waiters[i], tids[i], "schedstat")) - threadNanosBefore[i];
                final long process =
                    SignalTestSupport.cpuTicks(Path.of("/proc/" + waiters[i].pid() + "/stat")) - processBefore[i];
                final double threadPercent = 100.0 * thread / ticksPerSecond / seconds;
                final double threadNanosPercent = 100.0 * threadNanos / 1e9 / seconds;
                final double processPercent = 100.0 * process / ticksPerSecond / seconds;
                System.out.printf("idle subscriber (%s), blocked in poll(handler, 16, 30 s), over %.1f s: waiting " +
                        "thread %d ticks = %.2f%% of a core, on a CPU %.1f ms = %.3f%%; whole JVM %d ticks = %.2f%% " +
                        "(CLK_TCK %d)%n",
                    strategies[i], seconds, thread, threadPercent, threadNanos / 1e6, threadNanosPercent, process,
                    processPercent, ticksPerSecond);
                assertTrue(threadPercent < 1.0 && threadNanosPercent < 1.0, strategies[i] +
                    ": the blocked subscriber's thread used " + threadPercent + "% of a core (ticks), " +
                    threadNanosPercent + "% (scheduler)");
            }

            final UnsafeBuffer message = new UnsafeBuffer(new byte[WaitChildSupport.MESSAGE_LENGTH]);
            for (int i = 0; i < strategies.length; i++)
            {
                try (Publisher publisher = topics[i].publisher(PublisherOptions.exclusive()))
                {
                    assertTrue(publisher.offer(message, 0, WaitChildSupport.MESSAGE_LENGTH) > 0);
                }
                final String[] done = waiters[i].awaitWords("DONE", Duration.ofSeconds(30));
                assertEquals("1", done[0], strategies[i] + ": messages taken");
                assertEquals("0", done[1], strategies[i] + ": polls that timed out");
                waiters[i].send("EXIT");
                assertEquals(0, waiters[i].awaitExit(Duration.ofSeconds(30)));
            }
        }
    }

    private static Path threadStat(final ChildProcess child, final int tid, final String file)
    {
        return Path.of("/proc/" + child.pid() + "/task/" + tid + "/" + file);
    }
}
