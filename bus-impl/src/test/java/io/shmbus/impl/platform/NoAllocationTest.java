package io.shmbus.impl.platform;

import static io.shmbus.impl.platform.Linux.O_CLOEXEC;
import static io.shmbus.impl.platform.Linux.O_CREAT;
import static io.shmbus.impl.platform.Linux.O_EXCL;
import static io.shmbus.impl.platform.Linux.O_RDWR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.shmbus.impl.platform.PlatformTestSupport.ShmDir;
import java.lang.management.ManagementFactory;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The futex fast paths run on every publish and every idle wait: they must not allocate. */
class NoAllocationTest
{

    private static final int WARM_UP = 200_000;
    private static final int MEASURED = 100_000;
    private static final long LIMIT = 64 * 1024;

    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private ShmDir dir;
    private int fd = -1;
    private long address;

    @BeforeEach
    void setUp() throws Exception
    {
        Linux.ensureUsable();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
            "per-thread allocation accounting unavailable");
        dir = new ShmDir();
        fd = Linux.open(dir.file("words"), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        Linux.fallocate(fd, 0, 4096);
        address = Linux.mmap(fd, 0, 4096, true); // the word at 'address' is 0
    }

    @AfterEach
    void tearDown() throws Exception
    {
        if (address != 0)
        {
            Linux.munmap(address, 4096);
        }
        Linux.close(fd);
        if (dir != null)
        {
            dir.close();
        }
    }

    @Test
    void futexWakeDoesNotAllocate()
    {
        long bytes = allocatedBy(() -> Linux.futexWake(address, 1), 0);
        assertTrue(bytes < LIMIT, "futexWake allocated " + bytes + " bytes in " + MEASURED + " calls");
    }

    @Test
    void futexWaitWithWrongValueDoesNotAllocate()
    {
        long bytes = allocatedBy(() -> Linux.futexWait(address, 1, -1), Linux.EAGAIN);
        assertTrue(bytes < LIMIT, "futexWait allocated " + bytes + " bytes in " + MEASURED + " calls");
    }

    @Test
    void futexWaitWithTimeoutAndWrongValueDoesNotAllocate()
    {
        long bytes = allocatedBy(() -> Linux.futexWait(address, 1, 1_000_000L), Linux.EAGAIN);
        assertTrue(bytes < LIMIT, "futexWait(timeout) allocated " + bytes + " bytes in " + MEASURED + " calls");
    }

    @Test
    void futexWaitvWithWrongValueDoesNotAllocate()
    {
        assumeTrue(Linux.futexWaitvSupported(), "futex_waitv needs Linux 5.16+");
        try (FutexWaitv waitv = new FutexWaitv(2))
        {
            waitv.set(0, address, 0);
            waitv.set(1, address + 4, 1);
            long bytes = allocatedBy(() -> waitv.await(2, 1_000_000L), -Linux.EAGAIN);
            assertTrue(bytes < LIMIT, "FutexWaitv.await allocated " + bytes + " bytes in " + MEASURED + " calls");
        }
    }

    /**
     * The fewest bytes allocated by {@code MEASURED} calls over three rounds after warm-up. A call that
     * allocates does so in every round; a round can also catch a one-off allocation of the JIT's (a
     * deoptimisation or recompilation under load, which happens on the measured thread), so the minimum is
     * what the call itself costs.
     */
    private long allocatedBy(final IntSupplier call, final int expected)
    {
        for (int i = 0; i < WARM_UP; i++)
        {
            if (call.getAsInt() != expected)
            {
                throw new AssertionError("unexpected result during warm-up");
            }
        }
        long fewest = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++)
        {
            int mismatches = 0;
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < MEASURED; i++)
            {
                if (call.getAsInt() != expected)
                {
                    mismatches++;
                }
            }
            long after = threads.getCurrentThreadAllocatedBytes();
            assertEquals(0, mismatches);
            long bytes = after - before;
            System.out.println("round " + round + ": allocated " + bytes + " bytes in " + MEASURED + " calls");
            fewest = Math.min(fewest, bytes);
        }
        return fewest;
    }
}
