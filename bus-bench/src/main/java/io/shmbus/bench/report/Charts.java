package io.shmbus.bench.report;

import java.nio.file.Path;
import java.util.Map;

/**
 * PNG charts of a summary.
 */
public final class Charts
{
    private Charts()
    {
    }

    /**
     * @param summary the summary tree.
     * @param out     where the PNGs (and the .hgrm files they read) are.
     */
    public static void write(final Map<String, Object> summary, final Path out)
    {
    }
}
