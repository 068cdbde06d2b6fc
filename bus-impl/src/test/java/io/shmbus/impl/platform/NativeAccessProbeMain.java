package io.shmbus.impl.platform;

/** Child process: prints what {@link Linux#ensureUsable()} says in a JVM started without native access. */
public final class NativeAccessProbeMain
{

    private NativeAccessProbeMain()
    {
    }

    public static void main(final String[] args)
    {
        try
        {
            Linux.ensureUsable();
            System.out.println("USABLE");
        }
        catch (final IllegalStateException e)
        {
            System.out.println("REFUSED " + e.getMessage());
        }
    }
}
