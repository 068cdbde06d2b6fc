package io.shmbus.impl.platform;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Child process for the cross-process futex tests: maps a file and sleeps while the word at the given offset is 0,
 * either with {@link Linux#futexWait} ({@code wait}) or with a two-entry {@link FutexWaitv} whose entry 1 is that
 * word and entry 0 a word that never changes ({@code waitv}).
 *
 * <p>Prints {@code WAITING <tid> <first syscall argument>} before sleeping, so that the parent can see the thread
 * blocked in the kernel, and {@code WOKEN <last result>} at the end.
 *
 * <p>Arguments: path, byte offset of the word, {@code wait} or {@code waitv}.
 */
public final class FutexWaiterMain
{

    private FutexWaiterMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        Linux.ensureUsable();
        int fd = Linux.open(args[0], Linux.O_RDWR | Linux.O_CLOEXEC, 0);
        long offset = Long.parseLong(args[1]);
        boolean vector = args[2].equals("waitv");
        long base = Linux.mmap(fd, 0, 4096, true);
        MemorySegment word = PlatformTestSupport.segment(base + offset, 4);
        long deadline = System.nanoTime() + 60_000_000_000L;
        int r = Integer.MIN_VALUE;
        try (FutexWaitv waitv = new FutexWaitv(2))
        {
            waitv.set(0, base + offset + 4, 0);
            waitv.set(1, base + offset, 0);
            long arg1 = vector ? arrayAddress(waitv) : base + offset;
            System.out.println("WAITING " + PlatformTestSupport.currentTid() + " " + arg1);
            System.out.flush();
            while (word.get(ValueLayout.JAVA_INT, 0) == 0 && System.nanoTime() < deadline)
            {
                r = vector ? waitv.await(2, 60_000_000_000L) : Linux.futexWait(base + offset, 0, 60_000_000_000L);
            }
        }
        System.out.println("WOKEN " + r);
        System.out.flush();
    }

    static long arrayAddress(final FutexWaitv waitv) throws ReflectiveOperationException
    {
        var field = FutexWaitv.class.getDeclaredField("waiters");
        field.setAccessible(true);
        return ((MemorySegment)field.get(waitv)).address();
    }
}
