package io.shmbus.impl;

import io.shmbus.impl.process.BusProbeMain;
import io.shmbus.impl.process.ChildGroup;
import io.shmbus.impl.process.ChildProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JVM started without the flags shmbus needs gets a BusException from {@code Bus.open} that names the missing
 * flag (both, when both are missing), never an IllegalAccessError or a crash. Agrona 2.4.1 on JDK 25 does need
 * the package {@code jdk.internal.misc} of java.base: {@code --add-opens} gives it, and so does
 * {@code --add-exports}, which is enough.
 */
class JvmFlagsTest
{
    private static final String OPENS = "java.base/jdk.internal.misc=ALL-UNNAMED";
    private static final String NATIVE = "--enable-native-access=ALL-UNNAMED";

    @Test
    @Timeout(180)
    void missingFlagsAreNamed()
    {
        try (ChildGroup children = new ChildGroup())
        {
            final String none = probe(children, List.of());
            assertTrue(none.startsWith(
                "BUS_EXCEPTION BusException shmbus needs two JVM flags and this JVM has neither") &&
                none.contains("--add-opens " + OPENS) && none.contains(NATIVE) &&
                none.contains("Add-Opens: java.base/jdk.internal.misc") && none.contains("Enable-Native-Access"), none);

            final String noNative = probe(children, List.of("--add-opens", OPENS));
            assertTrue(noNative.startsWith("BUS_EXCEPTION BusException") && noNative.contains(NATIVE) &&
                !noNative.contains("--add-opens"), noNative);

            final String noOpens = probe(children, List.of(NATIVE));
            assertTrue(noOpens.startsWith("BUS_EXCEPTION BusException") && noOpens.contains("--add-opens " + OPENS) &&
                noOpens.contains("IllegalAccessError") && noOpens.contains("does not export jdk.internal.misc"),
                noOpens);

            assertEquals("OK bus", probe(children, List.of("--add-exports", OPENS, NATIVE)),
                "--add-exports is enough for Agrona");
            assertEquals("OK bus", probe(children, List.of("--add-opens", OPENS, NATIVE)));
        }
    }

    private static String probe(final ChildGroup children, final List<String> shmbusFlags)
    {
        final List<String> flags = new ArrayList<>(shmbusFlags);
        flags.addAll(List.of("-Xmx64m", "-XX:+UseSerialGC", "-Dlogback.configurationFile=logback-child.xml"));
        final Path directory = TestBus.newDirectory("flags");
        try
        {
            final ChildProcess child = children.start("flags", List.of(), flags, System.getProperty("java.class.path"),
                BusProbeMain.class, "dir=" + directory, "action=bus");
            final String line = child.awaitAnyLine(Duration.ofSeconds(60), "OK", "BUS_EXCEPTION", "OTHER");
            System.out.println("JVM FLAGS " + (shmbusFlags.isEmpty() ? "none" : String.join(" ", shmbusFlags)) +
                " -> " + line);
            assertEquals(0, child.awaitExit(Duration.ofSeconds(60)), child.diagnostics());
            assertTrue(!child.diagnostics().contains("Exception in thread"), child.diagnostics());
            return line;
        }
        finally
        {
            TestBus.delete(directory);
        }
    }
}
