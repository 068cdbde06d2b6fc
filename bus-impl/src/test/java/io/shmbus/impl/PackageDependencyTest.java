package io.shmbus.impl;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dependencies between the implementation's packages point one way: topic wiring (the package root) over
 * {@code ring} and {@code anonymous}, over {@code signal} and {@code liveness}, over {@code mapping} and
 * {@code layout}, over {@code platform}; {@code faults} (test hooks) and {@code process} (starting child JVMs)
 * use none of them. Read from the production sources' imports (and fully qualified names),
 * so a cycle between two packages, or an upward reference, fails the build the day it comes back.
 */
class PackageDependencyTest
{
    private static final String ROOT = "io.shmbus.impl";
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.shmbus\\.impl\\.([a-z]+)\\.[A-Z]");
    /** Each package, with the packages it may use (besides itself). */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
        "ring", Set.of("signal", "liveness", "mapping", "layout", "platform", "faults"),
        "anonymous", Set.of("mapping", "layout", "platform"),
        "liveness", Set.of("signal", "mapping", "layout", "platform", "faults"),
        "signal", Set.of("layout", "platform", "faults"),
        "mapping", Set.of("layout", "platform"),
        "layout", Set.of(),
        "platform", Set.of(),
        "faults", Set.of(),
        "process", Set.of());

    @Test
    void packagesDependOnlyDownwards() throws IOException
    {
        final Map<String, Set<String>> uses = dependencies();
        assertTrue(uses.keySet().containsAll(Set.of("ring", "signal", "liveness", "layout", "platform")),
            "found the packages: " + uses.keySet());
        final List<String> wrong = new ArrayList<>();
        for (final Map.Entry<String, Set<String>> entry : uses.entrySet())
        {
            final Set<String> allowed = ALLOWED.get(entry.getKey());
            if (null == allowed)
            {
                wrong.add("package " + entry.getKey() + " has no place in the layering: add it to ALLOWED");
                continue;
            }
            for (final String used : entry.getValue())
            {
                if (!allowed.contains(used))
                {
                    wrong.add(entry.getKey() + " -> " + used);
                }
            }
        }
        assertEquals(List.of(), wrong, "dependencies against the layering");
    }

    @Test
    void theCheckSeesAReferenceUpwards()
    {
        final Matcher matcher = REFERENCE.matcher("import io.shmbus.impl.ring.Ring;");
        assertTrue(matcher.find());
        assertEquals("ring", matcher.group(1));
    }

    private static Map<String, Set<String>> dependencies() throws IOException
    {
        final Path sources = Path.of("src/main/java", ROOT.split("\\."));
        assertTrue(Files.isDirectory(sources), "run from the module directory: " + sources.toAbsolutePath());
        final Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sources))
        {
            for (final Path file : (Iterable<Path>)files.filter(f -> f.toString().endsWith(".java"))::iterator)
            {
                final Path relative = sources.relativize(file.getParent());
                if (relative.getNameCount() != 1 || relative.toString().isEmpty())
                {
                    continue; // the root wires everything; it may use every package
                }
                final String pkg = relative.toString();
                final Set<String> used = uses.computeIfAbsent(pkg, p -> new TreeSet<>());
                final Matcher matcher = REFERENCE.matcher(Files.readString(file));
                while (matcher.find())
                {
                    if (!matcher.group(1).equals(pkg))
                    {
                        used.add(matcher.group(1));
                    }
                }
            }
        }
        return uses;
    }
}
