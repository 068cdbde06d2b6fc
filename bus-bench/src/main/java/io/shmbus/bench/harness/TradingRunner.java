package io.shmbus.bench.harness;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs one round of the trading scenario over one transport: the gateway JVM first (it hosts the Aeron media
 * driver), then the strategy JVMs, then the feed JVM, each waited for until it says it is ready; then tells
 * the feed to go, collects every result and turns them into one row. The row fails (and with it the run)
 * when any JVM lost, duplicated or misread a message, or stalled.
 */
final class TradingRunner
{
    private static final long START_TIMEOUT_MS = 60_000;

    private TradingRunner()
    {
    }

    static void run(
        final Runner runner,
        final TradingSettings settings,
        final Run run,
        final String name,
        final Path dir,
        final List<ChildProcess> children,
        final Map<String, Object> row) throws IOException, InterruptedException
    {
        final String[] args = settings.childArgs().toArray(String[]::new);
        final ChildProcess gateway = runner.start(run, name, dir, "trading-gateway", true, args);
        children.add(gateway);
        gateway.await("READY", START_TIMEOUT_MS);
        final List<ChildProcess> strategies = new ArrayList<>();
        for (int i = 0; i < settings.strategies(); i++)
        {
            final List<String> strategyArgs = new ArrayList<>(List.of("source=" + i, "id=" + i));
            strategyArgs.addAll(settings.childArgs());
            final ChildProcess strategy = runner.start(run, name, dir, "trading-strategy", false,
                strategyArgs.toArray(String[]::new));
            children.add(strategy);
            strategies.add(strategy);
        }
        for (final ChildProcess strategy : strategies)
        {
            strategy.await("READY", START_TIMEOUT_MS);
        }
        final ChildProcess feed = runner.start(run, name, dir, "trading-feed", false, args);
        children.add(feed);
        feed.await("READY", START_TIMEOUT_MS);
        feed.send("GO");
        feed.await("RESULT", settings.feedMs() + 120_000);
        for (final ChildProcess strategy : strategies)
        {
            strategy.await("RESULT", 60_000);
        }
        gateway.await("RESULT", 60_000);

        final List<Map<String, String>> strategyResults = strategies.stream().map(ChildProcess::result).toList();
        final Histogram tickToOrder = Runner.decode(gateway.histogram());
        final Histogram orderToReport = new Histogram(60_000_000_000L, 3);
        for (final ChildProcess strategy : strategies)
        {
            orderToReport.add(Runner.decode(strategy.histogram()));
        }
        final TradingCheck check = TradingCheck.of(settings, feed.result(), strategyResults, gateway.result());
        row.put("strategies", settings.strategies());
        row.put("quoteRate", settings.rate());
        row.put("quotes", settings.quotes());
        row.put("measuredQuotes", settings.measuredQuotes());
        row.put("messages", check.orders());
        row.put("orders", check.orders());
        row.put("reports", check.reports());
        row.put("sequenceErrors", check.errors());
        putLatency(row, "tickToOrder", tickToOrder);
        putLatency(row, "orderToReport", orderToReport);
        row.put("hgrm", write(runner.resultsDir(), name + "-tick-to-order.hgrm", run, "tick to order", tickToOrder));
        row.put("orderToReportHgrm", write(runner.resultsDir(), name + "-order-to-report.hgrm", run, "order to report",
            orderToReport));
        final List<Map<String, String>> all = new ArrayList<>(strategyResults);
        all.add(feed.result());
        all.add(gateway.result());
        row.put("cpuCores", cores(all));
        row.put("backPressuredOffers", all.stream().mapToLong(r -> Long.parseLong(r.getOrDefault("refused", "0")))
            .sum());
        row.put("feedLateBy1ms", Long.parseLong(feed.result().getOrDefault("lateBy1ms", "0")));
        row.put("checks", check.describe());
        if (!check.clean())
        {
            throw new BenchException("not every message arrived once and as sent: " + check.describe());
        }
    }

    private static void putLatency(final Map<String, Object> row, final String prefix, final Histogram h)
    {
        row.put(prefix + "P50Ns", h.getValueAtPercentile(50));
        row.put(prefix + "P90Ns", h.getValueAtPercentile(90));
        row.put(prefix + "P99Ns", h.getValueAtPercentile(99));
        row.put(prefix + "P999Ns", h.getValueAtPercentile(99.9));
        row.put(prefix + "MaxNs", h.getMaxValue());
        row.put(prefix + "Count", h.getTotalCount());
    }

    private static String write(
        final Path dir, final String file, final Run run, final String what, final Histogram histogram)
        throws IOException
    {
        final Path hgrm = dir.resolve(file);
        try (PrintStream out = new PrintStream(Files.newOutputStream(hgrm), false, StandardCharsets.UTF_8))
        {
            out.println("# " + run.variant().label() + ", " + what + ", values in microseconds");
            histogram.outputPercentileDistribution(out, 1000.0);
        }
        return hgrm.getFileName().toString();
    }

    private static double cores(final List<Map<String, String>> results)
    {
        double cores = 0;
        for (final Map<String, String> r : results)
        {
            final long wall = Long.parseLong(r.getOrDefault("wallNs", "0"));
            if (wall > 0)
            {
                cores += Double.parseDouble(r.getOrDefault("cpuNs", "0")) / wall;
            }
        }
        return Math.round(cores * 100) / 100.0;
    }
}
