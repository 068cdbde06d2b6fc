package io.shmbus.examples;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sidecar demo's commands on threads of one JVM (examples/containers-test.sh runs them in containers
 * of different uids): the owner's own uid stands for the allowed one, and is refused once the owner denies it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SidecarDemoTest
{
    @TempDir
    Path directory;

    private ExecutorService executor;

    @BeforeEach
    void start()
    {
        executor = Executors.newCachedThreadPool();
    }

    @AfterEach
    void stop() throws InterruptedException
    {
        executor.shutdownNow();
        assertTrue(executor.awaitTermination(30, TimeUnit.SECONDS), "a demo thread did not stop");
    }

    @Test
    void anAllowedSidecarVerifiesTheStreamOfTheAnonymousTopic() throws Exception
    {
        final Path socket = directory.resolve("feed.sock");
        final Future<Integer> owner = run(new ShareMain(), "--dir", directory.resolve("app").toString(),
            "--socket", socket.toString(), "--messages", "20000", "--timeout-s", "20");
        awaitSocket(socket);
        assertEquals(0, Cli.commandLine(new SidecarMain()).execute("--dir", directory.resolve("sidecar").toString(),
            "--socket", socket.toString(), "--timeout-s", "20"));
        assertEquals(0, owner.get());
    }

    @Test
    void aSidecarNotOnTheAllowListIsRefused() throws Exception
    {
        final Path socket = directory.resolve("feed.sock");
        final Future<Integer> owner = run(new ShareMain(), "--dir", directory.resolve("app").toString(),
            "--socket", socket.toString(), "--deny-own-uid", "--allow-uid", "4242", "--messages", "0",
            "--expect-refusals", "2", "--timeout-s", "4");
        awaitSocket(socket);
        assertEquals(0, Cli.commandLine(new SidecarMain()).execute("--dir", directory.resolve("sidecar").toString(),
            "--socket", socket.toString(), "--expect-refusal", "--timeout-s", "5"));
        assertEquals(Cli.EXIT_NOT_VERIFIED, Cli.commandLine(new SidecarMain()).execute(
            "--dir", directory.resolve("sidecar").toString(), "--socket", socket.toString(), "--timeout-s", "5"),
            "a refused sidecar that expected to be let in fails");
        // Nobody joined: the owner reports it.
        assertEquals(Cli.EXIT_NOT_VERIFIED, owner.get());
    }

    private static void awaitSocket(final Path socket) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(socket))
        {
            assertTrue(System.nanoTime() < deadline, "no socket " + socket + " after 20 s");
            Thread.sleep(10);
        }
        Thread.sleep(100); // the owner opens the socket's permissions right after binding it
    }

    private Future<Integer> run(final Object command, final String... args)
    {
        return executor.submit(() -> Cli.commandLine(command).execute(args));
    }
}
