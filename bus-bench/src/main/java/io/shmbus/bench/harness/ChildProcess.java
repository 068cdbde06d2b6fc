package io.shmbus.bench.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM started by the harness: its stdout lines are read by a thread and queued, its stderr goes to a
 * log file, commands go to its stdin. Every child ever started is tracked so that a shutdown hook can kill
 * whatever is still alive.
 */
final class ChildProcess implements AutoCloseable
{
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final String END = "\u0000END";

    static
    {
        Runtime.getRuntime().addShutdownHook(new Thread(ChildProcess::killAll, "kill-children"));
    }

    private final String name;
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final PrintWriter stdin;
    private final Map<String, String> result = new LinkedHashMap<>();
    private String histogram;
    private String error;

    ChildProcess(final String name, final List<String> command, final Path log) throws IOException
    {
        this.name = name;
        Files.createDirectories(log.getParent());
        final ProcessBuilder builder = new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Files.writeString(log, "# " + String.join(" ", command) + System.lineSeparator(), StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        process = builder.start();
        LIVE.add(process);
        stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        final Thread reader = new Thread(() -> readStdout(log), "stdout-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    private void readStdout(final Path log)
    {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = in.readLine()))
            {
                if (line.startsWith("HIST "))
                {
                    histogram = line.substring(5);
                }
                else
                {
                    Files.writeString(log, "> " + line + System.lineSeparator(), StandardCharsets.UTF_8,
                        StandardOpenOption.APPEND);
                }
                if (line.startsWith("RESULT "))
                {
                    for (final String field : line.substring(7).trim().split("\\s+"))
                    {
                        final int eq = field.indexOf('=');
                        if (eq > 0)
                        {
                            result.put(field.substring(0, eq), field.substring(eq + 1));
                        }
                    }
                }
                if (line.startsWith("ERROR "))
                {
                    error = line.substring(6);
                }
                lines.add(line);
            }
        }
        catch (final IOException ignore)
        {
            // the process went away
        }
        lines.add(END);
    }

    String name()
    {
        return name;
    }

    long pid()
    {
        return process.pid();
    }

    /**
     * Wait for a line starting with {@code prefix}.
     *
     * @return the line.
     * @throws BenchException when the child fails, exits or times out first.
     */
    String await(final String prefix, final long timeoutMs) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            final long remaining = deadline - System.nanoTime();
            final String line = lines.poll(Math.max(0, remaining), TimeUnit.NANOSECONDS);
            if (null == line)
            {
                throw new BenchException(name + ": no " + prefix.trim() + " within " + timeoutMs + " ms");
            }
            if (line.startsWith(prefix))
            {
                return line;
            }
            if (line.startsWith("ERROR "))
            {
                throw new BenchException(name + ": " + line.substring(6));
            }
            if (END.equals(line))
            {
                lines.add(END);
                throw new BenchException(name + " exited (" + exitValueOrRunning() + ") before " + prefix.trim() +
                    (null != error ? ": " + error : ""));
            }
        }
    }

    private String exitValueOrRunning()
    {
        try
        {
            return process.waitFor(2, TimeUnit.SECONDS) ? "status " + process.exitValue() : "still running";
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    void send(final String command)
    {
        stdin.println(command);
    }

    Map<String, String> result()
    {
        return result;
    }

    String histogram()
    {
        return histogram;
    }

    /**
     * Ask the child to quit and wait for it; kill it when it does not go.
     */
    boolean quit(final long timeoutMs) throws InterruptedException
    {
        if (process.isAlive())
        {
            send("QUIT");
        }
        final boolean exited = process.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
        if (!exited)
        {
            kill();
        }
        return exited;
    }

    void kill()
    {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try
        {
            process.waitFor(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        LIVE.remove(process);
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            kill();
        }
        LIVE.remove(process);
        try
        {
            final OutputStream out = process.getOutputStream();
            out.close();
        }
        catch (final IOException ignore)
        {
            // already gone
        }
    }

    static void killAll()
    {
        for (final Process p : LIVE)
        {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        LIVE.clear();
    }
}
