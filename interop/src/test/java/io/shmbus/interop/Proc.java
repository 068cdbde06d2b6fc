package io.shmbus.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child process (a C program or a Java child JVM) that the test talks to through lines: it waits for lines of
 * the child's stdout by their first word, writes lines to its stdin, and kills it on close.
 */
final class Proc implements AutoCloseable
{
    /** The flags every JVM running shmbus needs (see the parent pom's shmbus.jvm.flags). */
    static final List<String> JVM_FLAGS = List.of(
        "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED",
        "-Xmx128m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Dlogback.configurationFile=logback-child.xml");

    private static final String EXIT = "\u0000exit";

    private final String name;
    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Deque<String> recent = new ArrayDeque<>();

    private Proc(final String name, final Process process)
    {
        this.name = name;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        reader(process.getInputStream(), "out", true);
        reader(process.getErrorStream(), "err", false);
    }

    static Proc start(final String name, final List<String> command)
    {
        return start(name, command, Map.of());
    }

    static Proc start(final String name, final List<String> command, final Map<String, String> environment)
    {
        try
        {
            final ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(environment);
            return new Proc(name, builder.start());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start " + name + ": " + command, ex);
        }
    }

    static Proc java(final String name, final Class<?> mainClass, final String... args)
    {
        return java(name, mainClass, List.of(), args);
    }

    /**
     * A child JVM with more flags of its own (system properties) after {@link #JVM_FLAGS}.
     */
    static Proc java(final String name, final Class<?> mainClass, final List<String> flags, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(JVM_FLAGS);
        command.addAll(flags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return start(name, command);
    }

    private void reader(final InputStream stream, final String label, final boolean queue)
    {
        final Thread thread = new Thread(() ->
        {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = reader.readLine()))
                {
                    synchronized (recent)
                    {
                        if (recent.size() == 100)
                        {
                            recent.removeFirst();
                        }
                        recent.addLast(label + ": " + line);
                    }
                    if (queue)
                    {
                        lines.add(line);
                    }
                }
            }
            catch (final IOException ignore)
            {
                // the child is gone
            }
            finally
            {
                if (queue)
                {
                    lines.add(EXIT);
                }
            }
        }, "proc-" + name + "-" + label);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Wait for a line whose first word is {@code word}, skipping others.
     *
     * @return the line.
     * @throws AssertionError when the child exits first, or prints an {@code ERROR} line, or the time runs out.
     */
    String await(final String word, final Duration timeout) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            final String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (null == line)
            {
                throw new AssertionError(
                    name + ": no '" + word + "' line within " + timeout + "; output:\n" + recent());
            }
            if (line.equals(EXIT))
            {
                lines.add(EXIT);
                throw new AssertionError(name + " ended before printing '" + word + "'; output:\n" + recent());
            }
            if (line.startsWith(word + " ") || line.equals(word))
            {
                return line;
            }
            if (line.startsWith("ERROR") || line.startsWith("FAIL") || line.startsWith("BAD"))
            {
                throw new AssertionError(name + ": " + line + "\noutput:\n" + recent());
            }
        }
    }

    /**
     * @return the next line that starts with {@code word}, or null when the child exited or the time ran out; other
     * lines are skipped (ERROR lines too: this is for reading refusals).
     */
    String next(final String word, final Duration timeout) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            final String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (null == line)
            {
                return null;
            }
            if (line.equals(EXIT))
            {
                lines.add(EXIT);
                return null;
            }
            if (line.startsWith(word + " ") || line.equals(word))
            {
                return line;
            }
        }
    }

    /**
     * @return the {@code key=value} words of a line.
     */
    static Map<String, String> fields(final String line)
    {
        final Map<String, String> fields = new HashMap<>();
        for (final String word : line.split(" "))
        {
            final int eq = word.indexOf('=');
            if (eq > 0)
            {
                fields.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return fields;
    }

    static long field(final String line, final String key)
    {
        final String value = fields(line).get(key);
        if (null == value)
        {
            throw new AssertionError("no " + key + "= in: " + line);
        }
        return Long.parseLong(value);
    }

    void send(final String line) throws IOException
    {
        stdin.write(line + "\n");
        stdin.flush();
    }

    /**
     * @return the exit code.
     */
    int waitFor(final Duration timeout) throws InterruptedException
    {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
        {
            throw new AssertionError(name + " did not exit within " + timeout + "; output:\n" + recent());
        }
        return process.exitValue();
    }

    long pid()
    {
        return process.pid();
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * SIGKILL, and wait until the kernel has reaped it (its locks are gone then).
     */
    void kill9() throws InterruptedException
    {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            throw new AssertionError(name + " survived SIGKILL");
        }
    }

    String recent()
    {
        synchronized (recent)
        {
            return String.join("\n", recent);
        }
    }

    /**
     * @return the CPU time the child has used so far, from /proc (user plus system, in clock ticks).
     */
    long cpuTicks() throws IOException
    {
        final String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid() + "/stat"));
        final String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(after[11]) + Long.parseLong(after[12]); // fields 14 and 15: utime, stime
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
        }
        try
        {
            process.waitFor(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString()
    {
        return name + " (pid " + process.pid() + ")";
    }

    static Duration seconds(final long seconds)
    {
        return Duration.ofSeconds(seconds);
    }
}
