package io.shmbus.impl.platform;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EnsureUsableTest
{

    @Test
    void usableInThisJvm()
    {
        assertDoesNotThrow(Linux::ensureUsable);
    }

    @Test
    void refusesWithoutNativeAccessAndNamesTheFlag() throws Exception
    {
        ProcessBuilder builder = new ProcessBuilder(
            PlatformTestSupport.javaCommand(NativeAccessProbeMain.class, false));
        builder.redirectErrorStream(true);
        Process child = builder.start();
        try
        {
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, child.exitValue(), output);
            assertTrue(output.startsWith("REFUSED "), output);
            assertTrue(output.contains("--enable-native-access=ALL-UNNAMED"), output);
            assertTrue(output.contains("Enable-Native-Access: ALL-UNNAMED"), output);
            // The check comes before any restricted call, so the JVM has nothing to warn about.
            assertTrue(!output.contains("WARNING: A restricted method"), output);
        }
        finally
        {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
