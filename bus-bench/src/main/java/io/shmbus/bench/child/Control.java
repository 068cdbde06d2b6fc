package io.shmbus.bench.child;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The child's line to its parent: commands arrive on stdin ("GO", "QUIT"); when stdin closes the parent is
 * gone, and the child halts at once so that nothing is left running. A deadline halts a child that hangs.
 */
final class Control
{
    private static volatile int goes;
    private static volatile boolean quit;

    private Control()
    {
    }

    static void start(final long timeoutMs)
    {
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = in.readLine()))
                {
                    switch (line.trim())
                    {
                        case "GO" -> goes++;
                        case "QUIT" -> quit = true;
                        default -> System.err.println("unknown command: " + line);
                    }
                }
            }
            catch (final Exception ex)
            {
                ex.printStackTrace();
            }
            System.err.println("parent gone (stdin closed): halting");
            Runtime.getRuntime().halt(3);
        }, "control");
        reader.setDaemon(true);
        reader.start();

        final Thread watchdog = new Thread(() ->
        {
            try
            {
                Thread.sleep(timeoutMs);
                System.out.println("ERROR timeout after " + timeoutMs + " ms");
                System.out.flush();
                Runtime.getRuntime().halt(4);
            }
            catch (final InterruptedException ignore)
            {
                // not interrupted in practice
            }
        }, "watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    static void awaitGo()
    {
        awaitGo(1);
    }

    static void awaitGo(final int count)
    {
        while (goes < count)
        {
            sleep();
        }
    }

    /**
     * @return how many GO lines have come so far.
     */
    static int goes()
    {
        return goes;
    }

    static void awaitQuit()
    {
        while (!quit)
        {
            sleep();
        }
    }

    private static void sleep()
    {
        try
        {
            Thread.sleep(1);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
