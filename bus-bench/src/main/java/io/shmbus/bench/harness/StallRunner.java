package io.shmbus.bench.harness;

import io.shmbus.bench.Variant;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs one variant of the stall scenario: {@link #PUBLISHERS} shared publishers and {@link #SUBSCRIBERS} tethered
 * subscribers, each its own JVM, on one topic with a {@link #RING_BYTES} ring, {@link #SIZE} B messages, and a
 * joiner JVM. Every publisher publishes as fast as it can; the row's rate is the aggregate of the first three.
 *
 * <p>In {@code stall-stopped} the last publisher runs with the fault point {@value #FAULT_POINT} enabled: after
 * {@link #faultSkip(Mode)} passes it halts inside one of its cleaning rounds, a zeroing step announced, and prints
 * {@code HALTED}; the harness then stops its JVM with SIGSTOP. The measured window opens once the warm-up is over
 * and the publisher is stopped. While it lasts the joiner joins the topic again and again as a tethered
 * subscriber from the oldest message. At the end the harness sends SIGCONT and creates the release file, the
 * publisher goes on and finishes, and every subscriber must have received every message of every publisher once,
 * in order and intact, or the run fails. {@code stall-none} runs the same JVMs, joiner included, without the
 * fault point: the reference of the ratio ({@code rateVsNoStop}).
 *
 * <p>A stopped JVM is never left behind: SIGCONT is sent on every way out, and by a shutdown hook.
 */
final class StallRunner
{
    /** Message length. */
    static final int SIZE = 32;
    /** Shared publishers, the last of them the one stopped. */
    static final int PUBLISHERS = 4;
    /** Tethered subscribers. */
    static final int SUBSCRIBERS = 4;
    /** The publishers measured: all but the stopped one. */
    static final int TIMED = PUBLISHERS - 1;
    /** The topic's ring. */
    static final int RING_BYTES = 64 << 10;
    /** The topic's largest message. */
    static final int MAX_LENGTH = 1024;
    /** Where the stopped publisher halts: a zeroing step of a cleaning round, announced, its bytes not zeroed. */
    static final String FAULT_POINT = "inStep";
    private static final long START_TIMEOUT_MS = 60_000;
    private static final long RESULT_TIMEOUT_MS = 60_000;
    private static final long HALT_TIMEOUT_MS = 120_000;
    private static final Set<Long> STOPPED = ConcurrentHashMap.newKeySet();

    static
    {
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            for (final long pid : STOPPED)
            {
                signalQuietly(pid, "CONT");
            }
        }, "continue-stopped"));
    }

    private final Runner runner;
    private final Mode mode;

    StallRunner(final Runner runner, final Mode mode)
    {
        this.runner = runner;
        this.mode = mode;
    }

    /**
     * @param mode the mode.
     * @return the warm-up of every publisher before the measured window.
     */
    static long warmupMs(final Mode mode)
    {
        return mode.smoke() ? 1_000 : Math.max(500, mode.warmupMs());
    }

    /**
     * @param mode the mode.
     * @return the measured window.
     */
    static long measureMs(final Mode mode)
    {
        return mode.smoke() ? 1_000 : mode.measureMs();
    }

    /**
     * @param mode the mode.
     * @return how many times the stopped publisher passes its fault point before it halts: enough for it to have
     *         run rounds of its own (and been compiled) first.
     */
    static long faultSkip(final Mode mode)
    {
        return mode == Mode.FULL ? 1_000 : 300;
    }

    /**
     * @param mode the mode.
     * @return the JVM flags of the publisher to stop.
     */
    static List<String> faultFlags(final Mode mode, final Path release)
    {
        return List.of("-Dshmbus.faultPoints=" + FAULT_POINT, "-Dshmbus.faultPoints.skip=" + faultSkip(mode),
            "-Dshmbus.faultPoints.release=" + release);
    }

    void run(
        final Run run,
        final String name,
        final Path dir,
        final List<ChildProcess> children,
        final Map<String, Object> row) throws IOException, InterruptedException
    {
        final boolean stop = run.variant() == Variant.STALL_STOPPED;
        final Path release = dir.resolve("release");
        final String[] topic = {"ringBytes=" + RING_BYTES, "maxLength=" + MAX_LENGTH};
        final List<ChildProcess> subscribers = new ArrayList<>();
        for (int i = 0; i < SUBSCRIBERS; i++)
        {
            final ChildProcess s = runner.start(run, name, dir, "stall-sub", i == 0, List.of(), "source=" + i,
                topic[0], topic[1], "publishers=" + PUBLISHERS, "timed=" + TIMED);
            children.add(s);
            subscribers.add(s);
            s.await("READY", START_TIMEOUT_MS);
        }
        final List<ChildProcess> publishers = new ArrayList<>();
        for (int i = 0; i < PUBLISHERS; i++)
        {
            final boolean halting = stop && i == PUBLISHERS - 1;
            final ChildProcess p = runner.start(run, name, dir, "stall-pub", false,
                halting ? faultFlags(mode, release) : List.of(), "source=" + i, topic[0], topic[1]);
            children.add(p);
            publishers.add(p);
        }
        final ChildProcess joiner = runner.start(run, name, dir, "stall-join", false, List.of(), topic);
        children.add(joiner);
        for (final ChildProcess p : publishers)
        {
            p.await("READY", START_TIMEOUT_MS);
        }
        joiner.await("READY", START_TIMEOUT_MS);

        final ChildProcess last = publishers.get(PUBLISHERS - 1);
        final long warmupMs = warmupMs(mode);
        final long measureMs = measureMs(mode);
        long stoppedPid = -1;
        try
        {
            publishers.forEach(p -> p.send("GO"));
            final long go = System.nanoTime();
            if (stop)
            {
                // on a busy machine the publisher may take many seconds to pass its fault point that many times
                final String halted = last.await("HALTED", warmupMs + HALT_TIMEOUT_MS);
                row.put("haltedAfterMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - go));
                row.put("haltedAt", halted.substring("HALTED ".length()));
                signal(last.pid(), "STOP");
                stoppedPid = last.pid();
                STOPPED.add(stoppedPid);
            }
            final long warmLeft = warmupMs - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - go);
            if (warmLeft > 0)
            {
                Thread.sleep(warmLeft);
            }
            publishers.forEach(p -> p.send("GO"));
            joiner.send("GO");
            Thread.sleep(measureMs);
            for (int i = 0; i < TIMED; i++)
            {
                publishers.get(i).send("GO");
            }
            joiner.send("GO");
            for (int i = 0; i < TIMED; i++)
            {
                publishers.get(i).await("RESULT", RESULT_TIMEOUT_MS);
            }
            joiner.await("RESULT", RESULT_TIMEOUT_MS);
            last.send("GO");
        }
        finally
        {
            if (stoppedPid > 0)
            {
                signalQuietly(stoppedPid, "CONT");
                STOPPED.remove(stoppedPid);
            }
            if (stop && !Files.exists(release))
            {
                Files.createFile(release);
            }
        }
        if (stop)
        {
            last.await("RELEASED", RESULT_TIMEOUT_MS);
        }
        last.await("RESULT", RESULT_TIMEOUT_MS);
        for (final ChildProcess s : subscribers)
        {
            s.await("RESULT", RESULT_TIMEOUT_MS);
        }
        final StallFigures figures = StallFigures.of(
            publishers.stream().map(ChildProcess::result).toList(),
            subscribers.stream().map(ChildProcess::result).toList(),
            joiner.result());
        row.put("publishers", PUBLISHERS);
        row.put("subscribers", SUBSCRIBERS);
        row.put("ringBytes", RING_BYTES);
        row.put("warmupMs", warmupMs);
        row.put("measureMs", measureMs);
        row.put("faultSkip", stop ? faultSkip(mode) : null);
        figures.put(row);
        if (mode != Mode.FULL)
        {
            row.put("notAVerdict", true);
            row.put("notAVerdictReason", mode.name() + " mode: " + measureMs + " ms windows");
        }
        if (!figures.clean())
        {
            throw new BenchException("not every message arrived once, in order and intact: " + figures.describe());
        }
    }

    private static void signal(final long pid, final String signal) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0)
        {
            kill.destroyForcibly();
            throw new BenchException("kill -" + signal + " " + pid + " failed");
        }
    }

    /**
     * Signals even when this thread was interrupted (the interrupt is kept for the caller), and never throws.
     */
    private static void signalQuietly(final long pid, final String signal)
    {
        final boolean interrupted = Thread.interrupted();
        try
        {
            signal(pid, signal);
        }
        catch (final IOException | RuntimeException | InterruptedException ex)
        {
            System.err.println("kill -" + signal + " " + pid + ": " + ex.getMessage());
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
