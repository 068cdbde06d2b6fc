package io.shmbus.bench.harness;

/**
 * A measurement that could not be completed; the harness records it in the results and goes on.
 */
public final class BenchException extends RuntimeException
{
    /**
     * @param message what went wrong.
     */
    public BenchException(final String message)
    {
        super(message);
    }
}
