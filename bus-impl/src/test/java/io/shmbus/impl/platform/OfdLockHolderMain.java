package io.shmbus.impl.platform;

/**
 * Child process for the cross-process lock test: takes an exclusive OFD lock on one byte of a file, prints
 * {@code LOCKED} and then blocks until its standard input is closed (so it also ends if the parent dies).
 *
 * <p>Arguments: path, byte offset.
 */
public final class OfdLockHolderMain
{

    private OfdLockHolderMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        Linux.ensureUsable();
        int fd = Linux.open(args[0], Linux.O_RDWR | Linux.O_CLOEXEC, 0);
        long offset = Long.parseLong(args[1]);
        if (!Linux.tryLock(fd, offset, 1, true))
        {
            System.out.println("BUSY");
            System.out.flush();
            System.exit(2);
        }
        System.out.println("LOCKED");
        System.out.flush();
        while (System.in.read() >= 0)
        {
            // wait for end of input
        }
        System.exit(0);
    }
}
