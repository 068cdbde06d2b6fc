package io.shmbus.examples;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the demos' commands on threads of this JVM over a private bus directory, with small counts: the
 * scripts run them in separate JVMs.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DemosTest
{
    @TempDir
    Path busDirectory;

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
    void producerAndConsumerVerifyTheStream() throws Exception
    {
        final Future<Integer> consumer = run(new ConsumerMain(), "--quiet", "--ring-bytes", "65536",
            "--ready-file", ready("consumer"));
        awaitReady("consumer");
        final Future<Integer> producer = run(new ProducerMain(), "--messages", "200000", "--ring-bytes", "65536");
        assertEquals(0, producer.get());
        assertEquals(0, consumer.get());
    }

    @Test
    void fanOutToTwoConsumersAndFanInFromTwoProducers() throws Exception
    {
        final List<Future<Integer>> fanOut = new ArrayList<>();
        fanOut.add(run(new ConsumerMain(), "--topic", "out", "--quiet", "--ready-file", ready("out-1")));
        fanOut.add(run(new ConsumerMain(), "--topic", "out", "--quiet", "--ready-file", ready("out-2")));
        awaitReady("out-1");
        awaitReady("out-2");
        fanOut.add(run(new ProducerMain(), "--topic", "out", "--messages", "50000"));
        for (final Future<Integer> demo : fanOut)
        {
            assertEquals(0, demo.get());
        }

        final List<Future<Integer>> fanIn = new ArrayList<>();
        fanIn.add(run(new ConsumerMain(), "--topic", "in", "--producers", "2", "--quiet", "--ready-file", ready("in")));
        awaitReady("in");
        fanIn.add(run(new ProducerMain(), "--topic", "in", "--messages", "50000", "--shared", "--producer-index", "0"));
        fanIn.add(run(new ProducerMain(), "--topic", "in", "--messages", "50000", "--shared", "--producer-index", "1"));
        for (final Future<Integer> demo : fanIn)
        {
            assertEquals(0, demo.get());
        }
    }

    @Test
    void consumerReportsAProducerThatNeverEnds() throws Exception
    {
        final Future<Integer> consumer = run(new ConsumerMain(), "--quiet", "--timeout-s", "1", "--producers", "2",
            "--ready-file", ready("consumer"));
        awaitReady("consumer");
        final Future<Integer> producer = run(new ProducerMain(), "--messages", "1000", "--shared");
        assertEquals(0, producer.get());
        assertEquals(Cli.EXIT_NOT_VERIFIED, consumer.get());
    }

    @Test
    void pingAndPong() throws Exception
    {
        final Future<Integer> pong = run(new PongMain(), "--ready-file", ready("pong"));
        awaitReady("pong");
        final Future<Integer> ping = run(new PingMain(), "--warmup", "1000", "--iterations", "5000", "--idle", "yield");
        assertEquals(0, ping.get());
        assertEquals(0, pong.get());
    }

    @Test
    void quickStartRunsOnTheDefaultBus() throws Exception
    {
        final String saved = System.getProperty("shmbus.dir");
        System.setProperty("shmbus.dir", busDirectory.resolve("default").toString());
        try
        {
            assertEquals(0, Cli.commandLine(new QuickStart()).execute());
        }
        finally
        {
            if (null == saved)
            {
                System.clearProperty("shmbus.dir");
            }
            else
            {
                System.setProperty("shmbus.dir", saved);
            }
        }
    }

    @Test
    void readmeShowsTheQuickStartCode() throws IOException
    {
        final Path readme = Path.of("..", "README.md");
        assumeTrue(Files.isRegularFile(readme), "no README beside this module");
        final List<String> lines = Files.readAllLines(
            Path.of("src", "main", "java", "io", "shmbus", "examples", "QuickStart.java"), StandardCharsets.UTF_8);
        final int begin = lines.indexOf("        // example:begin");
        final int end = lines.indexOf("        // example:end");
        assertTrue(begin >= 0 && end > begin, "example markers in QuickStart.java");
        final String example = lines.subList(begin + 1, end).stream()
            .map(line -> line.length() >= 8 ? line.substring(8) : line.strip())
            .collect(Collectors.joining("\n"));
        final String text = Files.readString(readme, StandardCharsets.UTF_8);
        assertTrue(text.contains(example), "README.md must show QuickStart's example verbatim:\n" + example);
    }

    private String ready(final String name)
    {
        return busDirectory.resolve(name + ".ready").toString();
    }

    private void awaitReady(final String name) throws InterruptedException
    {
        final Path file = Path.of(ready(name));
        while (!Files.exists(file))
        {
            Thread.sleep(10);
        }
    }

    private Future<Integer> run(final Object command, final String... args)
    {
        final String[] all = new String[args.length + 2];
        all[0] = "--dir";
        all[1] = busDirectory.resolve("bus").toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return executor.submit(() -> Cli.commandLine(command).execute(all));
    }
}
