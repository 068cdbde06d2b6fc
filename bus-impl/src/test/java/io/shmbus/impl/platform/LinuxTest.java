package io.shmbus.impl.platform;

import static io.shmbus.impl.platform.Linux.O_CLOEXEC;
import static io.shmbus.impl.platform.Linux.O_CREAT;
import static io.shmbus.impl.platform.Linux.O_EXCL;
import static io.shmbus.impl.platform.Linux.O_NOFOLLOW;
import static io.shmbus.impl.platform.Linux.O_RDONLY;
import static io.shmbus.impl.platform.Linux.O_RDWR;
import static io.shmbus.impl.platform.PlatformTestSupport.segment;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.shmbus.impl.platform.PlatformTestSupport.ShmDir;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LinuxTest
{

    private ShmDir dir;

    @BeforeEach
    void setUp()
    {
        Linux.ensureUsable();
        dir = new ShmDir();
    }

    @AfterEach
    void tearDown() throws Exception
    {
        dir.close();
    }

    @Test
    void writesThroughOneMappingAreSeenThroughAnother() throws Exception
    {
        String file = dir.file("data");
        int fd1 = Linux.open(file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        int fd2 = -1;
        long a1 = 0;
        long a2 = 0;
        try
        {
            Linux.fallocate(fd1, 0, 8192);
            Linux.Stat stat = Linux.fstat(fd1);
            assertEquals(8192, stat.size());
            assertEquals(0100000, stat.mode() & 0170000, "regular file");
            assertEquals(0600, stat.mode() & 07777);
            assertEquals(Linux.getuid(), stat.uid());

            fd2 = Linux.open(file, O_RDONLY | O_CLOEXEC, 0);
            a1 = Linux.mmap(fd1, 0, 8192, true);
            a2 = Linux.mmap(fd2, 4096, 4096, false);
            assertTrue(a1 != a2);
            MemorySegment writer = segment(a1, 8192);
            MemorySegment reader = segment(a2, 4096);
            writer.set(JAVA_LONG, 4096 + 8, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, reader.get(JAVA_LONG, 8));
            assertEquals(0L, reader.get(JAVA_LONG, 0));
        }
        finally
        {
            if (a1 != 0)
            {
                Linux.munmap(a1, 8192);
            }
            if (a2 != 0)
            {
                Linux.munmap(a2, 4096);
            }
            Linux.close(fd1);
            Linux.close(fd2);
        }
        // The data reached the file itself.
        byte[] bytes = Files.readAllBytes(Path.of(file));
        assertEquals(8192, bytes.length);
        assertEquals((byte)0x88, bytes[4096 + 8]);
    }

    @Test
    void openOfMissingFileFailsWithEnoent()
    {
        String missing = dir.file("missing");
        ErrnoException e = assertThrows(ErrnoException.class, () -> Linux.open(missing, O_RDWR | O_CLOEXEC, 0));
        assertEquals(Linux.ENOENT, e.errno());
        assertEquals("open(" + missing + ")", e.call());
        assertEquals("open(" + missing + ") failed: ENOENT (No such file or directory)", e.getMessage());
    }

    @Test
    void exclusiveCreateOfExistingFileFailsWithEexist() throws Exception
    {
        String file = dir.file("once");
        Linux.close(Linux.open(file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        ErrnoException e = assertThrows(ErrnoException.class,
            () -> Linux.open(file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        assertEquals(Linux.EEXIST, e.errno());
    }

    @Test
    void noFollowRefusesSymbolicLink() throws Exception
    {
        String target = dir.file("target");
        Linux.close(Linux.open(target, O_RDWR | O_CREAT | O_CLOEXEC, 0600));
        Path link = Files.createSymbolicLink(dir.path.resolve("link"), Path.of(target));
        ErrnoException e = assertThrows(ErrnoException.class,
            () -> Linux.open(link.toString(), O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0));
        assertEquals(Linux.ELOOP, e.errno());
    }

    @Test
    void fchmodChangesMode() throws Exception
    {
        int fd = Linux.open(dir.file("perm"), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        try
        {
            assertEquals(0600, Linux.fstat(fd).mode() & 07777);
            Linux.fchmod(fd, 0640);
            assertEquals(0640, Linux.fstat(fd).mode() & 07777);
            // Changing the owner to ourselves is always allowed; -1 means unchanged.
            Linux.fchown(fd, Linux.getuid(), -1);
            assertEquals(Linux.getgid(), Linux.fstat(fd).gid());
        }
        finally
        {
            Linux.close(fd);
        }
    }

    @Test
    void ftruncateSetsSize() throws Exception
    {
        int fd = Linux.open(dir.file("sized"), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        try
        {
            Linux.ftruncate(fd, 12345);
            assertEquals(12345, Linux.fstat(fd).size());
            Linux.ftruncate(fd, 0);
            assertEquals(0, Linux.fstat(fd).size());
        }
        finally
        {
            Linux.close(fd);
        }
    }

    @Test
    void fallocateBeyondFileSystemSizeFailsWithEnospc() throws Exception
    {
        // tmpfs with a size limit refuses up front, without allocating anything, when the range exceeds the limit.
        long total = Files.getFileStore(dir.path).getTotalSpace();
        long tooMuch = 1L << 44; // 16 TiB
        assumeTrue(total > 0 && total < tooMuch, "/dev/shm has no size limit below 16 TiB");
        int fd = Linux.open(dir.file("huge"), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        try
        {
            ErrnoException e = assertThrows(ErrnoException.class, () -> Linux.fallocate(fd, 0, tooMuch));
            assertEquals(Linux.ENOSPC, e.errno(), e.getMessage());
            assertTrue(e.getMessage().contains("ENOSPC (No space left on device)"), e.getMessage());
            assertEquals(0, Linux.fstat(fd).size());
        }
        finally
        {
            Linux.close(fd);
        }
    }

    @Test
    void closeOfNegativeFdIsNoOpAndDoubleCloseIsReported() throws Exception
    {
        assertDoesNotThrow(() -> Linux.close(-1));
        int fd = Linux.open(dir.file("closing"), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        Linux.close(fd);
        // Nothing else in this thread opens a descriptor in between, but another thread could reuse the number:
        // only check when the number is still free.
        if (!Files.exists(Path.of("/proc/self/fd/" + fd)))
        {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Linux.close(fd));
            assertTrue(e.getMessage().contains("EBADF"), e.getMessage());
        }
    }

    @Test
    void fstatOfBadDescriptorFailsWithEbadf()
    {
        ErrnoException e = assertThrows(ErrnoException.class, () -> Linux.fstat(Integer.MAX_VALUE));
        assertEquals(Linux.EBADF, e.errno());
    }

    @Test
    void mmapOfBadDescriptorFails()
    {
        ErrnoException e = assertThrows(ErrnoException.class, () -> Linux.mmap(Integer.MAX_VALUE, 0, 4096, false));
        assertEquals(Linux.EBADF, e.errno());
    }

    @Test
    void processIdentityMatchesJdk() throws Exception
    {
        assertEquals(ProcessHandle.current().pid(), Linux.getpid());
        Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        Object gid = Files.getAttribute(Path.of("/proc/self"), "unix:gid");
        assertEquals(uid, Linux.getuid());
        assertEquals(gid, Linux.getgid());
    }
}
