package io.shmbus.impl.process;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The child-JVM harness itself: lines both ways, SIGSTOP and SIGCONT, FAIL lines, and the two ways a child
 * ends on its own (its stdin closes, its deadline passes), so that no child outlives its test.
 */
class ChildProcessTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void linesBothWaysAndStopContinue() throws IOException
    {
        try (ChildProcess child = ChildProcess.start("echo", EchoMain.class))
        {
            child.awaitLine("READY", TIMEOUT);
            child.send("PING 1");
            assertEquals("PONG 1", child.awaitLine("PONG", TIMEOUT));

            child.suspend();
            assertEquals('T', state(child), "stopped");
            child.send("PING 2");
            assertThrows(AssertionError.class, () -> child.awaitLine("PONG", Duration.ofMillis(300)),
                "a stopped child answers nothing");
            child.resume();
            assertEquals("PONG 2", child.awaitLine("PONG", TIMEOUT));

            child.send("FAIL");
            final AssertionError failed = assertThrows(AssertionError.class, () -> child.awaitLine("PONG", TIMEOUT));
            assertTrue(failed.getMessage().contains("asked to fail"), failed.getMessage());
            assertEquals(1, child.awaitExit(TIMEOUT));
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void childExitsWhenItsInputCloses()
    {
        try (ChildProcess child = ChildProcess.start("orphan", EchoMain.class))
        {
            child.awaitLine("READY", TIMEOUT);
            child.closeInput();
            assertEquals(3, child.awaitExit(TIMEOUT), "exit code of a child whose parent went away");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void childExitsAtItsDeadline()
    {
        try (ChildProcess child = ChildProcess.start("late", EchoMain.class, "deadline=1"))
        {
            child.awaitLine("READY", TIMEOUT);
            final AssertionError failed = assertThrows(AssertionError.class, () -> child.awaitLine("NEVER", TIMEOUT));
            assertTrue(failed.getMessage().contains("deadline"), failed.getMessage());
            assertEquals(4, child.awaitExit(TIMEOUT));
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void closeKillsEvenAStoppedChild()
    {
        final ChildProcess child = ChildProcess.start("stopped", EchoMain.class);
        try
        {
            child.awaitLine("READY", TIMEOUT);
            child.suspend();
        }
        finally
        {
            child.close();
        }
        assertFalse(child.isAlive());
    }

    private static char state(final ChildProcess child) throws IOException
    {
        final String stat = Files.readString(Path.of("/proc/" + child.pid() + "/stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }
}
