package io.shmbus.bench.harness;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the JMH microbenchmarks of {@code io.shmbus.bench.jmh} in a forked JVM and returns their scores.
 */
final class JmhRunner
{
    /** SLF4J simple's default level. */
    static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

    private JmhRunner()
    {
    }

    static List<Map<String, Object>> run(final Path out, final List<String> jvmFlags, final Mode mode)
    {
        final boolean quick = mode != Mode.FULL;
        final Options options = new OptionsBuilder()
            .include("io\\.shmbus\\.bench\\.jmh\\..*")
            .forks(1)
            .warmupIterations(quick ? 2 : 4)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(quick ? 3 : 5)
            .measurementTime(TimeValue.seconds(1))
            .jvmArgsAppend(forkFlags(jvmFlags))
            .resultFormat(ResultFormatType.JSON)
            .result(out.resolve("jmh.json").toString())
            .build();
        final List<Map<String, Object>> rows = new ArrayList<>();
        try
        {
            final Collection<RunResult> results = new org.openjdk.jmh.runner.Runner(options).run();
            for (final RunResult r : results)
            {
                final Map<String, Object> row = new LinkedHashMap<>();
                final String name = r.getParams().getBenchmark();
                row.put("benchmark", name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1));
                row.put("score", r.getPrimaryResult().getScore());
                row.put("error", r.getPrimaryResult().getScoreError());
                row.put("unit", r.getPrimaryResult().getScoreUnit());
                rows.add(row);
            }
        }
        catch (final RunnerException ex)
        {
            final Map<String, Object> row = new LinkedHashMap<>();
            row.put("benchmark", "failed: " + ex.getMessage());
            row.put("score", 0.0);
            row.put("error", 0.0);
            row.put("unit", "");
            rows.add(row);
        }
        return rows;
    }

    /**
     * The forks' flags: the children's, and shmbus's lifecycle logging (SLF4J simple, to stderr, which JMH
     * echoes) at WARN, so that a topic opened per trial does not print its INFO lines among the scores.
     */
    static String[] forkFlags(final List<String> jvmFlags)
    {
        final List<String> flags = new ArrayList<>(jvmFlags);
        flags.add("-D" + LOG_LEVEL_PROPERTY + "=warn");
        return flags.toArray(String[]::new);
    }
}
