package io.shmbus.impl;

import io.shmbus.BusException;
import io.shmbus.impl.platform.Linux;
import io.shmbus.impl.process.ChildJvm;

/**
 * Checks, before anything touches shared memory, that the JVM was started with the two flags shmbus needs,
 * and turns the raw errors a user would otherwise get into a message naming the flag.
 */
final class JvmFlags
{
    static final String ADD_OPENS = String.join(" ", ChildJvm.ADD_OPENS);
    static final String NATIVE_ACCESS = ChildJvm.NATIVE_ACCESS;
    private static volatile boolean checked;

    private JvmFlags()
    {
    }

    static void check()
    {
        if (checked)
        {
            return;
        }
        // Agrona 2.x links straight to jdk.internal.misc.Unsafe: java.base must export that package to Agrona's
        // module (--add-opens, which implies it, or --add-exports). Looked up first so that a JVM missing both
        // flags is told about both at once, not one per attempt.
        final boolean unsafeReachable = Object.class.getModule().isExported(
            "jdk.internal.misc", org.agrona.concurrent.UnsafeBuffer.class.getModule());
        if (!unsafeReachable && !Linux.class.getModule().isNativeAccessEnabled())
        {
            throw new BusException("shmbus needs two JVM flags and this JVM has neither: " + ADD_OPENS +
                " (Agrona's UnsafeBuffer, through which messages are read and written) and " + NATIVE_ACCESS +
                " (the futex, fcntl, mmap and memfd calls); in an executable jar's manifest: " +
                "'Add-Opens: java.base/jdk.internal.misc' and 'Enable-Native-Access: ALL-UNNAMED'");
        }
        try
        {
            Linux.ensureUsable();
        }
        catch (final IllegalStateException | UnsupportedOperationException ex)
        {
            throw new BusException(ex.getMessage(), ex);
        }
        try
        {
            final org.agrona.concurrent.UnsafeBuffer probe = new org.agrona.concurrent.UnsafeBuffer(new byte[16]);
            probe.putLongVolatile(0, 1);
            if (probe.getLongVolatile(0) != 1)
            {
                throw new IllegalStateException("UnsafeBuffer probe read back the wrong value");
            }
        }
        catch (final Throwable ex)
        {
            throw new BusException("shmbus cannot use Agrona's UnsafeBuffer in this JVM (" + ex + "). Start the JVM " +
                "with " + ADD_OPENS + " and " + NATIVE_ACCESS + " (in an executable jar's manifest: " +
                "'Add-Opens: java.base/jdk.internal.misc' and 'Enable-Native-Access: ALL-UNNAMED')", ex);
        }
        checked = true;
    }
}
