package io.shmbus.impl.platform;

import static io.shmbus.impl.platform.Linux.F_SEAL_GROW;
import static io.shmbus.impl.platform.Linux.F_SEAL_SEAL;
import static io.shmbus.impl.platform.Linux.F_SEAL_SHRINK;
import static io.shmbus.impl.platform.Linux.F_SEAL_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MemfdTest
{

    @BeforeEach
    void setUp()
    {
        Linux.ensureUsable();
    }

    @Test
    void sealsFixTheSize() throws Exception
    {
        int fd = Linux.memfdCreate("shmbus-test", true);
        try
        {
            assertEquals(0, Linux.getSeals(fd), "a sealable memfd starts without seals");
            Linux.ftruncate(fd, 8192);
            Linux.fallocate(fd, 0, 8192);
            assertEquals(8192, Linux.fstat(fd).size());

            Linux.addSeals(fd, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
            assertEquals(F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL, Linux.getSeals(fd));

            ErrnoException shrink = assertThrows(ErrnoException.class, () -> Linux.ftruncate(fd, 4096));
            assertEquals(Linux.EPERM, shrink.errno(), shrink.getMessage());
            ErrnoException grow = assertThrows(ErrnoException.class, () -> Linux.ftruncate(fd, 16384));
            assertEquals(Linux.EPERM, grow.errno(), grow.getMessage());
            ErrnoException more = assertThrows(ErrnoException.class, () -> Linux.addSeals(fd, F_SEAL_WRITE));
            assertEquals(Linux.EPERM, more.errno(), "F_SEAL_SEAL forbids further seals");
            assertEquals(8192, Linux.fstat(fd).size());
        }
        finally
        {
            Linux.close(fd);
        }
    }

    @Test
    void memfdIsCloseOnExecAndNamed() throws Exception
    {
        int fd = Linux.memfdCreate("shmbus-named", false);
        try
        {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            assertTrue(target.startsWith("/memfd:shmbus-named"), target);
            String fdinfo = Files.readString(Path.of("/proc/self/fdinfo/" + fd));
            String flags = fdinfo.lines().filter(l -> l.startsWith("flags:")).findFirst().orElseThrow();
            int octal = Integer.parseInt(flags.substring("flags:".length()).trim(), 8);
            assertEquals(Linux.O_CLOEXEC, octal & Linux.O_CLOEXEC, fdinfo);
            // Without MFD_ALLOW_SEALING the kernel seals the seals at once.
            assertEquals(F_SEAL_SEAL, Linux.getSeals(fd));
            assertEquals(Linux.EPERM, assertThrows(ErrnoException.class, () ->
                Linux.addSeals(fd, F_SEAL_GROW)).errno());
        }
        finally
        {
            Linux.close(fd);
        }
    }
}
