package io.shmbus.impl.platform;

import java.io.IOException;

/**
 * A C library or system call failed with an {@code errno}.
 *
 * <p>The message has the form {@code "open(/dev/shm/x) failed: ENOENT (No such file or directory)"}:
 * the failed call with its most useful argument, the symbolic errno name and the glibc description.
 * Names and descriptions come from a fixed table (the numbers are the asm-generic values shared by
 * x86_64 and aarch64), so the text does not depend on the locale and needs no native call.
 */
public final class ErrnoException extends IOException
{

    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String call;

    /**
     * @param call  the call that failed, with the argument that identifies it, e.g. {@code "open(/dev/shm/x)"}
     * @param errno the positive errno value
     */
    public ErrnoException(final String call, final int errno)
    {
        super(call + " failed: " + name(errno) + " (" + description(errno) + ")");
        this.errno = errno;
        this.call = call;
    }

    /** The positive errno value, comparable with the constants in {@link Linux}. */
    public int errno()
    {
        return errno;
    }

    /** The call that failed, e.g. {@code "open(/dev/shm/x)"}. */
    public String call()
    {
        return call;
    }

    /** Symbolic name of an errno value, e.g. {@code "ENOENT"}, or {@code "errno 123"} when not in the table. */
    public static String name(final int errno)
    {
        return switch (errno)
        {
            case Linux.EPERM -> "EPERM";
            case Linux.ENOENT -> "ENOENT";
            case Linux.ESRCH -> "ESRCH";
            case Linux.EINTR -> "EINTR";
            case Linux.EIO -> "EIO";
            case Linux.EBADF -> "EBADF";
            case Linux.EAGAIN -> "EAGAIN";
            case Linux.ENOMEM -> "ENOMEM";
            case Linux.EACCES -> "EACCES";
            case Linux.EFAULT -> "EFAULT";
            case Linux.EBUSY -> "EBUSY";
            case Linux.EEXIST -> "EEXIST";
            case Linux.ENOTDIR -> "ENOTDIR";
            case Linux.EISDIR -> "EISDIR";
            case Linux.EINVAL -> "EINVAL";
            case Linux.ENFILE -> "ENFILE";
            case Linux.EMFILE -> "EMFILE";
            case Linux.EFBIG -> "EFBIG";
            case Linux.ENOSPC -> "ENOSPC";
            case Linux.EROFS -> "EROFS";
            case Linux.EPIPE -> "EPIPE";
            case Linux.ENAMETOOLONG -> "ENAMETOOLONG";
            case Linux.ENOLCK -> "ENOLCK";
            case Linux.ENOSYS -> "ENOSYS";
            case Linux.ELOOP -> "ELOOP";
            case Linux.ENOTSOCK -> "ENOTSOCK";
            case Linux.EMSGSIZE -> "EMSGSIZE";
            case Linux.EOPNOTSUPP -> "EOPNOTSUPP";
            case Linux.EADDRINUSE -> "EADDRINUSE";
            case Linux.ECONNRESET -> "ECONNRESET";
            case Linux.ENOTCONN -> "ENOTCONN";
            case Linux.ETIMEDOUT -> "ETIMEDOUT";
            case Linux.ECONNREFUSED -> "ECONNREFUSED";
            default -> "errno " + errno;
        };
    }

    /** The glibc description of an errno value, e.g. {@code "No such file or directory"}. */
    public static String description(final int errno)
    {
        return switch (errno)
        {
            case Linux.EPERM -> "Operation not permitted";
            case Linux.ENOENT -> "No such file or directory";
            case Linux.ESRCH -> "No such process";
            case Linux.EINTR -> "Interrupted system call";
            case Linux.EIO -> "Input/output error";
            case Linux.EBADF -> "Bad file descriptor";
            case Linux.EAGAIN -> "Resource temporarily unavailable";
            case Linux.ENOMEM -> "Cannot allocate memory";
            case Linux.EACCES -> "Permission denied";
            case Linux.EFAULT -> "Bad address";
            case Linux.EBUSY -> "Device or resource busy";
            case Linux.EEXIST -> "File exists";
            case Linux.ENOTDIR -> "Not a directory";
            case Linux.EISDIR -> "Is a directory";
            case Linux.EINVAL -> "Invalid argument";
            case Linux.ENFILE -> "Too many open files in system";
            case Linux.EMFILE -> "Too many open files";
            case Linux.EFBIG -> "File too large";
            case Linux.ENOSPC -> "No space left on device";
            case Linux.EROFS -> "Read-only file system";
            case Linux.EPIPE -> "Broken pipe";
            case Linux.ENAMETOOLONG -> "File name too long";
            case Linux.ENOLCK -> "No locks available";
            case Linux.ENOSYS -> "Function not implemented";
            case Linux.ELOOP -> "Too many levels of symbolic links";
            case Linux.ENOTSOCK -> "Socket operation on non-socket";
            case Linux.EMSGSIZE -> "Message too long";
            case Linux.EOPNOTSUPP -> "Operation not supported";
            case Linux.EADDRINUSE -> "Address already in use";
            case Linux.ECONNRESET -> "Connection reset by peer";
            case Linux.ENOTCONN -> "Transport endpoint is not connected";
            case Linux.ETIMEDOUT -> "Connection timed out";
            case Linux.ECONNREFUSED -> "Connection refused";
            default -> "Unknown error " + errno;
        };
    }
}
