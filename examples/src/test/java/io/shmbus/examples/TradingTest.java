package io.shmbus.examples;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short run of the trading example (examples/trading.sh runs the same commands in separate JVMs): the
 * feed handler, two strategies and the gateway on threads of this JVM over a private bus directory.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TradingTest
{
    private static final byte[] PNG_SIGNATURE = {(byte)0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

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
        assertTrue(executor.awaitTermination(30, TimeUnit.SECONDS), "a trading thread did not stop");
    }

    @Test
    void everyMessageIsCheckedAndTheReportCharted() throws Exception
    {
        final Path report = directory.resolve("report");
        final List<Future<Integer>> runs = startPipeline(report, "20", "20");
        for (final Future<Integer> run : runs)
        {
            assertEquals(0, run.get(), "a JVM of the pipeline found a problem (see its output)");
        }
        final long strategy0Orders = new TradingModel(20).ordersOver(0, 20_000);
        assertTrue(strategy0Orders > 500, "strategy 0 ordered " + strategy0Orders);
        for (final String file : List.of("feed.cpu", "gateway.cpu", "strategy-0.cpu", "strategy-1.cpu",
            "strategy-0.tick-to-order.hist", "strategy-1.order-to-report.hist"))
        {
            assertTrue(Files.isRegularFile(report.resolve(file)), file);
        }

        final Path chart = directory.resolve("latency.png");
        assertEquals(0, Cli.commandLine(new TradingReport()).execute("--report-dir", report.toString(),
            "--strategies", "2", "--chart", chart.toString()));
        final byte[] head = new byte[PNG_SIGNATURE.length];
        System.arraycopy(Files.readAllBytes(chart), 0, head, 0, head.length);
        assertArrayEquals(PNG_SIGNATURE, head, "a PNG file");
    }

    @Test
    void theGatewayRefusesOrdersTheModelDoesNotExplain() throws Exception
    {
        // The gateway believes strategies order on one quote in 7; they order on one in 20: it must see the orders
        // as misread (wrong quotes) and too few, never pass them.
        final List<Future<Integer>> runs = startPipeline(directory.resolve("report"), "7", "20");
        assertEquals(Cli.EXIT_NOT_VERIFIED, runs.get(0).get(), "the gateway");
    }

    /**
     * @return the gateway's, the two strategies' and the feed's results, in that order.
     */
    private List<Future<Integer>> startPipeline(final Path report, final String gatewayOrderEvery,
        final String strategyOrderEvery) throws InterruptedException
    {
        final List<Future<Integer>> runs = new ArrayList<>();
        runs.add(run(new GatewayMain(), "--order-every", gatewayOrderEvery, "--timeout-s", "3",
            "--ready-file", ready("gateway"), "--report-dir", report.toString()));
        awaitReady("gateway");
        for (int i = 0; i < 2; i++)
        {
            runs.add(run(new StrategyMain(), "--id", Integer.toString(i), "--order-every", strategyOrderEvery,
                "--timeout-s", "10", "--ready-file", ready("strategy-" + i), "--report-dir", report.toString()));
            awaitReady("strategy-" + i);
        }
        runs.add(run(new FeedMain(), "--rate", "20000", "--order-every", strategyOrderEvery,
            "--report-dir", report.toString()));
        return runs;
    }

    private String ready(final String name)
    {
        return directory.resolve(name + ".ready").toString();
    }

    private void awaitReady(final String name) throws InterruptedException
    {
        final Path file = Path.of(ready(name));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(file))
        {
            assertTrue(System.nanoTime() < deadline, name + " did not attach in 30 s");
            Thread.sleep(10);
        }
    }

    private Future<Integer> run(final Object command, final String... args)
    {
        final String[] all = new String[args.length + 8];
        all[0] = "--dir";
        all[1] = directory.resolve("bus").toString();
        all[2] = "--messages";
        all[3] = "20000";
        all[4] = "--strategies";
        all[5] = "2";
        all[6] = "--idle";
        all[7] = "futex";
        System.arraycopy(args, 0, all, 8, args.length);
        return executor.submit(() -> Cli.commandLine(command).execute(all));
    }
}
