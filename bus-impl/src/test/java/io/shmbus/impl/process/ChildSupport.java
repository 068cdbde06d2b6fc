package io.shmbus.impl.process;

import io.shmbus.TopicOptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The child's half of {@link ChildProcess}: lines to the parent on stdout, commands from the parent on stdin,
 * and the rules that keep a child from outliving its test.
 *
 * <p>A child exits at once (exit code 3) when its stdin reaches end of file, which happens when the parent
 * closes it or dies, and (exit code 4) when its deadline passes.
 */
public final class ChildSupport
{
    private static final BlockingQueue<String> COMMANDS = new LinkedBlockingQueue<>();
    private static volatile boolean started;

    private ChildSupport()
    {
    }

    /**
     * What a child's body does with its arguments.
     */
    @FunctionalInterface
    public interface Body
    {
        /**
         * @param args the parsed arguments.
         * @throws Exception anything: reported as a FAIL line.
         */
        void run(ChildArgs args) throws Exception;
    }

    /**
     * The whole main of a child: parse the arguments, start the stdin watcher and deadline, run the body,
     * report a failure as a FAIL line, and exit 0.
     *
     * @param args            the command line.
     * @param deadlineSeconds the default deadline (argument {@code deadline} overrides it).
     * @param body            the child's work.
     */
    public static void main(final String[] args, final long deadlineSeconds, final Body body)
    {
        final ChildArgs a = new ChildArgs(args);
        start(a.getLong("deadline", deadlineSeconds));
        try
        {
            body.run(a);
        }
        catch (final Throwable ex)
        {
            fail(ex);
        }
        System.exit(0);
    }

    /**
     * Start watching stdin and the deadline. Call first in every child main.
     *
     * @param deadlineSeconds the longest this child may live.
     */
    public static synchronized void start(final long deadlineSeconds)
    {
        if (started)
        {
            return;
        }
        started = true;
        final Thread stdin = new Thread(() ->
        {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = reader.readLine()))
                {
                    COMMANDS.add(line.trim());
                }
            }
            catch (final IOException ignore)
            {
                // treated as end of file
            }
            System.err.println("stdin closed: the parent is gone or done; exiting");
            Runtime.getRuntime().halt(3);
        }, "parent-watch");
        stdin.setDaemon(true);
        stdin.start();

        final Thread deadline = new Thread(() ->
        {
            try
            {
                Thread.sleep(TimeUnit.SECONDS.toMillis(deadlineSeconds));
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            out("FAIL deadline of " + deadlineSeconds + " s passed");
            Runtime.getRuntime().halt(4);
        }, "deadline");
        deadline.setDaemon(true);
        deadline.start();
    }

    /**
     * Print one line for the parent.
     *
     * @param line the line.
     */
    public static void out(final String line)
    {
        synchronized (System.out)
        {
            System.out.println(line);
            System.out.flush();
        }
    }

    /**
     * Report a failure to the parent and exit with code 1.
     *
     * @param reason what went wrong.
     */
    public static void fail(final String reason)
    {
        out("FAIL " + reason.replace('\n', ' '));
        System.err.println("FAIL " + reason);
        Runtime.getRuntime().halt(1);
    }

    /**
     * Report an unexpected exception and exit with code 1.
     *
     * @param ex the exception.
     */
    public static void fail(final Throwable ex)
    {
        final StringWriter trace = new StringWriter();
        ex.printStackTrace(new PrintWriter(trace));
        System.err.println(trace);
        out("FAIL " + ex.toString().replace('\n', ' '));
        Runtime.getRuntime().halt(1);
    }

    /**
     * Wait for a command line from the parent.
     *
     * @param expected the command.
     */
    public static void awaitCommand(final String expected)
    {
        try
        {
            while (true)
            {
                final String command = COMMANDS.take();
                if (command.equals(expected))
                {
                    return;
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            fail("interrupted waiting for " + expected);
        }
    }

    /**
     * Wait for the next command line from the parent.
     *
     * @return the command.
     */
    public static String nextCommand()
    {
        try
        {
            return COMMANDS.take();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            fail("interrupted waiting for a command");
            return null;
        }
    }

    /**
     * @param expected a command.
     * @return true when that command arrived (it is consumed); other commands are dropped.
     */
    public static boolean pollCommand(final String expected)
    {
        String command;
        while (null != (command = COMMANDS.poll()))
        {
            if (command.equals(expected))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Topic settings as one argument: {@code capacity:maxMessageLength:maxPublishers:maxSubscribers:timestamps}.
     *
     * @param options the settings.
     * @return the argument.
     */
    public static String spec(final TopicOptions options)
    {
        return options.capacityBytes() + ":" + options.maxMessageLength() + ":" + options.maxPublishers() + ":" +
            options.maxSubscribers() + ":" + options.timestamps();
    }

    /**
     * @param spec an argument made by {@link #spec(TopicOptions)}.
     * @return the settings.
     */
    public static TopicOptions options(final String spec)
    {
        final String[] parts = spec.split(":");
        return TopicOptions.builder()
            .capacityBytes(Integer.parseInt(parts[0]))
            .maxMessageLength(Integer.parseInt(parts[1]))
            .maxPublishers(Integer.parseInt(parts[2]))
            .maxSubscribers(Integer.parseInt(parts[3]))
            .timestamps(Boolean.parseBoolean(parts[4]))
            .build();
    }
}
