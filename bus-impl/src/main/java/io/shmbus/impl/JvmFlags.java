package io.shmbus.impl;

import io.shmbus.BusException;
import io.shmbus.impl.platform.Linux;

/**
 * Checks, before anything touches shared memory, that the JVM was started with the two flags shmbus needs,
 * and turns the raw errors a user would otherwise get into a message naming the flag.
 */
final class JvmFlags
{
    static final String ADD_OPENS = "--add-opens java.base/jdk.internal.misc=ALL-UNNAMED";
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
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
