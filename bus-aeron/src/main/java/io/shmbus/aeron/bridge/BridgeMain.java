package io.shmbus.aeron.bridge;

/**
 * Runs {@link BridgeCommand} on its own: {@code java io.shmbus.aeron.bridge.BridgeMain out|in|status ...}.
 */
public final class BridgeMain
{
    private BridgeMain()
    {
    }

    /**
     * @param args the bridge's arguments.
     */
    public static void main(final String[] args)
    {
        System.exit(BridgeCommand.execute(args));
    }
}
