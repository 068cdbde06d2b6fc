package io.shmbus.impl.platform;

import static io.shmbus.impl.platform.Linux.O_CLOEXEC;
import static io.shmbus.impl.platform.Linux.O_CREAT;
import static io.shmbus.impl.platform.Linux.O_RDWR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmbus.impl.platform.PlatformTestSupport.ShmDir;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OfdLockTest
{

    private ShmDir dir;
    private String file;
    private int fd1 = -1;
    private int fd2 = -1;

    @BeforeEach
    void setUp() throws Exception
    {
        Linux.ensureUsable();
        dir = new ShmDir();
        file = dir.file("lockfile");
        fd1 = Linux.open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        Linux.ftruncate(fd1, 4096);
        fd2 = Linux.open(file, O_RDWR | O_CLOEXEC, 0);
    }

    @AfterEach
    void tearDown() throws Exception
    {
        Linux.close(fd1);
        Linux.close(fd2);
        dir.close();
    }

    @Test
    void separateOpensInOneProcessConflict() throws Exception
    {
        // With process-owned POSIX locks the second attempt would succeed: same process.
        assertTrue(Linux.tryLock(fd1, 10, 1, true));
        assertFalse(Linux.tryLock(fd2, 10, 1, true));
        assertFalse(Linux.tryLock(fd2, 10, 1, false), "a shared lock conflicts with an exclusive one");
        assertTrue(Linux.isLockedElsewhere(fd2, 10, 1, true));
        assertTrue(Linux.isLockedElsewhere(fd2, 10, 1, false));
        // The holder's own open file description does not see its lock as a conflict and may retake it.
        assertFalse(Linux.isLockedElsewhere(fd1, 10, 1, true));
        assertTrue(Linux.tryLock(fd1, 10, 1, true));
    }

    @Test
    void closingAnotherDescriptorOfTheFileKeepsTheLock() throws Exception
    {
        assertTrue(Linux.tryLock(fd1, 0, 1, true));
        // A POSIX lock would be dropped here: any close of the file by the process releases all its locks.
        int fd3 = Linux.open(file, O_RDWR | O_CLOEXEC, 0);
        Linux.close(fd3);
        assertFalse(Linux.tryLock(fd2, 0, 1, true));
        assertTrue(Linux.isLockedElsewhere(fd2, 0, 1, true));
    }

    @Test
    void unlockReleases() throws Exception
    {
        assertTrue(Linux.tryLock(fd1, 5, 1, true));
        assertFalse(Linux.tryLock(fd2, 5, 1, true));
        Linux.unlock(fd1, 5, 1);
        assertFalse(Linux.isLockedElsewhere(fd2, 5, 1, true));
        assertTrue(Linux.tryLock(fd2, 5, 1, true));
        assertTrue(Linux.isLockedElsewhere(fd1, 5, 1, true));
    }

    @Test
    void differentBytesDoNotConflict() throws Exception
    {
        assertTrue(Linux.tryLock(fd1, 0, 1, true));
        assertTrue(Linux.tryLock(fd2, 1, 1, true));
        assertFalse(Linux.isLockedElsewhere(fd2, 2, 100, true));
        assertTrue(Linux.isLockedElsewhere(fd2, 0, 2, true), "range overlapping byte 0");
    }

    @Test
    void sharedLocksCoexist() throws Exception
    {
        assertTrue(Linux.tryLock(fd1, 7, 1, false));
        assertTrue(Linux.tryLock(fd2, 7, 1, false));
        assertFalse(Linux.isLockedElsewhere(fd2, 7, 1, false), "a shared lock does not block another shared one");
        assertTrue(Linux.isLockedElsewhere(fd2, 7, 1, true), "but it blocks an exclusive one");
    }

    @Test
    void closingTheOnlyDescriptorReleases() throws Exception
    {
        assertTrue(Linux.tryLock(fd1, 3, 1, true));
        Linux.close(fd1);
        fd1 = -1;
        assertFalse(Linux.isLockedElsewhere(fd2, 3, 1, true));
        assertTrue(Linux.tryLock(fd2, 3, 1, true));
    }

    @Test
    void negativeRangeIsRejected()
    {
        assertThrows(IllegalArgumentException.class, () -> Linux.tryLock(fd1, -1, 1, true));
    }

    @Test
    void lockHeldByKilledProcessIsReleasedAtOnce() throws Exception
    {
        Path stderr = dir.path.resolve("child.err");
        ProcessBuilder builder = new ProcessBuilder(
            PlatformTestSupport.javaCommand(OfdLockHolderMain.class, true, file, "42"));
        builder.redirectError(stderr.toFile());
        Process child = builder.start();
        try
        {
            BufferedReader out = new BufferedReader(new InputStreamReader(
                child.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return out.readLine();
                }
                catch (final Exception e)
                {
                    return "read failed: " + e;
                }
            }).get(60, TimeUnit.SECONDS);
            assertEquals("LOCKED", line, () -> "child stderr: " + readQuietly(stderr));

            assertTrue(Linux.isLockedElsewhere(fd1, 42, 1, true));
            assertFalse(Linux.tryLock(fd1, 42, 1, true));
            assertFalse(Linux.tryLock(fd1, 42, 1, false));
            assertTrue(Linux.tryLock(fd1, 43, 1, true), "neighbouring byte is free");

            child.destroyForcibly(); // SIGKILL: no chance to unlock
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            assertFalse(Linux.isLockedElsewhere(fd1, 42, 1, true));
            assertTrue(Linux.tryLock(fd1, 42, 1, true));
        }
        finally
        {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
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
}
