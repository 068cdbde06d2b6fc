package io.shmbus.impl.platform;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The only bridge from shmbus to the Linux kernel and glibc, built on the Foreign Function &amp; Memory
 * API (no JNI, no native library of our own). Every method is a thin, Java-shaped wrapper over one C
 * call; the rest of the code never sees {@code Linker}, {@code MemorySegment} arguments or errno.
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>Call {@link #ensureUsable()} once at start-up: it fails with a readable {@link IllegalStateException}
 *       when the OS or architecture is wrong or the JVM lacks {@code --enable-native-access=ALL-UNNAMED}.
 *       The downcall handles are created once, on first use, in a holder class.</li>
 *   <li>A failure caused by the environment (missing file, permission, lock, disk space ...) is an
 *       {@link ErrnoException} carrying the errno; a failure that can only be a programming error
 *       (closing a descriptor twice, unmapping a bad range, waiting on a misaligned futex word) is an
 *       {@link IllegalStateException} naming the errno.</li>
 *   <li>errno is read through {@code Linker.Option.captureCallState("errno")} into a small native
 *       buffer that each thread allocates once and then reuses, together with scratch space for a
 *       {@code timespec} and a {@code struct flock}; so {@link #futexWait}, {@link #futexWake} and the
 *       lock calls allocate nothing per call.</li>
 *   <li>Calls that can be interrupted by a signal before doing anything ({@code open}, {@code ftruncate},
 *       {@code posix_fallocate}, {@code accept4}, {@code connect}, {@code sendmsg}, {@code recvmsg})
 *       are retried on {@code EINTR}. The futex calls instead report {@code EINTR} to the caller, whose
 *       wait loop must re-check its condition anyway.</li>
 *   <li>Struct layouts ({@code statx}, {@code flock}, {@code msghdr}, {@code cmsghdr}, {@code sockaddr_un},
 *       {@code timespec}, {@code timeval}, {@code ucred}, {@code futex_waitv}) are the same on x86_64
 *       and aarch64; the only numbers that differ are {@code SYS_futex} and {@link #O_NOFOLLOW}.</li>
 * </ul>
 *
 * <h2>Files and memory</h2>
 * {@link #open} / {@link #close} / {@link #fstat} / {@link #ftruncate} / {@link #fchmod} / {@link #fchown}
 * are the plain calls. {@link #fstat} uses {@code statx(fd, "", AT_EMPTY_PATH, ...)} because the
 * {@code struct statx} layout is fixed by the kernel and identical on every architecture, unlike
 * {@code struct stat}. {@link #fallocate} uses {@code posix_fallocate}, which <em>returns</em> the error
 * number instead of setting errno; reserving the blocks up front makes a full {@code /dev/shm} fail here
 * with {@code ENOSPC} instead of killing a process with {@code SIGBUS} on first touch of the mapping.
 * {@link #mmap} always maps {@code MAP_SHARED}, the only mode in which other processes see the writes.
 *
 * <h2>memfd and seals</h2>
 * {@link #memfdCreate} gives an anonymous shared-memory file that can be handed to another process over a
 * Unix socket; {@link #addSeals} makes its size (or contents) immutable so that the receiver can trust it.
 *
 * <h2>Locks: open-file-description (OFD) locks</h2>
 * {@link #tryLock}, {@link #unlock} and {@link #isLockedElsewhere} use {@code F_OFD_SETLK} / {@code F_OFD_GETLK},
 * not classic POSIX record locks. A POSIX lock belongs to the <em>process</em>: two descriptors of the same
 * file in one JVM never conflict, and closing <em>any</em> descriptor of the file (for example a library
 * that opens it briefly to read it) silently drops every lock the process holds on it. An OFD lock belongs
 * to the open file description returned by one {@code open()}: separate opens conflict even inside one JVM,
 * an unrelated close does not release it, and the kernel releases it at once when the last descriptor goes
 * away, including when the process is killed with {@code SIGKILL}. This makes a lock a reliable liveness
 * signal. {@code l_pid} must be 0 on input and a holder is reported with {@code l_pid = -1}.
 *
 * <h2>Futexes: shared, never private</h2>
 * {@link #futexWait} and {@link #futexWake} use {@code FUTEX_WAIT} / {@code FUTEX_WAKE} <em>without</em>
 * {@code FUTEX_PRIVATE_FLAG}: the word lives in a {@code MAP_SHARED} mapping seen by several processes, and a
 * private futex is keyed on the (process, virtual address) pair, so a waker in another process would never
 * find the waiter. A shared futex is keyed on the (file, offset) pair, which every mapping agrees on.
 * {@code FUTEX_WAIT} takes a <em>relative</em> timeout. {@link FutexWaitv} wraps {@code futex_waitv}
 * (Linux 5.16+), which waits on several words at once. Unlike {@code FUTEX_WAIT}, {@code futex_waitv} only
 * accepts an <em>absolute</em> deadline on the clock named in its last argument (the kernel restarts an
 * interrupted wait against the same deadline instead of starting the interval again). We use
 * {@code CLOCK_MONOTONIC}, which does not jump with wall-clock changes, and read "now" on that very clock with
 * {@code clock_gettime}: {@code System.nanoTime()} has an unspecified origin and cannot be used to build it.
 *
 * <h2>Unix domain sockets</h2>
 * The JDK's socket channels cannot pass descriptors, so {@link #unixListen}, {@link #unixAccept},
 * {@link #unixConnect}, {@link #sendFd} and {@link #receiveFd} talk to the socket API directly
 * ({@code SOCK_STREAM}, {@code SCM_RIGHTS}). {@link #peerCredentials} reads {@code SO_PEERCRED}, which the
 * kernel records at connect time and the peer cannot forge. {@link #setReceiveTimeout} bounds every
 * blocking receive so that a process never hangs on a dead peer. All descriptors are created close-on-exec.
 *
 * <p>Not thread-confined: every method may be called from any thread. Descriptor numbers are plain ints;
 * the caller owns them and must {@link #close} them.
 */
public final class Linux
{

    private Linux()
    {
        throw new AssertionError("not instantiable");
    }

    // ---------------------------------------------------------------- errno values (asm-generic)

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int EPIPE = 32;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOLCK = 37;
    public static final int ENOSYS = 38;
    public static final int ELOOP = 40;
    public static final int ENOTSOCK = 88;
    public static final int EMSGSIZE = 90;
    public static final int EOPNOTSUPP = 95;
    public static final int EADDRINUSE = 98;
    public static final int ECONNRESET = 104;
    public static final int ENOTCONN = 107;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;

    // ---------------------------------------------------------------- open(2) flags

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_TRUNC = 01000;
    public static final int O_CLOEXEC = 02000000;
    /** Differs by architecture: 0400000 on x86_64, 0100000 on aarch64. */
    public static final int O_NOFOLLOW;

    // ---------------------------------------------------------------- memfd seals

    public static final int F_SEAL_SEAL = 1;
    public static final int F_SEAL_SHRINK = 2;
    public static final int F_SEAL_GROW = 4;
    public static final int F_SEAL_WRITE = 8;

    // ---------------------------------------------------------------- private constants

    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_TYPE = 0x1;
    private static final int STATX_MODE = 0x2;
    private static final int STATX_UID = 0x8;
    private static final int STATX_GID = 0x10;
    private static final int STATX_SIZE = 0x200;
    private static final int STATX_WANTED = STATX_TYPE | STATX_MODE | STATX_UID | STATX_GID | STATX_SIZE;
    private static final long STATX_BUFFER_SIZE = 256;

    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_SHARED = 1;

    private static final int MFD_CLOEXEC = 1;
    private static final int MFD_ALLOW_SEALING = 2;

    private static final int F_OFD_GETLK = 36;
    private static final int F_OFD_SETLK = 37;
    private static final int F_ADD_SEALS = 1033;
    private static final int F_GET_SEALS = 1034;
    private static final short F_RDLCK = 0;
    private static final short F_WRLCK = 1;
    private static final short F_UNLCK = 2;
    private static final short SEEK_SET = 0;
    /** struct flock: short l_type; short l_whence; (pad) long l_start; long l_len; int l_pid; (pad). */
    private static final long FLOCK_SIZE = 32;
    private static final long FLOCK_TYPE = 0;
    private static final long FLOCK_WHENCE = 2;
    private static final long FLOCK_START = 8;
    private static final long FLOCK_LEN = 16;
    private static final long FLOCK_PID = 24;

    private static final long FUTEX_WAIT = 0;
    private static final long FUTEX_WAKE = 1;
    private static final long SYS_FUTEX_WAITV = 449;
    private static final long MEMBARRIER_CMD_GLOBAL = 1;
    private static final long MEMBARRIER_CMD_GLOBAL_EXPEDITED = 2;
    private static final long MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED = 4;
    private static final int CLOCK_MONOTONIC = 1;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_PEERCRED = 17;
    private static final int SO_RCVTIMEO = 20;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_CTRUNC = 0x8;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int SUN_PATH_SIZE = 108;
    /**
     * msghdr: void* name; u32 namelen; (pad) iovec* iov; u64 iovlen; void* control; u64 controllen; int flags;
     * (pad).
     */
    private static final long MSGHDR_SIZE = 56;
    private static final long MSG_IOV = 16;
    private static final long MSG_IOVLEN = 24;
    private static final long MSG_CONTROL = 32;
    private static final long MSG_CONTROLLEN = 40;
    private static final long MSG_FLAGS = 48;
    /** cmsghdr: u64 len; int level; int type; then data, 8-aligned. */
    private static final long CMSG_HEADER = 16;
    /** Room for this many descriptors in one receive, so that a peer sending too many is detected, not lost. */
    private static final int RECEIVE_FD_SLOTS = 16;

    private enum Arch
    {
        X86_64, AARCH64
    }

    private static final Arch ARCH;

    static
    {
        String arch = System.getProperty("os.arch", "");
        ARCH = switch (arch)
        {
            case "amd64", "x86_64" -> Arch.X86_64;
            case "aarch64", "arm64" -> Arch.AARCH64;
            default -> null;
        };
        O_NOFOLLOW = ARCH == Arch.AARCH64 ? 0100000 : 0400000;
    }

    // ---------------------------------------------------------------- records

    /**
     * Result of {@link #fstat}.
     *
     * @param size file size in bytes
     * @param mode {@code st_mode} including the file type bits; {@code mode & 07777} is the permission part
     * @param uid  owner
     * @param gid  group
     */
    public record Stat(long size, int mode, int uid, int gid)
    {
    }

    /** Credentials of the process at the other end of a Unix socket, as recorded by the kernel at connect time. */
    public record PeerCredentials(int pid, int uid, int gid)
    {
    }

    /**
     * Result of {@link #receiveFd}.
     *
     * @param fd      the received descriptor (close-on-exec), or -1 if the message carried none
     * @param payload the bytes received; empty means the peer closed the connection
     */
    public record ReceivedFd(int fd, byte[] payload)
    {
    }

    // ---------------------------------------------------------------- environment

    /**
     * Checks that this JVM can use the platform layer and binds the C functions.
     *
     * @throws IllegalStateException if not on Linux x86_64/aarch64, if native access is not enabled for this
     *                               module, or if a needed C library function is missing
     */
    public static void ensureUsable()
    {
        checkEnvironment();
        try
        {
            Native.bind();
        }
        catch (final ExceptionInInitializerError e)
        {
            throw new IllegalStateException("shmbus could not bind to the C library: " + e.getCause(), e.getCause());
        }
        catch (final NoClassDefFoundError e)
        {
            throw new IllegalStateException("shmbus could not bind to the C library: " + e, e);
        }
    }

    private static void checkEnvironment()
    {
        String os = System.getProperty("os.name", "");
        if (!os.startsWith("Linux"))
        {
            throw new IllegalStateException(
                "shmbus needs Linux (it uses futexes, memfd and OFD locks); this JVM runs on " +
                os);
        }
        if (ARCH == null || ADDRESS.byteSize() != 8)
        {
            throw new IllegalStateException(
                "shmbus supports Linux on x86_64 (amd64) and aarch64 only; this JVM reports" +
                " os.arch=" + System.getProperty("os.arch"));
        }
        Module module = Linux.class.getModule();
        if (!module.isNativeAccessEnabled())
        {
            String message;
            if (module.isNamed())
            {
                message = "Native access is not enabled for module " + module.getName() +
                    ". Start the JVM with --enable-native-access=" + module.getName() + ".";
            }
            else
            {
                message = "Native access is not enabled for code on the class path. Start the JVM with" +
                    " --enable-native-access=ALL-UNNAMED (for an executable jar you may instead put" +
                    " 'Enable-Native-Access: ALL-UNNAMED' in its manifest).";
            }
            throw new IllegalStateException("shmbus uses the Foreign Function & Memory API to call the C library. " +
                message);
        }
    }

    // ---------------------------------------------------------------- files

    /**
     * {@code open(path, flags, mode)}. Retries on EINTR.
     *
     * @return the new descriptor
     */
    public static int open(final String path, final int flags, final int mode) throws ErrnoException
    {
        try (Arena arena = Arena.ofConfined())
        {
            MemorySegment cPath = cString(arena, path);
            MemorySegment cap = Native.capture();
            while (true)
            {
                int fd = (int)Native.OPEN.invokeExact(cap, cPath, flags, mode);
                if (fd >= 0)
                {
                    return fd;
                }
                int errno = Native.errno(cap);
                if (errno != EINTR)
                {
                    throw new ErrnoException("open(" + path + ")", errno);
                }
            }
        }
        catch (final ErrnoException | RuntimeException | Error e)
        {
            throw e;
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
    }

    /**
     * {@code close(fd)}; a no-op for a negative fd. The descriptor is released even if the kernel reports an
     * error (EINTR, EIO), so those are ignored.
     *
     * @throws IllegalStateException on EBADF: the descriptor was already closed, which is a bug that could
     *                               close somebody else's descriptor
     */
    public static void close(final int fd)
    {
        if (fd < 0)
        {
            return;
        }
        MemorySegment cap = Native.capture();
        int r;
        try
        {
            r = (int)Native.CLOSE.invokeExact(cap, fd);
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
        if (r != 0 && Native.errno(cap) == EBADF)
        {
            throw new IllegalStateException("close(" + fd + ") failed: EBADF (descriptor not open; closed twice?)");
        }
    }

    /** {@code statx(fd, "", AT_EMPTY_PATH, ...)}: size, mode, owner and group of an open file. */
    public static Stat fstat(final int fd) throws ErrnoException
    {
        try (Arena arena = Arena.ofConfined())
        {
            MemorySegment buf = arena.allocate(STATX_BUFFER_SIZE, 8);
            MemorySegment cap = Native.capture();
            int r = (int)Native.STATX.invokeExact(cap, fd, Native.EMPTY_STRING, AT_EMPTY_PATH, STATX_WANTED, buf);
            if (r != 0)
            {
                throw new ErrnoException("statx(fd " + fd + ")", Native.errno(cap));
            }
            int got = buf.get(JAVA_INT, 0);
            if ((got & STATX_WANTED) != STATX_WANTED)
            {
                throw new IllegalStateException("statx(fd " + fd + ") did not return all requested fields: mask 0x" +
                    Integer.toHexString(got));
            }
            int uid = buf.get(JAVA_INT, 20);
            int gid = buf.get(JAVA_INT, 24);
            int mode = Short.toUnsignedInt(buf.get(JAVA_SHORT, 28));
            long size = buf.get(JAVA_LONG, 40);
            return new Stat(size, mode, uid, gid);
        }
        catch (final ErrnoException | RuntimeException | Error e)
        {
            throw e;
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
    }

    /**
     * {@code posix_fallocate(fd, offset, length)}: reserves the blocks so that later writes through a mapping
     * cannot fail. Retries on EINTR.
     *
     * @throws ErrnoException with {@link #ENOSPC} when the file system is full, {@link #EFBIG} when too large
     */
    public static void fallocate(final int fd, final long offset, final long length) throws ErrnoException
    {
        int r;
        do
        {
            try
            {
                r = (int)Native.POSIX_FALLOCATE.invokeExact(fd, offset, length);
            }
            catch (final Throwable t)
            {
                throw unexpected(t);
            }
        }
        while (r == EINTR);
        if (r != 0)
        {
            throw new ErrnoException("posix_fallocate(fd " + fd + ", " + offset + ", " + length + ")", r);
        }
    }

    /** {@code ftruncate(fd, length)}. Retries on EINTR. EPERM when a seal forbids the change. */
    public static void ftruncate(final int fd, final long length) throws ErrnoException
    {
        MemorySegment cap = Native.capture();
        while (true)
        {
            int r;
            try
            {
                r = (int)Native.FTRUNCATE.invokeExact(cap, fd, length);
            }
            catch (final Throwable t)
            {
                throw unexpected(t);
            }
            if (r == 0)
            {
                return;
            }
            int errno = Native.errno(cap);
            if (errno != EINTR)
            {
                throw new ErrnoException("ftruncate(fd " + fd + ", " + length + ")", errno);
            }
        }
    }

    /** {@code fchmod(fd, mode)}. */
    public static void fchmod(final int fd, final int mode) throws ErrnoException
    {
        MemorySegment cap = Native.capture();
        int r;
        try
        {
            r = (int)Native.FCHMOD.invokeExact(cap, fd, mode);
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
        if (r != 0)
        {
            throw new ErrnoException("fchmod(fd " + fd + ", 0" + Integer.toOctalString(mode) + ")", Native.errno(cap));
        }
    }

    /** {@code fchown(fd, uid, gid)}; -1 leaves that id unchanged. */
    public static void fchown(final int fd, final int uid, final int gid) throws ErrnoException
    {
        MemorySegment cap = Native.capture();
        int r;
        try
        {
            r = (int)Native.FCHOWN.invokeExact(cap, fd, uid, gid);
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
        if (r != 0)
        {
            throw new ErrnoException("fchown(fd " + fd + ", " + uid + ", " + gid + ")", Native.errno(cap));
        }
    }

    // ---------------------------------------------------------------- memory

    /**
     * {@code mmap(NULL, length, PROT_READ[|PROT_WRITE], MAP_SHARED, fd, offset)}.
     *
     * @param offset a multiple of the page size
     * @return the address of the mapping; release it with {@link #munmap}
     */
    public static long mmap(final int fd, final long offset, final long length,
        final boolean writable) throws ErrnoException
    {
        int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
        MemorySegment cap = Native.capture();
        MemorySegment r;
        try
        {
            r = (MemorySegment)Native.MMAP.invokeExact(cap, MemorySegment.NULL, length, prot, MAP_SHARED, fd, offset);
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
        long address = r.address();
        if (address == -1L)
        {
            throw new ErrnoException("mmap(fd " + fd + ", offset " + offset + ", length " + length +
                (writable ? ", rw)" : ", r)"), Native.errno(cap));
        }
        return address;
    }

    /**
     * {@code munmap(address, length)}.
     *
     * @throws IllegalStateException if the kernel rejects the range (a bug in the caller)
     */
    public static void munmap(final long address, final long length)
    {
        MemorySegment cap = Native.capture();
        int r;
        try
        {
            r = (int)Native.MUNMAP.invokeExact(cap, MemorySegment.ofAddress(address), length);
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
        if (r != 0)
        {
            throw failure("munmap(0x" + Long.toHexString(address) + ", " + length + ")", Native.errno(cap));
        }
    }

    /** {@code MADV_POPULATE_WRITE} (Linux 5.14): fault a range in writable, as writes would, without writing. */
    public static final int MADV_POPULATE_WRITE = 23;

    /**
     * {@code madvise(address, length, advice)}.
     *
     * @param address page aligned.
     * @param length  bytes from {@code address}.
     * @param advice  a {@code MADV_} constant.
     * @throws ErrnoException as the kernel refuses it: {@code EINVAL} for an advice it does not know (an older
     *                        kernel), {@code ENOMEM}/{@code EFAULT} when a page cannot be populated.
     */
    public static void madvise(final long address, final long length, final int advice) throws ErrnoException
    {
        final MemorySegment cap = Native.capture();
        final int r;
        try
        {
            r = (int)Native.MADVISE.invokeExact(cap, MemorySegment.ofAddress(address), length, advice);
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
        if (r != 0)
        {
            throw new ErrnoException("madvise(0x" + Long.toHexString(address) + ", " + length + ", " + advice + ")",
                Native.errno(cap));
        }
    }

    // ---------------------------------------------------------------- memfd

    /**
     * {@code memfd_create(name, MFD_CLOEXEC [| MFD_ALLOW_SEALING])}: an anonymous file in shared memory, size 0.
     *
     * @param name shown in {@code /proc/PID/fd} as {@code /memfd:name}; at most 249 bytes
     */
    public static int memfdCreate(final String name, final boolean allowSealing) throws ErrnoException
    {
        int flags = allowSealing ? MFD_CLOEXEC | MFD_ALLOW_SEALING : MFD_CLOEXEC;
        try (Arena arena = Arena.ofConfined())
        {
            MemorySegment cName = cString(arena, name);
            MemorySegment cap = Native.capture();
            int fd = (int)Native.MEMFD_CREATE.invokeExact(cap, cName, flags);
            if (fd < 0)
            {
                throw new ErrnoException("memfd_create(" + name + ")", Native.errno(cap));
            }
            return fd;
        }
        catch (final ErrnoException | RuntimeException | Error e)
        {
            throw e;
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
    }

    /**
     * {@code fcntl(fd, F_ADD_SEALS, seals)}; EPERM once {@link #F_SEAL_SEAL} is set, EBUSY for a write seal on a
     * mapped file.
     */
    public static void addSeals(final int fd, final int seals) throws ErrnoException
    {
        MemorySegment cap = Native.capture();
        int r;
        try
        {
            r = (int)Native.FCNTL_INT.invokeExact(cap, fd, F_ADD_SEALS, seals);
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
        if (r < 0)
        {
            throw new ErrnoException("fcntl(fd " + fd + ", F_ADD_SEALS, " + seals + ")", Native.errno(cap));
        }
    }

    /** {@code fcntl(fd, F_GET_SEALS)}: the seals set; a memfd created without sealing reports {@link #F_SEAL_SEAL}. */
    public static int getSeals(final int fd) throws ErrnoException
    {
        MemorySegment cap = Native.capture();
        int r;
        try
        {
            r = (int)Native.FCNTL_INT.invokeExact(cap, fd, F_GET_SEALS, 0);
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
        if (r < 0)
        {
            throw new ErrnoException("fcntl(fd " + fd + ", F_GET_SEALS)", Native.errno(cap));
        }
        return r;
    }

    // ---------------------------------------------------------------- OFD locks

    /**
     * Takes an OFD lock without waiting:
     * {@code fcntl(fd, F_OFD_SETLK, {exclusive ? F_WRLCK : F_RDLCK, offset, length})}.
     * Taking a lock the same open file description already holds converts or extends it and succeeds.
     *
     * @param length bytes to lock; 0 means from {@code offset} to the end of the file, however large it grows
     * @return true if the lock is now held, false if a conflicting lock is held through another open file description
     */
    public static boolean tryLock(final int fd, final long offset, final long length,
        final boolean exclusive) throws ErrnoException
    {
        Scratch s = Native.scratch();
        fillFlock(s.flock, exclusive ? F_WRLCK : F_RDLCK, offset, length);
        int r = fcntlFlock(s, fd, F_OFD_SETLK);
        if (r == 0)
        {
            return true;
        }
        int errno = Native.errno(s.capture);
        if (errno == EAGAIN || errno == EACCES)
        {
            return false;
        }
        throw new ErrnoException("fcntl(fd " + fd + ", F_OFD_SETLK, " + (exclusive ? "F_WRLCK" : "F_RDLCK") + ", " +
            offset + ", " + length + ")", errno);
    }

    /** Releases this open file description's OFD lock on the range; releasing an unlocked range is not an error. */
    public static void unlock(final int fd, final long offset, final long length) throws ErrnoException
    {
        Scratch s = Native.scratch();
        fillFlock(s.flock, F_UNLCK, offset, length);
        if (fcntlFlock(s, fd, F_OFD_SETLK) != 0)
        {
            throw new ErrnoException("fcntl(fd " + fd + ", F_OFD_SETLK, F_UNLCK, " + offset + ", " + length + ")",
                Native.errno(s.capture));
        }
    }

    /**
     * {@code fcntl(fd, F_OFD_GETLK, ...)}: whether a lock of the given kind on the range would conflict with a lock
     * held through another open file description. With {@code exclusive} any other lock conflicts; without it only
     * another exclusive lock does. Locks held through {@code fd}'s own open file description never count.
     */
    public static boolean isLockedElsewhere(final int fd, final long offset, final long length,
        final boolean exclusive) throws ErrnoException
    {
        Scratch s = Native.scratch();
        fillFlock(s.flock, exclusive ? F_WRLCK : F_RDLCK, offset, length);
        if (fcntlFlock(s, fd, F_OFD_GETLK) != 0)
        {
            throw new ErrnoException("fcntl(fd " + fd + ", F_OFD_GETLK, " + offset + ", " + length + ")",
                Native.errno(s.capture));
        }
        return s.flock.get(JAVA_SHORT, FLOCK_TYPE) != F_UNLCK;
    }

    private static void fillFlock(final MemorySegment flock, final short type, final long offset, final long length)
    {
        if (offset < 0 || length < 0)
        {
            throw new IllegalArgumentException("negative lock range: offset " + offset + ", length " + length);
        }
        flock.fill((byte)0); // l_pid and the padding must be 0 for OFD locks
        flock.set(JAVA_SHORT, FLOCK_TYPE, type);
        flock.set(JAVA_SHORT, FLOCK_WHENCE, SEEK_SET);
        flock.set(JAVA_LONG, FLOCK_START, offset);
        flock.set(JAVA_LONG, FLOCK_LEN, length);
    }

    private static int fcntlFlock(final Scratch s, final int fd, final int cmd)
    {
        try
        {
            return (int)Native.FCNTL_PTR.invokeExact(s.capture, fd, cmd, s.flock);
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
    }

    // ---------------------------------------------------------------- futex

    /**
     * {@code futex(address, FUTEX_WAIT, expected, timeout)} on a shared (not private) futex: sleeps while the 32-bit
     * word at {@code address} equals {@code expected}. Allocates nothing.
     *
     * @param address   a 4-byte aligned address inside a shared mapping
     * @param timeoutNs relative timeout in nanoseconds; negative waits without a timeout; 0 only checks the value
     * @return 0 when woken (possibly spuriously: re-check the word), {@link #EAGAIN} when the word did not hold
     *         {@code expected}, {@link #ETIMEDOUT} or {@link #EINTR}
     * @throws IllegalStateException on any other errno (EINVAL for a misaligned word, EFAULT for an unmapped one)
     */
    public static int futexWait(final long address, final int expected, final long timeoutNs)
    {
        Scratch s = Native.scratch();
        long timeout = 0L;
        if (timeoutNs >= 0)
        {
            s.timespec.set(JAVA_LONG, 0, timeoutNs / NANOS_PER_SECOND);
            s.timespec.set(JAVA_LONG, 8, timeoutNs % NANOS_PER_SECOND);
            timeout = s.timespec.address();
        }
        long r;
        try
        {
            r = (long)Native.SYSCALL.invokeExact(s.capture, Native.SYS_FUTEX, address, FUTEX_WAIT, (long)expected,
                timeout, 0L, 0L);
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
        if (r == 0)
        {
            return 0;
        }
        int errno = Native.errno(s.capture);
        if (errno == EAGAIN || errno == ETIMEDOUT || errno == EINTR)
        {
            return errno;
        }
        throw failure("futex(0x" + Long.toHexString(address) + ", FUTEX_WAIT)", errno);
    }

    /**
     * {@code futex(address, FUTEX_WAKE, count)} on a shared futex. Allocates nothing.
     *
     * @param count the most waiters to wake; {@code Integer.MAX_VALUE} wakes all
     * @return the number of waiters woken
     * @throws IllegalStateException on any errno (EINVAL for a misaligned word, EFAULT for an unmapped one)
     */
    public static int futexWake(final long address, final int count)
    {
        Scratch s = Native.scratch();
        long r;
        try
        {
            r = (long)Native.SYSCALL.invokeExact(s.capture, Native.SYS_FUTEX, address, FUTEX_WAKE, (long)count,
                0L, 0L, 0L);
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
        if (r < 0)
        {
            throw failure("futex(0x" + Long.toHexString(address) + ", FUTEX_WAKE)", Native.errno(s.capture));
        }
        return (int)r;
    }

    /**
     * {@code membarrier(MEMBARRIER_CMD_GLOBAL, 0)}: returns once every thread of every process on the machine
     * has passed through a full memory barrier. Slow (a scheduler grace period, up to milliseconds) and meant
     * for rare events: it lets a hot path on the other side skip a fence (the asymmetric Dekker pattern).
     *
     * @return true when the barrier was issued, false when the kernel does not offer it (ENOSYS, EINVAL)
     */
    public static boolean membarrierGlobal()
    {
        return membarrier(MEMBARRIER_CMD_GLOBAL, "MEMBARRIER_CMD_GLOBAL");
    }

    /**
     * {@code membarrier(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0)}: makes this process a target of other
     * processes' {@link #membarrierGlobalExpedited()}. Once per process; cheap.
     *
     * @return true when registered, false when the kernel does not offer the command (ENOSYS, EINVAL, EPERM)
     */
    public static boolean membarrierRegisterGlobalExpedited()
    {
        return membarrier(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, "MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED");
    }

    /**
     * {@code membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0)}: returns once every running thread of every process
     * registered with {@link #membarrierRegisterGlobalExpedited()} has executed a full memory barrier (an
     * inter-processor interrupt to the CPUs running them; threads not running pass one when they are next
     * scheduled). Microseconds, not the grace period of {@link #membarrierGlobal()}.
     *
     * @return true when the barrier was issued, false when the kernel does not offer it (ENOSYS, EINVAL, EPERM)
     */
    public static boolean membarrierGlobalExpedited()
    {
        return membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED, "MEMBARRIER_CMD_GLOBAL_EXPEDITED");
    }

    private static boolean membarrier(final long command, final String name)
    {
        Scratch s = Native.scratch();
        long r;
        try
        {
            r = (long)Native.SYSCALL.invokeExact(s.capture, Native.SYS_MEMBARRIER, command, 0L, 0L, 0L, 0L, 0L);
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
        if (r == 0)
        {
            return true;
        }
        int errno = Native.errno(s.capture);
        if (errno == ENOSYS || errno == EINVAL || errno == EPERM)
        {
            return false;
        }
        throw failure("membarrier(" + name + ")", errno);
    }

    /** Whether the kernel has {@code futex_waitv} (Linux 5.16+); probed once with a harmless invalid call. */
    public static boolean futexWaitvSupported()
    {
        return Native.FUTEX_WAITV_SUPPORTED;
    }

    /** Layout of the errno capture buffer, for {@link FutexWaitv}'s own buffer. */
    static StructLayout captureLayout()
    {
        return Native.CAPTURE_LAYOUT;
    }

    /**
     * {@code futex_waitv(waiters, count, 0, timeout, CLOCK_MONOTONIC)}.
     *
     * @param timespec absolute CLOCK_MONOTONIC deadline, or {@code MemorySegment.NULL} for none
     * @return the index of a woken entry, or minus {@link #EAGAIN}, {@link #ETIMEDOUT} or {@link #EINTR}
     */
    static int futexWaitv(final MemorySegment capture, final MemorySegment waiters, final int count,
        final MemorySegment timespec)
    {
        long r;
        try
        {
            r = (long)Native.SYSCALL.invokeExact(capture, SYS_FUTEX_WAITV, waiters.address(), (long)count, 0L,
                timespec.address(), (long)CLOCK_MONOTONIC, 0L);
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
        if (r >= 0)
        {
            return (int)r;
        }
        int errno = Native.errno(capture);
        if (errno == EAGAIN || errno == ETIMEDOUT || errno == EINTR)
        {
            return -errno;
        }
        throw failure("futex_waitv(" + count + " words)", errno);
    }

    /** Writes {@code clock_gettime(CLOCK_MONOTONIC) + delayNs} into the timespec, saturating on overflow. */
    static void monotonicDeadline(final MemorySegment timespec, final long delayNs)
    {
        int r;
        try
        {
            r = (int)Native.CLOCK_GETTIME.invokeExact(CLOCK_MONOTONIC, timespec);
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
        if (r != 0)
        {
            throw new IllegalStateException("clock_gettime(CLOCK_MONOTONIC) failed");
        }
        long seconds = timespec.get(JAVA_LONG, 0) + delayNs / NANOS_PER_SECOND;
        long nanos = timespec.get(JAVA_LONG, 8) + delayNs % NANOS_PER_SECOND;
        if (nanos >= NANOS_PER_SECOND)
        {
            nanos -= NANOS_PER_SECOND;
            seconds++;
        }
        if (seconds < 0)  // overflow: wait "forever"
        {
            seconds = Long.MAX_VALUE;
            nanos = NANOS_PER_SECOND - 1;
        }
        timespec.set(JAVA_LONG, 0, seconds);
        timespec.set(JAVA_LONG, 8, nanos);
    }

    // ---------------------------------------------------------------- process identity

    public static int getpid()
    {
        try
        {
            return (int)Native.GETPID.invokeExact();
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
    }

    public static int getuid()
    {
        try
        {
            return (int)Native.GETUID.invokeExact();
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
    }

    public static int getgid()
    {
        try
        {
            return (int)Native.GETGID.invokeExact();
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
    }

    // ---------------------------------------------------------------- Unix domain sockets

    /**
     * Creates a listening Unix stream socket: {@code socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC)}, {@code bind},
     * {@code listen}. A file-system path must not exist yet (EADDRINUSE); the caller deletes it afterwards. An
     * abstract name lives only as long as the socket and needs no cleanup.
     *
     * @param path              a file-system path, or with {@code abstractNamespace} a name (without the leading NUL)
     * @param abstractNamespace whether to use Linux's abstract socket namespace
     * @return the listening socket
     */
    public static int unixListen(final String path, final boolean abstractNamespace,
        final int backlog) throws ErrnoException
    {
        try (Arena arena = Arena.ofConfined())
        {
            MemorySegment address = arena.allocate(2 + SUN_PATH_SIZE, 2);
            int addressLength = sockaddrUn(address, path, abstractNamespace);
            MemorySegment cap = Native.capture();
            int fd = unixSocket(cap, path);
            boolean ok = false;
            try
            {
                if ((int)Native.BIND.invokeExact(cap, fd, address, addressLength) != 0)
                {
                    throw new ErrnoException("bind(" + describe(path, abstractNamespace) + ")", Native.errno(cap));
                }
                if ((int)Native.LISTEN.invokeExact(cap, fd, backlog) != 0)
                {
                    throw new ErrnoException("listen(" + describe(path, abstractNamespace) + ")", Native.errno(cap));
                }
                ok = true;
                return fd;
            }
            finally
            {
                if (!ok)
                {
                    close(fd);
                }
            }
        }
        catch (final ErrnoException | RuntimeException | Error e)
        {
            throw e;
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
    }

    /**
     * {@code accept4(listenFd, NULL, NULL, SOCK_CLOEXEC)}; blocks until a peer connects (EAGAIN after a receive
     * timeout set on the listening socket). Retries on EINTR.
     */
    public static int unixAccept(final int listenFd) throws ErrnoException
    {
        MemorySegment cap = Native.capture();
        while (true)
        {
            int fd;
            try
            {
                fd = (int)Native.ACCEPT4.invokeExact(cap, listenFd, MemorySegment.NULL, MemorySegment.NULL,
                    SOCK_CLOEXEC);
            }
            catch (final Throwable t)
            {
                throw unexpected(t);
            }
            if (fd >= 0)
            {
                return fd;
            }
            int errno = Native.errno(cap);
            if (errno != EINTR)
            {
                throw new ErrnoException("accept4(fd " + listenFd + ")", errno);
            }
        }
    }

    /**
     * Connects a new Unix stream socket to a listener. ECONNREFUSED if nobody listens on an abstract name,
     * ENOENT if a path does not exist.
     *
     * @return the connected socket
     */
    public static int unixConnect(final String path, final boolean abstractNamespace) throws ErrnoException
    {
        try (Arena arena = Arena.ofConfined())
        {
            MemorySegment address = arena.allocate(2 + SUN_PATH_SIZE, 2);
            int addressLength = sockaddrUn(address, path, abstractNamespace);
            MemorySegment cap = Native.capture();
            int fd = unixSocket(cap, path);
            boolean ok = false;
            try
            {
                while (true)
                {
                    if ((int)Native.CONNECT.invokeExact(cap, fd, address, addressLength) == 0)
                    {
                        ok = true;
                        return fd;
                    }
                    int errno = Native.errno(cap);
                    if (errno != EINTR)
                    {
                        throw new ErrnoException("connect(" + describe(path, abstractNamespace) + ")", errno);
                    }
                }
            }
            finally
            {
                if (!ok)
                {
                    close(fd);
                }
            }
        }
        catch (final ErrnoException | RuntimeException | Error e)
        {
            throw e;
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
    }

    /** {@code getsockopt(fd, SOL_SOCKET, SO_PEERCRED)}: who is at the other end of a connected Unix socket. */
    public static PeerCredentials peerCredentials(final int socketFd) throws ErrnoException
    {
        try (Arena arena = Arena.ofConfined())
        {
            MemorySegment ucred = arena.allocate(12, 4);
            MemorySegment length = arena.allocateFrom(JAVA_INT, 12);
            MemorySegment cap = Native.capture();
            int r = (int)Native.GETSOCKOPT.invokeExact(cap, socketFd, SOL_SOCKET, SO_PEERCRED, ucred, length);
            if (r != 0)
            {
                throw new ErrnoException("getsockopt(fd " + socketFd + ", SO_PEERCRED)", Native.errno(cap));
            }
            return new PeerCredentials(ucred.get(JAVA_INT, 0), ucred.get(JAVA_INT, 4), ucred.get(JAVA_INT, 8));
        }
        catch (final ErrnoException | RuntimeException | Error e)
        {
            throw e;
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
    }

    /**
     * Sends {@code payload} with {@code fdToSend} attached as one {@code SCM_RIGHTS} control message
     * ({@code sendmsg}, {@code MSG_NOSIGNAL}: a closed peer gives EPIPE, not a signal). The descriptor travels with
     * the first byte; if the kernel takes only part of a large payload the rest follows without it. The sender
     * keeps its own copy of the descriptor and may close it afterwards.
     *
     * @param fdToSend the descriptor to pass, or a negative value to send the payload alone
     * @param payload  at least one byte (a stream socket cannot carry a descriptor without data)
     */
    public static void sendFd(final int socketFd, final int fdToSend, final byte[] payload) throws ErrnoException
    {
        if (payload.length == 0)
        {
            throw new IllegalArgumentException("payload must have at least 1 byte to carry a descriptor");
        }
        try (Arena arena = Arena.ofConfined())
        {
            MemorySegment data = arena.allocate(payload.length);
            MemorySegment.copy(payload, 0, data, JAVA_BYTE, 0, payload.length);
            MemorySegment iov = arena.allocate(16, 8);
            MemorySegment msg = arena.allocate(MSGHDR_SIZE, 8);
            msg.set(ADDRESS, MSG_IOV, iov);
            msg.set(JAVA_LONG, MSG_IOVLEN, 1L);
            if (fdToSend >= 0)
            {
                MemorySegment control = arena.allocate(cmsgSpace(4), 8);
                control.set(JAVA_LONG, 0, cmsgLen(4));
                control.set(JAVA_INT, 8, SOL_SOCKET);
                control.set(JAVA_INT, 12, SCM_RIGHTS);
                control.set(JAVA_INT, CMSG_HEADER, fdToSend);
                msg.set(ADDRESS, MSG_CONTROL, control);
                msg.set(JAVA_LONG, MSG_CONTROLLEN, control.byteSize());
            }
            MemorySegment cap = Native.capture();
            long sent = 0;
            while (sent < payload.length)
            {
                iov.set(ADDRESS, 0, data.asSlice(sent));
                iov.set(JAVA_LONG, 8, payload.length - sent);
                long r = (long)Native.SENDMSG.invokeExact(cap, socketFd, msg, MSG_NOSIGNAL);
                if (r < 0)
                {
                    int errno = Native.errno(cap);
                    if (errno == EINTR)
                    {
                        continue;
                    }
                    throw new ErrnoException("sendmsg(fd " + socketFd + ", " + payload.length + " bytes" +
                        (fdToSend >= 0 ? ", fd " + fdToSend : "") + ")", errno);
                }
                sent += r;
                // The descriptor has gone with the first chunk.
                msg.set(ADDRESS, MSG_CONTROL, MemorySegment.NULL);
                msg.set(JAVA_LONG, MSG_CONTROLLEN, 0L);
            }
        }
        catch (final ErrnoException | RuntimeException | Error e)
        {
            throw e;
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
    }

    /**
     * Receives up to {@code maxPayload} bytes and at most one descriptor with one {@code recvmsg}
     * ({@code MSG_CMSG_CLOEXEC}). Unix stream sockets do not keep message boundaries, except that data carrying a
     * descriptor is never merged with data sent after it; the caller frames its payloads. Retries on EINTR.
     *
     * @return the descriptor (-1 if none) and the bytes read; an empty payload means the peer closed the connection
     * @throws ErrnoException EAGAIN when a receive timeout ({@link #setReceiveTimeout}) expires; EMSGSIZE when the
     *                        peer attached more than one descriptor or control data was truncated (every descriptor
     *                        that did arrive is closed)
     */
    public static ReceivedFd receiveFd(final int socketFd, final int maxPayload) throws ErrnoException
    {
        if (maxPayload < 1)
        {
            throw new IllegalArgumentException("maxPayload must be at least 1: " + maxPayload);
        }
        try (Arena arena = Arena.ofConfined())
        {
            MemorySegment data = arena.allocate(maxPayload);
            MemorySegment iov = arena.allocate(16, 8);
            iov.set(ADDRESS, 0, data);
            iov.set(JAVA_LONG, 8, maxPayload);
            MemorySegment control = arena.allocate(cmsgSpace(4 * RECEIVE_FD_SLOTS), 8);
            MemorySegment msg = arena.allocate(MSGHDR_SIZE, 8);
            MemorySegment cap = Native.capture();
            long received;
            while (true)
            {
                msg.fill((byte)0);
                msg.set(ADDRESS, MSG_IOV, iov);
                msg.set(JAVA_LONG, MSG_IOVLEN, 1L);
                msg.set(ADDRESS, MSG_CONTROL, control);
                msg.set(JAVA_LONG, MSG_CONTROLLEN, control.byteSize());
                received = (long)Native.RECVMSG.invokeExact(cap, socketFd, msg, MSG_CMSG_CLOEXEC);
                if (received >= 0)
                {
                    break;
                }
                int errno = Native.errno(cap);
                if (errno != EINTR)
                {
                    throw new ErrnoException("recvmsg(fd " + socketFd + ")", errno);
                }
            }
            List<Integer> fds = receivedDescriptors(control, msg.get(JAVA_LONG, MSG_CONTROLLEN));
            boolean truncated = (msg.get(JAVA_INT, MSG_FLAGS) & MSG_CTRUNC) != 0;
            if (truncated || fds.size() > 1)
            {
                for (final int fd : fds)
                {
                    close(fd);
                }
                throw new ErrnoException("recvmsg(fd " + socketFd + ", " + fds.size() + " descriptors attached" +
                    (truncated ? ", control data truncated" : "") + ")", EMSGSIZE);
            }
            byte[] payload = new byte[(int) received];
            MemorySegment.copy(data, JAVA_BYTE, 0, payload, 0, payload.length);
            return new ReceivedFd(fds.isEmpty() ? -1 : fds.getFirst(), payload);
        }
        catch (final ErrnoException | RuntimeException | Error e)
        {
            throw e;
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
    }

    private static List<Integer> receivedDescriptors(final MemorySegment control, final long controlLength)
    {
        List<Integer> fds = new ArrayList<>(1);
        long offset = 0;
        while (offset + CMSG_HEADER <= controlLength)
        {
            long length = control.get(JAVA_LONG, offset);
            if (length < CMSG_HEADER || offset + length > controlLength)
            {
                break;
            }
            if (control.get(JAVA_INT, offset + 8) == SOL_SOCKET && control.get(JAVA_INT, offset + 12) == SCM_RIGHTS)
            {
                for (long p = offset + CMSG_HEADER; p + 4 <= offset + length; p += 4)
                {
                    fds.add(control.get(JAVA_INT, p));
                }
            }
            offset += align8(length);
        }
        return fds;
    }

    /**
     * {@code setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeval)}: a blocking receive (or accept) on the socket fails
     * with EAGAIN after this long.
     *
     * @param timeoutMs the timeout in milliseconds; 0 removes the timeout
     */
    public static void setReceiveTimeout(final int socketFd, final long timeoutMs) throws ErrnoException
    {
        if (timeoutMs < 0)
        {
            throw new IllegalArgumentException("negative timeout: " + timeoutMs);
        }
        try (Arena arena = Arena.ofConfined())
        {
            MemorySegment timeval = arena.allocate(16, 8);
            timeval.set(JAVA_LONG, 0, timeoutMs / 1000);
            timeval.set(JAVA_LONG, 8, (timeoutMs % 1000) * 1000);
            MemorySegment cap = Native.capture();
            int r = (int)Native.SETSOCKOPT.invokeExact(cap, socketFd, SOL_SOCKET, SO_RCVTIMEO, timeval, 16);
            if (r != 0)
            {
                throw new ErrnoException("setsockopt(fd " + socketFd + ", SO_RCVTIMEO, " + timeoutMs + " ms)",
                    Native.errno(cap));
            }
        }
        catch (final ErrnoException | RuntimeException | Error e)
        {
            throw e;
        }
        catch (final Throwable t)
        {
            throw unexpected(t);
        }
    }

    private static int unixSocket(final MemorySegment cap, final String path) throws Throwable
    {
        int fd = (int)Native.SOCKET.invokeExact(cap, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new ErrnoException("socket(AF_UNIX) for " + path, Native.errno(cap));
        }
        return fd;
    }

    /** Fills a {@code struct sockaddr_un} and returns the address length to pass to bind/connect. */
    private static int sockaddrUn(final MemorySegment address, final String path, final boolean abstractNamespace)
    {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0)
        {
            throw new IllegalArgumentException("empty socket path");
        }
        // A path needs its terminating NUL; an abstract name needs its leading NUL.
        if (bytes.length + 1 > SUN_PATH_SIZE)
        {
            throw new IllegalArgumentException("socket path longer than " + (SUN_PATH_SIZE - 1) + " bytes: " + path);
        }
        if (!abstractNamespace && path.indexOf('\0') >= 0)
        {
            throw new IllegalArgumentException("socket path contains a NUL character: " + path);
        }
        address.fill((byte)0);
        address.set(JAVA_SHORT, 0, (short)AF_UNIX);
        int start = abstractNamespace ? 3 : 2;
        MemorySegment.copy(bytes, 0, address, JAVA_BYTE, start, bytes.length);
        // Abstract names are counted exactly (trailing bytes would be part of the name); paths include the NUL.
        return abstractNamespace ? 3 + bytes.length : 2 + bytes.length + 1;
    }

    private static String describe(final String path, final boolean abstractNamespace)
    {
        return abstractNamespace ? "@" + path : path;
    }

    private static long align8(final long n)
    {
        return (n + 7) & ~7L;
    }

    private static long cmsgLen(final long dataLength)
    {
        return CMSG_HEADER + dataLength;
    }

    private static long cmsgSpace(final long dataLength)
    {
        return CMSG_HEADER + align8(dataLength);
    }

    // ---------------------------------------------------------------- helpers

    private static MemorySegment cString(final Arena arena, final String s)
    {
        if (s.indexOf('\0') >= 0)
        {
            throw new IllegalArgumentException("string contains a NUL character: " + s);
        }
        return arena.allocateFrom(s, StandardCharsets.UTF_8);
    }

    private static IllegalStateException failure(final String call, final int errno)
    {
        return new IllegalStateException(call + " failed: " + ErrnoException.name(errno) + " (" +
            ErrnoException.description(errno) + ")");
    }

    private static RuntimeException unexpected(final Throwable t)
    {
        if (t instanceof RuntimeException r)
        {
            return r;
        }
        if (t instanceof Error e)
        {
            throw e;
        }
        return new IllegalStateException("unexpected failure of a native call", t);
    }

    /** Per-thread native scratch space, allocated once per thread and reused: errno capture, timespec, flock. */
    private static final class Scratch
    {
        final MemorySegment capture;
        final MemorySegment timespec;
        final MemorySegment flock;

        Scratch()
        {
            Arena arena = Arena.ofAuto();
            capture = arena.allocate(Native.CAPTURE_LAYOUT);
            timespec = arena.allocate(16, 8);
            flock = arena.allocate(FLOCK_SIZE, 8);
        }
    }

    /** The downcall handles, bound on first use after the environment checks. */
    private static final class Native
    {
        static final Linker LINKER;
        static final SymbolLookup LIBC;
        static final StructLayout CAPTURE_LAYOUT;
        static final VarHandle ERRNO;
        static final ThreadLocal<Scratch> SCRATCH;
        static final MemorySegment EMPTY_STRING;
        static final long SYS_FUTEX;
        static final long SYS_MEMBARRIER;

        static final MethodHandle OPEN;
        static final MethodHandle CLOSE;
        static final MethodHandle STATX;
        static final MethodHandle POSIX_FALLOCATE;
        static final MethodHandle FTRUNCATE;
        static final MethodHandle FCHMOD;
        static final MethodHandle FCHOWN;
        static final MethodHandle MMAP;
        static final MethodHandle MUNMAP;
        static final MethodHandle MADVISE;
        static final MethodHandle MEMFD_CREATE;
        static final MethodHandle FCNTL_INT;
        static final MethodHandle FCNTL_PTR;
        static final MethodHandle SYSCALL;
        static final MethodHandle CLOCK_GETTIME;
        static final MethodHandle GETPID;
        static final MethodHandle GETUID;
        static final MethodHandle GETGID;
        static final MethodHandle SOCKET;
        static final MethodHandle BIND;
        static final MethodHandle LISTEN;
        static final MethodHandle ACCEPT4;
        static final MethodHandle CONNECT;
        static final MethodHandle GETSOCKOPT;
        static final MethodHandle SETSOCKOPT;
        static final MethodHandle SENDMSG;
        static final MethodHandle RECVMSG;
        static final boolean FUTEX_WAITV_SUPPORTED;

        static
        {
            checkEnvironment();
            LINKER = Linker.nativeLinker();
            LIBC = LINKER.defaultLookup();
            CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
            ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
            SCRATCH = ThreadLocal.withInitial(Scratch::new);
            EMPTY_STRING = Arena.global().allocate(1);
            SYS_FUTEX = ARCH == Arch.AARCH64 ? 98 : 202;
            SYS_MEMBARRIER = ARCH == Arch.AARCH64 ? 283 : 324;

            Linker.Option errno = Linker.Option.captureCallState("errno");
            OPEN = bind("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), errno,
                Linker.Option.firstVariadicArg(2));
            CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), errno);
            STATX = bind("statx", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS),
                errno);
            POSIX_FALLOCATE = bind("posix_fallocate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
            FTRUNCATE = bind("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), errno);
            FCHMOD = bind("fchmod", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), errno);
            FCHOWN = bind("fchown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), errno);
            MMAP = bind("mmap", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_LONG), errno);
            MUNMAP = bind("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), errno);
            MADVISE = bind("madvise", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), errno);
            MEMFD_CREATE = bind("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), errno);
            FCNTL_INT = bind("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), errno,
                Linker.Option.firstVariadicArg(2));
            FCNTL_PTR = bind("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), errno,
                Linker.Option.firstVariadicArg(2));
            // long syscall(long number, ...): every argument passed as a full register-sized long.
            SYSCALL = bind("syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                JAVA_LONG, JAVA_LONG, JAVA_LONG), errno, Linker.Option.firstVariadicArg(1));
            CLOCK_GETTIME = bind("clock_gettime", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
            GETPID = bind("getpid", FunctionDescriptor.of(JAVA_INT));
            GETUID = bind("getuid", FunctionDescriptor.of(JAVA_INT));
            GETGID = bind("getgid", FunctionDescriptor.of(JAVA_INT));
            SOCKET = bind("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), errno);
            BIND = bind("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), errno);
            LISTEN = bind("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), errno);
            ACCEPT4 = bind("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), errno);
            CONNECT = bind("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), errno);
            GETSOCKOPT = bind("getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS,
                ADDRESS), errno);
            SETSOCKOPT = bind("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS,
                JAVA_INT), errno);
            SENDMSG = bind("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), errno);
            RECVMSG = bind("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), errno);

            FUTEX_WAITV_SUPPORTED = probeFutexWaitv();
        }

        /** Forces class initialisation. */
        static void bind()
        {
        }

        @SuppressWarnings("restricted") // the reason this class exists; guarded by checkEnvironment()
        static MethodHandle bind(final String name, final FunctionDescriptor descriptor, final Linker.Option... options)
        {
            MemorySegment symbol = LIBC.find(name).orElseThrow(
                () -> new IllegalStateException("C library function not found: " + name +
                        " (shmbus needs glibc 2.28 or newer)"));
            return LINKER.downcallHandle(symbol, descriptor, options);
        }

        /** futex_waitv with no entries: EINVAL if the kernel has it, ENOSYS (or EPERM under seccomp) if not. */
        private static boolean probeFutexWaitv()
        {
            try (Arena arena = Arena.ofConfined())
            {
                MemorySegment cap = arena.allocate(CAPTURE_LAYOUT);
                long r = (long)SYSCALL.invokeExact(cap, SYS_FUTEX_WAITV, 0L, 0L, 0L, 0L, (long)CLOCK_MONOTONIC, 0L);
                return r < 0 && errno(cap) == EINVAL;
            }
            catch (final Throwable t)
            {
                throw new IllegalStateException("futex_waitv probe failed", t);
            }
        }

        static Scratch scratch()
        {
            return SCRATCH.get();
        }

        static MemorySegment capture()
        {
            return SCRATCH.get().capture;
        }

        static int errno(final MemorySegment capture)
        {
            return (int)ERRNO.get(capture, 0L);
        }
    }
}
