package io.shmbus.impl.process;

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
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A child JVM running a main class from the test class path, with the flags shmbus needs; its command line comes
 * from {@link ChildJvm}, which the benchmark harness's children share.
 *
 * <p>The parent talks to it through lines: it reads the child's stdout line by line and waits for the lines it
 * expects ({@code READY}, {@code DONE ...}); a line starting with {@code FAIL} fails the wait at once with the
 * child's recent output. It writes commands to the child's stdin ({@link #send(String)}); the child exits on its
 * own when its stdin closes, so nothing is left running when the parent dies. {@link #close()} kills it.
 */
public final class ChildProcess implements AutoCloseable
{
    /** Flags every child JVM gets: those shmbus needs ({@link ChildJvm#REQUIRED_FLAGS}), a small heap, quiet logs. */
    public static final List<String> JVM_FLAGS = Stream.concat(
        ChildJvm.REQUIRED_FLAGS.stream(),
        Stream.of("-Xmx256m", "-XX:+UseSerialGC", "-Dlogback.configurationFile=logback-child.xml")).toList();

    private static final int RECENT_LINES = 200;
    private static final String EXIT_MARK = "\u0000exit";

    private final String name;
    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Deque<String> recent = new ArrayDeque<>();
    private final Thread stdoutReader;
    private final Thread stderrReader;

    private ChildProcess(final String name, final Process process)
    {
        this.name = name;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.stdoutReader = reader(process.getInputStream(), "out", true);
        this.stderrReader = reader(process.getErrorStream(), "err", false);
    }

    /**
     * Start {@code mainClass} in a new JVM.
     *
     * @param name      for messages.
     * @param mainClass a class with a main method on the test class path.
     * @param args      its arguments.
     * @return the running child.
     */
    public static ChildProcess start(final String name, final Class<?> mainClass, final String... args)
    {
        return start(name, List.of(), List.of(), mainClass, args);
    }

    /**
     * Start {@code mainClass} in a new JVM with more JVM flags, optionally under a wrapper command.
     *
     * @param name      for messages.
     * @param wrapper   a command that runs the JVM (for example {@code unshare --pid --fork}), or empty. The
     *                  child's {@link #pid()} is then the wrapper's; {@link #jvmPid()} finds the JVM.
     * @param jvmFlags  flags added after {@link #JVM_FLAGS} (system properties, compiler settings, ...).
     * @param mainClass a class with a main method on the test class path.
     * @param args      its arguments.
     * @return the running child.
     */
    public static ChildProcess start(
        final String name, final List<String> wrapper, final List<String> jvmFlags, final Class<?> mainClass,
        final String... args)
    {
        final List<String> flags = new ArrayList<>(JVM_FLAGS);
        flags.addAll(jvmFlags);
        final List<String> command = ChildJvm.command(
            wrapper, flags, ChildJvm.currentClassPath(), mainClass.getName(), List.of(args));
        try
        {
            return new ChildProcess(name, new ProcessBuilder(command).start());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start child " + name, ex);
        }
    }

    /**
     * Start a child with a command of the caller's making: {@code prefix} (for example {@code setpriv ...} to run
     * it as another user, or {@code sh -c 'umask 000; exec "$@"' sh} to give it another umask), then this JVM's
     * java with {@code jvmFlags} instead of {@link #JVM_FLAGS}, {@code classPath}, the main class and its
     * arguments. The child runs in {@code /tmp}, which every user may enter.
     *
     * @param name      for messages.
     * @param prefix    words before the java command, or none.
     * @param jvmFlags  the JVM's flags.
     * @param classPath the class path (see {@link ReadableClassPath} for a user who cannot read this one).
     * @param mainClass a class with a main method on that class path.
     * @param args      its arguments.
     * @return the running child.
     */
    public static ChildProcess start(
        final String name,
        final List<String> prefix,
        final List<String> jvmFlags,
        final String classPath,
        final Class<?> mainClass,
        final String... args)
    {
        final List<String> command = ChildJvm.command(prefix, jvmFlags, classPath, mainClass.getName(), List.of(args));
        try
        {
            return new ChildProcess(name, new ProcessBuilder(command).directory(new java.io.File("/tmp")).start());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start child " + name + ": " + command, ex);
        }
    }

    /**
     * @return the exit code, or -1 while the child runs.
     */
    public int exitCode()
    {
        return process.isAlive() ? -1 : process.exitValue();
    }

    private Thread reader(final InputStream stream, final String label, final boolean queue)
    {
        final Thread thread = new Thread(() ->
        {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = reader.readLine()))
                {
                    remember(label + ": " + line);
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
                    lines.add(EXIT_MARK);
                }
            }
        }, "child-" + name + "-" + label);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private void remember(final String line)
    {
        synchronized (recent)
        {
            if (recent.size() == RECENT_LINES)
            {
                recent.removeFirst();
            }
            recent.addLast(line);
        }
    }

    /**
     * @return the child's name.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return the child's process id.
     */
    public long pid()
    {
        return process.pid();
    }

    /**
     * @return the process id of the child's JVM: {@link #pid()}, or, when it runs under a wrapper command, the
     * one descendant of the wrapper that is a java process.
     * @throws IllegalStateException when there is no such process (yet, or any more).
     */
    public long jvmPid()
    {
        final String java = ProcessHandle.current().info().command().orElse("java");
        if (process.info().command().map(java::equals).orElse(false))
        {
            return process.pid();
        }
        return process.descendants()
            .filter(p -> p.info().command().map(java::equals).orElse(false))
            .mapToLong(ProcessHandle::pid)
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no JVM runs under child " + name + " (pid " +
                process.pid() + ")"));
    }

    /**
     * Wait for the next stdout line that starts with {@code prefix} followed by a space or the end of the line,
     * skipping other lines (log output).
     *
     * @param prefix  the first word of the line.
     * @param timeout how long to wait.
     * @return the line.
     * @throws AssertionError when the child prints a FAIL line, exits, or the timeout passes.
     */
    public String awaitLine(final String prefix, final Duration timeout)
    {
        return awaitAnyLine(timeout, prefix);
    }

    /**
     * Wait for the next stdout line whose first word is one of {@code prefixes}, skipping other lines.
     *
     * @param timeout  how long to wait.
     * @param prefixes the first words looked for.
     * @return the line.
     * @throws AssertionError when the child prints a FAIL line, exits, or the timeout passes.
     */
    public String awaitAnyLine(final Duration timeout, final String... prefixes)
    {
        final String wanted = String.join("' or '", prefixes);
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            final long remaining = deadline - System.nanoTime();
            final String line;
            try
            {
                line = remaining > 0 ? lines.poll(remaining, TimeUnit.NANOSECONDS) : null;
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for '" + wanted + "' from " + name, ex);
            }
            if (null == line)
            {
                throw new AssertionError("child " + name + " did not print '" + wanted + "' within " + timeout +
                    "\n" + diagnostics());
            }
            if (EXIT_MARK.equals(line))
            {
                lines.add(EXIT_MARK);
                throw new AssertionError("child " + name + " exited before printing '" + wanted + "'" +
                    exitCodeText() + "\n" + diagnostics());
            }
            if (line.startsWith("FAIL"))
            {
                throw new AssertionError("child " + name + " failed: " + line + "\n" + diagnostics());
            }
            for (final String prefix : prefixes)
            {
                if (line.equals(prefix) || line.startsWith(prefix + " "))
                {
                    return line;
                }
            }
        }
    }

    /**
     * Wait for the child's next stdout line, whatever it is.
     *
     * @param timeout how long to wait.
     * @return the line, or null once the child has exited and every line it printed was read.
     * @throws AssertionError when the child prints a FAIL line or the timeout passes.
     */
    public String nextLine(final Duration timeout)
    {
        final String line;
        try
        {
            line = lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for a line from " + name, ex);
        }
        if (null == line)
        {
            throw new AssertionError("child " + name + " printed nothing within " + timeout + "\n" + diagnostics());
        }
        if (EXIT_MARK.equals(line))
        {
            lines.add(EXIT_MARK);
            return null;
        }
        if (line.startsWith("FAIL"))
        {
            throw new AssertionError("child " + name + " failed: " + line + "\n" + diagnostics());
        }
        return line;
    }

    /**
     * Wait for a line and split it into words, the prefix excluded.
     *
     * @param prefix  the first word of the line.
     * @param timeout how long to wait.
     * @return the words after the prefix.
     */
    public String[] awaitWords(final String prefix, final Duration timeout)
    {
        final String line = awaitLine(prefix, timeout);
        final String rest = line.substring(prefix.length()).trim();
        return rest.isEmpty() ? new String[0] : rest.split(" ");
    }

    private String exitCodeText()
    {
        try
        {
            if (process.waitFor(2, TimeUnit.SECONDS))
            {
                return " (exit code " + process.exitValue() + ")";
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return "";
    }

    /**
     * Write a command line to the child's stdin.
     *
     * @param line the command.
     */
    public void send(final String line)
    {
        try
        {
            stdin.write(line);
            stdin.write('\n');
            stdin.flush();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write to child " + name + "\n" + diagnostics(), ex);
        }
    }

    /**
     * Close the child's stdin without killing it: a child exits on its own when it sees the end of its input.
     */
    public void closeInput()
    {
        try
        {
            stdin.close();
        }
        catch (final IOException ignore)
        {
            // already gone
        }
    }

    /**
     * Send a signal with the {@code kill} command.
     *
     * @param signal the signal's name without SIG: STOP, CONT, KILL, TERM.
     */
    public void signal(final String signal)
    {
        signal(process.pid(), signal);
    }

    /**
     * Send a signal to any process with the {@code kill} command.
     *
     * @param pid    the process.
     * @param signal the signal's name without SIG: STOP, CONT, KILL, TERM.
     */
    public static void signal(final long pid, final String signal)
    {
        try
        {
            final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0)
            {
                kill.destroyForcibly();
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed: " +
                    new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted sending " + signal, ex);
        }
    }

    /**
     * SIGKILL the child at once, through the {@code kill(2)} system call rather than the {@code kill} command: for
     * tests that time what follows the signal.
     */
    public void killNow()
    {
        process.destroyForcibly();
    }

    /**
     * Stop the child with SIGSTOP: it keeps its locks and mappings but does not run.
     */
    public void suspend()
    {
        signal("STOP");
    }

    /**
     * Let a stopped child run again (SIGCONT).
     */
    public void resume()
    {
        signal("CONT");
    }

    /**
     * Wait for the child to exit.
     *
     * @param timeout how long to wait.
     * @return the exit code.
     * @throws AssertionError when it is still running after the timeout.
     */
    public int awaitExit(final Duration timeout)
    {
        try
        {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS))
            {
                throw new AssertionError("child " + name + " still running after " + timeout + "\n" + diagnostics());
            }
            stdoutReader.join(TimeUnit.SECONDS.toMillis(5));
            stderrReader.join(TimeUnit.SECONDS.toMillis(5));
            return process.exitValue();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + name + " to exit", ex);
        }
    }

    /**
     * @return true while the child runs.
     */
    public boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * @return the last lines the child printed on stdout and stderr.
     */
    public String diagnostics()
    {
        synchronized (recent)
        {
            final StringBuilder sb = new StringBuilder("--- last output of child ").append(name)
                .append(" (pid ").append(process.pid()).append(") ---\n");
            for (final String line : recent)
            {
                sb.append("  ").append(line).append('\n');
            }
            return sb.append("---").toString();
        }
    }

    /**
     * Close the child's stdin (it exits on its own) and kill it, and whatever runs under it (a JVM under a
     * wrapper command); wait until it is gone.
     */
    @Override
    public void close()
    {
        closeInput();
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        if (process.isAlive())
        {
            process.destroyForcibly(); // SIGKILL: also ends a stopped child
        }
        try
        {
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("child " + name + " (pid " + process.pid() + ") did not die");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString()
    {
        return "ChildProcess{" + name + ", pid " + process.pid() + '}';
    }
}
