package io.shmbus.impl.process;

/**
 * A child for testing the harness itself: prints {@code READY}, answers {@code PING <x>} with {@code PONG <x>},
 * fails on {@code FAIL}.
 *
 * <p>Arguments ({@code key=value}): optionally {@code deadline} (seconds).
 */
public final class EchoMain
{
    private EchoMain()
    {
    }

    public static void main(final String[] args)
    {
        final ChildArgs a = new ChildArgs(args);
        ChildSupport.start(a.getLong("deadline", 60));
        ChildSupport.out("READY");
        while (true)
        {
            final String command = ChildSupport.nextCommand();
            if (command.startsWith("PING"))
            {
                ChildSupport.out("PONG" + command.substring(4));
            }
            else if (command.equals("FAIL"))
            {
                ChildSupport.fail("asked to fail");
            }
        }
    }
}
