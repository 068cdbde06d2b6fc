package io.shmbus.impl.ring;

/**
 * Test-only halting points inside the claim path, for crash tests that kill a publisher at an exact moment.
 * Enabled only when the JVM starts with {@code -Dshmbus.faultPoints=<name>}; the flag is a static final
 * constant, so in every other JVM the JIT removes the checks entirely.
 *
 * <p>When enabled, a publisher reaching the named point prints {@code HALTED <name> <position>} on standard
 * output and then sleeps for ever, holding its claim, so the test can kill it there with SIGKILL (or stop it
 * with SIGSTOP).
 */
public final class FaultPoints
{
    /** After the tail moved past the claim, before any byte of the record header was written. */
    public static final String AFTER_TAIL = "afterTail";
    /** After the in-progress header, before any byte of the body. */
    public static final String AFTER_HEADER = "afterHeader";

    static final String ENABLED = System.getProperty("shmbus.faultPoints", "");
    static final boolean ANY = !ENABLED.isEmpty();

    private FaultPoints()
    {
    }

    static void reach(final String point, final long position)
    {
        if (ENABLED.equals(point))
        {
            System.out.println("HALTED " + point + " " + position);
            System.out.flush();
            while (true)
            {
                try
                {
                    Thread.sleep(60_000);
                }
                catch (final InterruptedException ignore)
                {
                    // keep holding the claim until killed
                }
            }
        }
    }
}
