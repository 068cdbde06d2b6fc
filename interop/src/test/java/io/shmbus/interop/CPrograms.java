package io.shmbus.interop;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The C programs of the kit, compiled once per test JVM from interop/c with the system {@code cc}, into
 * target/c. Without a {@code cc} on the PATH the tests are skipped (with that reason); a program that does not
 * compile cleanly fails them.
 */
final class CPrograms
{
    static final List<String> CFLAGS = List.of("-std=c11", "-O2", "-Wall", "-Wextra", "-Werror");
    private static final String[] PROGRAMS = {"shmbus-read", "shmbus-publish"};

    private static Path built;
    private static String failure;

    private CPrograms()
    {
    }

    static Path sources()
    {
        return Path.of(System.getProperty("shmbus.interop.sources", "c")).toAbsolutePath();
    }

    private static synchronized Path directory()
    {
        if (null != built)
        {
            return built;
        }
        final String cc = findOnPath("cc");
        Assumptions.assumeTrue(null != cc,
            "no C compiler: 'cc' is not on the PATH, so the C conformance programs cannot be built; interop tests " +
            "skipped");
        if (null != failure)
        {
            throw new AssertionError(failure);
        }
        final Path out = Path.of(System.getProperty("shmbus.interop.build", "target/c")).toAbsolutePath();
        try
        {
            Files.createDirectories(out);
            for (final String program : PROGRAMS)
            {
                final List<String> command = new ArrayList<>();
                command.add(cc);
                command.addAll(CFLAGS);
                // More flags for a run by hand, e.g. -Dshmbus.interop.extraCflags="-fsanitize=address,undefined".
                for (final String flag : System.getProperty("shmbus.interop.extraCflags", "").split(" "))
                {
                    if (!flag.isBlank())
                    {
                        command.add(flag);
                    }
                }
                command.add("-o");
                command.add(out.resolve(program).toString());
                command.add(sources().resolve(program + ".c").toString());
                command.add(sources().resolve("shmbus.c").toString());
                final Process compile = new ProcessBuilder(command).redirectErrorStream(true).start();
                final String output = new String(compile.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!compile.waitFor(120, TimeUnit.SECONDS) || compile.exitValue() != 0)
                {
                    failure = String.join(" ", command) + " failed:\n" + output;
                    throw new AssertionError(failure);
                }
            }
        }
        catch (final IOException ex)
        {
            failure = "cannot build the C programs: " + ex;
            throw new AssertionError(failure, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while compiling", ex);
        }
        built = out;
        return built;
    }

    private static String findOnPath(final String program)
    {
        final String path = System.getenv("PATH");
        if (null == path)
        {
            return null;
        }
        for (final String dir : path.split(File.pathSeparator))
        {
            final Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(candidate))
            {
                return candidate.toString();
            }
        }
        return null;
    }

    static Proc read(final String name, final String... args)
    {
        return run(name, "shmbus-read", args);
    }

    static Proc publish(final String name, final String... args)
    {
        return run(name, "shmbus-publish", args);
    }

    /**
     * The reader in a process that does without the expedited barrier (as one whose kernel or seccomp filter
     * refuses it): it counts itself in blockingSubscribers, and publishers fence.
     */
    static Proc readWithoutExpeditedBarrier(final String name, final String... args)
    {
        return run(name, "shmbus-read", java.util.Map.of("SHMBUS_NO_EXPEDITED_BARRIER", "1"), args);
    }

    private static Proc run(final String name, final String program, final String... args)
    {
        return run(name, program, java.util.Map.of(), args);
    }

    private static Proc run(
        final String name, final String program, final java.util.Map<String, String> environment, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(directory().resolve(program).toString());
        command.addAll(List.of(args));
        return Proc.start(name, command, environment);
    }

    /**
     * Compile (once) and fail or skip now, before a test sets anything up.
     */
    static void require()
    {
        directory();
    }
}
