package io.shmbus.impl.platform;

import static io.shmbus.impl.platform.Linux.O_CLOEXEC;
import static io.shmbus.impl.platform.Linux.O_CREAT;
import static io.shmbus.impl.platform.Linux.O_EXCL;
import static io.shmbus.impl.platform.Linux.O_RDWR;
import static io.shmbus.impl.platform.PlatformTestSupport.awaitBlockedInSyscall;
import static io.shmbus.impl.platform.PlatformTestSupport.currentTid;
import static io.shmbus.impl.platform.PlatformTestSupport.segment;
import static io.shmbus.impl.platform.PlatformTestSupport.sysFutex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.shmbus.impl.platform.PlatformTestSupport.ShmDir;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FutexTest
{

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final long SIZE = 4096;

    private ShmDir dir;
    private int fd = -1;
    private long base;
    private MemorySegment words;

    @BeforeEach
    void setUp() throws Exception
    {
        Linux.ensureUsable();
        dir = new ShmDir();
        fd = Linux.open(dir.file("futex"), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        Linux.fallocate(fd, 0, SIZE);
        base = Linux.mmap(fd, 0, SIZE, true);
        words = segment(base, SIZE);
    }

    @AfterEach
    void tearDown() throws Exception
    {
        if (base != 0)
        {
            Linux.munmap(base, SIZE);
        }
        Linux.close(fd);
        dir.close();
    }

    @Test
    void waiterIsWokenByAnotherThread() throws Exception
    {
        long word = base + 64;
        CompletableFuture<Integer> tid = new CompletableFuture<>();
        CompletableFuture<Integer> result = CompletableFuture.supplyAsync(() ->
        {
            tid.complete(currentTid());
            int r = -1;
            while ((int)INT.getVolatile(words, 64L) == 0)
            {
                r = Linux.futexWait(word, 0, -1);
            }
            return r;
        }, FutexTest::startDaemon);
        awaitBlockedInSyscall(tid.get(10, TimeUnit.SECONDS), sysFutex(), word);
        INT.setVolatile(words, 64L, 1);
        assertEquals(1, Linux.futexWake(word, Integer.MAX_VALUE));
        assertEquals(0, result.get(10, TimeUnit.SECONDS), "futexWait reports a wake-up as 0");
    }

    @Test
    void waiterInAnotherProcessIsWoken() throws Exception
    {
        // Only a second process tells a shared futex from a private one: within one process both work.
        assertEquals("WOKEN 0", wakeWaiterInChild("wait"));
    }

    @Test
    void waitvWaiterInAnotherProcessIsWoken() throws Exception
    {
        assumeTrue(Linux.futexWaitvSupported(), "futex_waitv needs Linux 5.16+");
        assertEquals("WOKEN 1", wakeWaiterInChild("waitv"));
    }

    /** Starts a {@link FutexWaiterMain}, waits until it sleeps in the kernel, wakes it; returns its last line. */
    private String wakeWaiterInChild(final String mode) throws Exception
    {
        long offset = 256;
        Path stderr = dir.path.resolve("child.err");
        ProcessBuilder builder = new ProcessBuilder(PlatformTestSupport.javaCommand(FutexWaiterMain.class, true,
            dir.file("futex"), Long.toString(offset), mode));
        builder.redirectError(stderr.toFile());
        Process child = builder.start();
        try
        {
            BufferedReader out = new BufferedReader(new InputStreamReader(
                child.getInputStream(), StandardCharsets.UTF_8));
            String waiting = readLine(out);
            assertTrue(waiting != null && waiting.startsWith("WAITING "), () -> waiting + " / " + readQuietly(stderr));
            String[] parts = waiting.split(" ");
            long nr = mode.equals("waitv") ? 449 : sysFutex();
            awaitBlockedInSyscall(child.pid(), Integer.parseInt(parts[1]), nr, Long.parseLong(parts[2]));
            INT.setVolatile(words, offset, 1);
            assertEquals(1, Linux.futexWake(base + offset, 1), "the waiter in the other process was found");
            String woken = readLine(out);
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            return woken + (child.exitValue() == 0 ? "" : " / exit " + child.exitValue() + ": " + readQuietly(stderr));
        }
        finally
        {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static String readLine(final BufferedReader reader) throws Exception
    {
        return CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return reader.readLine();
            }
            catch (final Exception e)
            {
                return "read failed: " + e;
            }
        }).get(60, TimeUnit.SECONDS);
    }

    private static String readQuietly(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final Exception e)
        {
            return e.toString();
        }
    }

    @Test
    void wakeWithoutWaitersWakesNobody()
    {
        assertEquals(0, Linux.futexWake(base, 1));
    }

    @Test
    void wrongExpectedValueReturnsEagainAtOnce()
    {
        INT.setVolatile(words, 0L, 5);
        long start = System.nanoTime();
        assertEquals(Linux.EAGAIN, Linux.futexWait(base, 4, -1));
        assertEquals(Linux.EAGAIN, Linux.futexWait(base, 4, 5_000_000_000L));
        assertTrue(System.nanoTime() - start < 2_000_000_000L);
    }

    @Test
    void waitTimesOut()
    {
        long start = System.nanoTime();
        int r = Linux.futexWait(base + 4, 0, 20_000_000L);
        long elapsed = System.nanoTime() - start;
        assertEquals(Linux.ETIMEDOUT, r);
        assertTrue(elapsed >= 15_000_000L, "returned after " + elapsed + " ns");
        assertTrue(elapsed < 10_000_000_000L, "returned after " + elapsed + " ns");
    }

    @Test
    void misalignedWordIsAProgrammingError()
    {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Linux.futexWait(base + 1, 0, 0));
        assertTrue(e.getMessage().contains("EINVAL"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> Linux.futexWake(base + 2, 1));
    }

    @Test
    void waitvReturnsIndexOfWokenWord() throws Exception
    {
        assumeTrue(Linux.futexWaitvSupported(), "futex_waitv needs Linux 5.16+");
        try (FutexWaitv waitv = new FutexWaitv(4))
        {
            for (int i = 0; i < 4; i++)
            {
                waitv.set(i, base + 128L * i, 0);
            }
            CompletableFuture<Integer> tid = new CompletableFuture<>();
            CompletableFuture<Integer> result = CompletableFuture.supplyAsync(() ->
            {
                tid.complete(currentTid());
                return waitv.await(4, 30_000_000_000L);
            }, FutexTest::startDaemon);
            // futex_waitv's first argument is the address of the entry array, not of a word.
            awaitBlockedInSyscall(tid.get(10, TimeUnit.SECONDS), 449, FutexWaiterMain.arrayAddress(waitv));
            long third = base + 128L * 2;
            INT.setVolatile(words, 128L * 2, 1);
            assertEquals(1, Linux.futexWake(third, 1));
            assertEquals(2, result.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void waitvTimesOut()
    {
        assumeTrue(Linux.futexWaitvSupported(), "futex_waitv needs Linux 5.16+");
        try (FutexWaitv waitv = new FutexWaitv(2))
        {
            waitv.set(0, base, 0);
            waitv.set(1, base + 4, 0);
            long start = System.nanoTime();
            int r = waitv.await(2, 20_000_000L);
            long elapsed = System.nanoTime() - start;
            assertEquals(-Linux.ETIMEDOUT, r);
            assertTrue(elapsed >= 15_000_000L, "returned after " + elapsed + " ns");
            assertTrue(elapsed < 10_000_000_000L, "returned after " + elapsed + " ns");
        }
    }

    @Test
    void waitvReturnsEagainWhenAWordAlreadyDiffers()
    {
        assumeTrue(Linux.futexWaitvSupported(), "futex_waitv needs Linux 5.16+");
        INT.setVolatile(words, 8L, -7); // also checks that a negative expected value is passed zero-extended
        try (FutexWaitv waitv = new FutexWaitv(2))
        {
            waitv.set(0, base, 0);
            waitv.set(1, base + 8, -7);
            assertEquals(-Linux.ETIMEDOUT, waitv.await(2, 1_000_000L), "both values match");
            waitv.set(1, base + 8, -8);
            assertEquals(-Linux.EAGAIN, waitv.await(2, -1));
        }
    }

    @Test
    void waitvRejectsBadArguments()
    {
        assumeTrue(Linux.futexWaitvSupported(), "futex_waitv needs Linux 5.16+");
        assertThrows(IllegalArgumentException.class, () -> new FutexWaitv(0));
        assertThrows(IllegalArgumentException.class, () -> new FutexWaitv(FutexWaitv.MAX_CAPACITY + 1));
        try (FutexWaitv waitv = new FutexWaitv(2))
        {
            assertThrows(IndexOutOfBoundsException.class, () -> waitv.set(2, base, 0));
            assertThrows(IllegalArgumentException.class, () -> waitv.await(3, 0));
            waitv.set(0, base + 2, 0);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> waitv.await(1, 0));
            assertTrue(e.getMessage().contains("EINVAL"), e.getMessage());
        }
    }

    /** A platform thread, so that its kernel thread id stays the same while it waits. */
    private static void startDaemon(final Runnable task)
    {
        Thread thread = new Thread(task, "futex-waiter");
        thread.setDaemon(true);
        thread.start();
    }
}
