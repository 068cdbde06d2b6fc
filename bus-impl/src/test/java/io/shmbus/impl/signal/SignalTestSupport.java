package io.shmbus.impl.signal;

import io.shmbus.Topic;
import io.shmbus.impl.ring.Ring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What the signalling tests share: the ring behind a topic (to read the control region's futex words and counters
 * the way another process would), and a view of other threads through /proc: which system call a thread is blocked
 * in, and how much CPU it used.
 */
final class SignalTestSupport
{
    /** {@code SYS_futex}. */
    static final long SYS_FUTEX = "aarch64".equals(System.getProperty("os.arch")) ? 98 : 202;
    /** {@code SYS_futex_waitv}, the same number on x86_64 and aarch64. */
    static final long SYS_FUTEX_WAITV = 449;
    /**
     * {@code FUTEX_WAIT} without {@code FUTEX_PRIVATE_FLAG}: what shmbus sleeps with (the JVM's own waits are
     * private).
     */
    static final long FUTEX_WAIT_SHARED = 0;

    private SignalTestSupport()
    {
    }

    /**
     * @param topic a topic of a shared-memory bus.
     * @return its ring (control region and data), as the bus itself sees it.
     */
    static Ring ring(final Topic topic)
    {
        try
        {
            final Method ring = topic.getClass().getDeclaredMethod("ring");
            ring.setAccessible(true);
            return (Ring)ring.invoke(topic);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException("cannot reach the ring of " + topic, ex);
        }
    }

    /**
     * @return {@code getconf CLK_TCK}: the unit of the CPU times in /proc stat files.
     */
    static long clockTicksPerSecond()
    {
        try
        {
            final Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            final String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (!getconf.waitFor(10, TimeUnit.SECONDS) || getconf.exitValue() != 0)
            {
                throw new IllegalStateException("getconf CLK_TCK failed: " + out);
            }
            return Long.parseLong(out);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * @param statFile {@code /proc/PID/stat} or {@code /proc/PID/task/TID/stat}.
     * @return utime + stime, in clock ticks.
     */
    static long cpuTicks(final Path statFile)
    {
        final String stat;
        try
        {
            stat = Files.readString(statFile, StandardCharsets.US_ASCII);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
        final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // fields[0] is field 3 (state); utime is field 14, stime field 15.
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /**
     * @param schedstatFile {@code /proc/PID/task/TID/schedstat}.
     * @return the time the thread has run on a CPU, in nanoseconds (the scheduler's own account, not sampled at
     * clock ticks).
     */
    static long cpuNanos(final Path schedstatFile)
    {
        try
        {
            final String schedstat = Files.readString(schedstatFile, StandardCharsets.US_ASCII);
            return Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @param pid a process.
     * @param tid one of its threads.
     * @return the thread's state letter (field 3 of its stat file: R, S, D, T...).
     */
    static char threadState(final long pid, final long tid)
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc/" + pid + "/task/" + tid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * A thread's {@code /proc/PID/task/TID/syscall}, read again and again through one open descriptor (a read at
     * offset 0 regenerates it) and parsed without allocating: the system call the thread is blocked in and its
     * arguments, or "running". The kernel shows a system call there only while the thread is off the CPU in it: a
     * thread shown blocked in {@code FUTEX_WAIT} has passed the kernel's comparison of the word and is queued on it.
     */
    static final class SyscallProbe implements AutoCloseable
    {
        private final Path path;
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(512);
        private final long[] args = new long[6];
        private long nr;

        SyscallProbe(final long pid, final long tid)
        {
            this.path = Path.of("/proc/" + pid + "/task/" + tid + "/syscall");
            try
            {
                this.channel = FileChannel.open(path);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot open " + path, ex);
            }
        }

        /**
         * Read the file again.
         *
         * @return the system call number the thread is blocked in, or -1 when it is running (or between calls).
         */
        long read()
        {
            buffer.clear();
            try
            {
                channel.read(buffer, 0);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read " + path, ex);
            }
            buffer.flip();
            nr = -1;
            if (buffer.remaining() == 0 || buffer.get(0) < '0' || buffer.get(0) > '9')
            {
                return -1; // "running"
            }
            int i = 0;
            long value = 0;
            while (i < buffer.limit() && buffer.get(i) != ' ' && buffer.get(i) != '\n')
            {
                value = value * 10 + (buffer.get(i++) - '0');
            }
            for (int a = 0; a < args.length; a++)
            {
                args[a] = 0;
                i += 3; // " 0x"
                long hex = 0;
                while (i < buffer.limit() && buffer.get(i) != ' ' && buffer.get(i) != '\n')
                {
                    final int c = buffer.get(i++);
                    hex = (hex << 4) | (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
                }
                args[a] = hex;
            }
            nr = value;
            return value;
        }

        /**
         * @param index 0 to 5.
         * @return that argument of the system call of the last {@link #read()}.
         */
        long arg(final int index)
        {
            return args[index];
        }

        /**
         * @param address a futex word's address in the observed process.
         * @return true when the last {@link #read()} found the thread blocked in a shared {@code FUTEX_WAIT} on it.
         */
        boolean inSharedFutexWait(final long address)
        {
            return nr == SYS_FUTEX && args[0] == address && args[1] == FUTEX_WAIT_SHARED;
        }

        /**
         * @return the last reading as text, for messages.
         */
        String describe()
        {
            if (nr < 0)
            {
                return "running";
            }
            final StringBuilder sb = new StringBuilder().append(nr);
            for (final long arg : args)
            {
                sb.append(" 0x").append(Long.toHexString(arg));
            }
            return sb.toString();
        }

        /**
         * Read until the thread is blocked in a shared {@code FUTEX_WAIT}, on {@code address} when it is not 0.
         *
         * @param address the word, or 0 for any.
         * @param timeoutNs how long to try.
         * @return true when it was seen so.
         */
        boolean awaitSharedFutexWait(final long address, final long timeoutNs)
        {
            final long deadline = System.nanoTime() + timeoutNs;
            int reads = 0;
            while (true)
            {
                if (read() == SYS_FUTEX && args[1] == FUTEX_WAIT_SHARED && (address == 0 || args[0] == address))
                {
                    return true;
                }
                if (System.nanoTime() - deadline > 0)
                {
                    return false;
                }
                if (++reads > 100)
                {
                    Thread.yield();
                }
            }
        }

        /**
         * Read until the thread is blocked in system call {@code nr}.
         *
         * @param wanted    the system call number.
         * @param timeoutNs how long to try.
         * @return true when it was seen so.
         */
        boolean awaitSyscall(final long wanted, final long timeoutNs)
        {
            final long deadline = System.nanoTime() + timeoutNs;
            while (read() != wanted)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    return false;
                }
                Thread.yield();
            }
            return true;
        }

        @Override
        public void close()
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // nothing to release
            }
        }
    }
}
