package io.shmbus.impl.platform;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A reusable {@code futex_waitv} (Linux 5.16+) request: wait until any one of several shared 32-bit futex words is
 * woken, with one system call.
 *
 * <p>Holds a native array of {@code struct futex_waitv { u64 val; u64 uaddr; u32 flags; u32 __reserved; }} with
 * {@code flags = FUTEX2_SIZE_U32} and no {@code FUTEX2_PRIVATE}, because the words live in mappings shared between
 * processes. The timeout is turned into an absolute {@code CLOCK_MONOTONIC} deadline, which is what the system call
 * takes. Fill entries with {@link #set}, then call {@link #await}; entries keep their values between calls.
 *
 * <p>Check {@link Linux#futexWaitvSupported()} before use. An instance is not thread-safe: one waiting thread uses it
 * at a time. {@link #await} allocates nothing. {@link #close()} frees the native memory.
 */
public final class FutexWaitv implements AutoCloseable
{

    /** The kernel's limit on entries per call. */
    public static final int MAX_CAPACITY = 128;

    private static final long ENTRY_SIZE = 24;
    private static final long VAL = 0;
    private static final long UADDR = 8;
    private static final long FLAGS = 16;
    private static final long RESERVED = 20;
    private static final int FUTEX2_SIZE_U32 = 2;

    private final Arena arena;
    private final MemorySegment waiters;
    private final MemorySegment timespec;
    private final MemorySegment capture;
    private final int capacity;

    /** @param capacity the most words one {@link #await} can watch, 1 to {@link #MAX_CAPACITY} */
    public FutexWaitv(final int capacity)
    {
        if (capacity < 1 || capacity > MAX_CAPACITY)
        {
            throw new IllegalArgumentException("capacity must be 1.." + MAX_CAPACITY + ": " + capacity);
        }
        this.capacity = capacity;
        this.arena = Arena.ofShared();
        boolean ok = false;
        try
        {
            this.waiters = arena.allocate(ENTRY_SIZE * capacity, 8);
            this.timespec = arena.allocate(16, 8);
            this.capture = arena.allocate(Linux.captureLayout());
            ok = true;
        }
        finally
        {
            if (!ok)
            {
                arena.close();
            }
        }
    }

    public int capacity()
    {
        return capacity;
    }

    /**
     * Sets entry {@code index}: wait on the 32-bit word at {@code address} while it equals {@code expected}.
     *
     * @param address 4-byte aligned, inside a shared mapping
     */
    public void set(final int index, final long address, final int expected)
    {
        if (index < 0 || index >= capacity)
        {
            throw new IndexOutOfBoundsException("index " + index + " outside 0.." + (capacity - 1));
        }
        long base = ENTRY_SIZE * index;
        // The kernel rejects a value with bits above the word size, so zero-extend.
        waiters.set(JAVA_LONG, base + VAL, Integer.toUnsignedLong(expected));
        waiters.set(JAVA_LONG, base + UADDR, address);
        waiters.set(JAVA_INT, base + FLAGS, FUTEX2_SIZE_U32);
        waiters.set(JAVA_INT, base + RESERVED, 0);
    }

    /**
     * Waits on entries {@code 0 .. count-1}.
     *
     * @param timeoutNs relative timeout in nanoseconds; negative waits without a timeout
     * @return the index of a woken entry (wake-ups may be spurious: re-check the words), or
     *         {@code -Linux.ETIMEDOUT}, {@code -Linux.EAGAIN} (a word already differed from its expected value) or
     *         {@code -Linux.EINTR}
     * @throws IllegalStateException on any other errno (EINVAL for a misaligned word, EFAULT for an unmapped one,
     *                               ENOSYS on kernels before 5.16)
     */
    public int await(final int count, final long timeoutNs)
    {
        if (count < 1 || count > capacity)
        {
            throw new IllegalArgumentException("count must be 1.." + capacity + ": " + count);
        }
        MemorySegment deadline = MemorySegment.NULL;
        if (timeoutNs >= 0)
        {
            Linux.monotonicDeadline(timespec, timeoutNs);
            deadline = timespec;
        }
        return Linux.futexWaitv(capture, waiters, count, deadline);
    }

    @Override
    public void close()
    {
        arena.close();
    }
}
