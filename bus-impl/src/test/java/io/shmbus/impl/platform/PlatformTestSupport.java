package io.shmbus.impl.platform;

import static org.junit.jupiter.api.Assertions.fail;

import io.shmbus.impl.process.ChildJvm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Shared helpers: scratch directories in /dev/shm, mappings as segments, child JVMs, syscall observation. */
final class PlatformTestSupport
{

    private PlatformTestSupport()
    {
    }

    /** A fresh directory under /dev/shm with a unique name, deleted with everything in it on close. */
    static final class ShmDir implements AutoCloseable
    {
        final Path path;

        ShmDir()
        {
            try
            {
                path = Files.createTempDirectory(Path.of("/dev/shm"), "shmbus-platform-test-" +
                    ProcessHandle.current().pid() + "-");
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException(e);
            }
        }

        String file(final String name)
        {
            return path.resolve(name).toString();
        }

        @Override
        public void close() throws IOException
        {
            try (Stream<Path> walk = Files.walk(path))
            {
                for (final Path p : walk.sorted(Comparator.reverseOrder()).toList())
                {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** A mapping as a bounded segment, for reading and writing it in tests. */
    @SuppressWarnings("restricted") // tests run with --enable-native-access
    static MemorySegment segment(final long address, final long length)
    {
        return MemorySegment.ofAddress(address).reinterpret(length);
    }

    /** Command line for a child JVM running {@code mainClass} from the test class path. */
    static List<String> javaCommand(final Class<?> mainClass, final boolean enableNativeAccess, final String... args)
    {
        List<String> flags = new ArrayList<>(enableNativeAccess ? ChildJvm.REQUIRED_FLAGS : ChildJvm.ADD_OPENS);
        // Keep the child small: the machine is shared.
        flags.addAll(List.of("-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"));
        return ChildJvm.command(List.of(), flags, ChildJvm.currentClassPath(), mainClass.getName(), List.of(args));
    }

    /** The kernel thread id of the calling thread, from /proc/thread-self (which links to "PID/task/TID"). */
    static int currentTid()
    {
        try
        {
            return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until thread {@code tid} of this process is blocked in system call {@code nr} whose first argument is
     * {@code arg1}, as shown by /proc/PID/task/TID/syscall. This makes wake-up tests deterministic: the waiter is
     * really asleep in the kernel before it is woken.
     */
    static void awaitBlockedInSyscall(final int tid, final long nr, final long arg1) throws InterruptedException
    {
        awaitBlockedInSyscall(ProcessHandle.current().pid(), tid, nr, arg1);
    }

    /** As {@link #awaitBlockedInSyscall(int, long, long)}, for a thread of process {@code pid} (e.g. a child). */
    static void awaitBlockedInSyscall(final long pid, final int tid, final long nr,
        final long arg1) throws InterruptedException
    {
        Path file = Path.of("/proc/" + pid + "/task/" + tid + "/syscall");
        String expected = nr + " 0x" + Long.toHexString(arg1) + " ";
        long deadline = System.nanoTime() + 10_000_000_000L;
        String last = "";
        while (System.nanoTime() < deadline)
        {
            try
            {
                last = Files.readString(file).trim() + " ";
            }
            catch (final IOException e)
            {
                fail("cannot read " + file + ": " + e);
            }
            if (last.startsWith(expected))
            {
                return;
            }
            Thread.sleep(2);
        }
        fail("thread " + tid + " did not block in syscall " + nr + " on 0x" + Long.toHexString(arg1) + "; last: " +
            last);
    }

    static long sysFutex()
    {
        return "aarch64".equals(System.getProperty("os.arch")) ? 98 : 202;
    }
}
