package io.shmbus.examples;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * Ends a run of the trading example: reads the latency histograms and CPU times the JVMs wrote into the
 * report directory, prints the CPU the run used, and draws the latency distributions of every strategy into
 * a PNG chart (latency against percentile, the percentile axis stretched towards the tail).
 */
@Command(name = "trading-report", sortOptions = false, usageHelpAutoWidth = true,
    description = "Trading example: chart the strategies' latency distributions and sum the CPU the run used.")
public final class TradingReport implements Callable<Integer>
{
    private static final String[] MEASURES = {"tick-to-order", "order-to-report"};

    @Option(names = "--report-dir", paramLabel = "DIR", required = true,
        description = "The directory the feed, strategies and gateway wrote their records into.")
    private Path reportDirectory;

    @Option(names = "--strategies", paramLabel = "COUNT", defaultValue = "3",
        description = "Strategies whose records must be there (default: ${DEFAULT-VALUE}).")
    private int strategies;

    @Option(names = "--chart", paramLabel = "PNG", required = true, description = "Where to write the chart.")
    private Path chart;

    @Option(names = "--title", paramLabel = "TEXT", defaultValue = "shmbus trading example",
        description = "The chart's title (default: ${DEFAULT-VALUE}).")
    private String title;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    private final PrintStream out = System.out;

    /**
     * @param args see {@code --help}.
     */
    public static void main(final String[] args)
    {
        Cli.run(new TradingReport(), args);
    }

    @Override
    public Integer call() throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        final XYSeriesCollection series = new XYSeriesCollection();
        for (int s = 0; s < strategies; s++)
        {
            for (final String measure : MEASURES)
            {
                final String name = "strategy-" + s + "." + measure;
                series.addSeries(percentileSeries(name, read(name + ".hist")));
            }
        }
        printCpu();
        writeChart(series);
        Cli.print(out, "trading-report: latency chart written to %s%n", chart);
        return 0;
    }

    private void printCpu() throws IOException
    {
        final List<Path> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(reportDirectory))
        {
            list.filter(p -> p.getFileName().toString().endsWith(".cpu")).sorted().forEach(files::add);
        }
        if (files.size() != strategies + 2)
        {
            throw new IllegalArgumentException("expected the CPU records of the feed, the gateway and " + strategies +
                " strategies in " + reportDirectory + ", found " + files.size());
        }
        long totalCpuNs = 0;
        long feedWallNs = 0;
        final StringBuilder each = new StringBuilder();
        for (final Path file : files)
        {
            final String[] fields = Files.readString(file, StandardCharsets.UTF_8).strip().split(" ");
            final long cpuNs = Long.parseLong(fields[0]);
            final long wallNs = Long.parseLong(fields[1]);
            totalCpuNs += cpuNs;
            final String name = file.getFileName().toString();
            if (name.equals("feed.cpu"))
            {
                feedWallNs = wallNs;
            }
            each.append(String.format(Locale.ROOT, "%s%s %.2f s", each.isEmpty() ? "" : ", ",
                name.substring(0, name.length() - ".cpu".length()), cpuNs / 1e9));
        }
        // Each JVM counts from the start of its loop to its end, JIT and GC threads included; the stream itself
        // lasts as long as the feed handler publishes.
        Cli.print(out, "trading-report: CPU used by the %d JVMs: %.2f s over the feed's %.2f s, %.2f cores on " +
                "average (%s)%n", files.size(), totalCpuNs / 1e9, feedWallNs / 1e9,
            feedWallNs > 0 ? (double)totalCpuNs / feedWallNs : 0.0, each);
    }

    private Histogram read(final String fileName)
    {
        final Path file = reportDirectory.resolve(fileName);
        try
        {
            final byte[] bytes = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.UTF_8).strip());
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the histogram " + file, ex);
        }
        catch (final java.util.zip.DataFormatException ex)
        {
            throw new IllegalArgumentException("not a histogram: " + file, ex);
        }
    }

    /**
     * Latency in microseconds against "nines" of the percentile: x = -log10(1 - p/100), so 90 % is at 1,
     * 99 % at 2 and 99.9 % at 3.
     */
    private static XYSeries percentileSeries(final String name, final Histogram histogram)
    {
        final XYSeries series = new XYSeries(name + " (" + histogram.getTotalCount() + ")", false, true);
        if (histogram.getTotalCount() == 0)
        {
            return series;
        }
        for (final HistogramIterationValue value : histogram.percentiles(5))
        {
            final double fraction = value.getPercentileLevelIteratedTo() / 100.0;
            if (fraction >= 1.0)
            {
                break;
            }
            series.add(-Math.log10(1.0 - fraction), Math.max(0.1, value.getValueIteratedTo() / 1e3));
        }
        final double lastNines = Math.log10(histogram.getTotalCount());
        series.add(lastNines, Math.max(0.1, histogram.getMaxValue() / 1e3));
        return series;
    }

    private void writeChart(final XYSeriesCollection series) throws IOException
    {
        final NumberAxis percentileAxis = new NumberAxis("percentile");
        percentileAxis.setNumberFormatOverride(new NinesFormat());
        percentileAxis.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1.0));
        final LogAxis latencyAxis = new LogAxis("latency (us)");
        latencyAxis.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1.0));
        latencyAxis.setNumberFormatOverride(new java.text.DecimalFormat("#,##0.#",
            java.text.DecimalFormatSymbols.getInstance(Locale.ROOT)));
        final XYPlot plot = new XYPlot(series, percentileAxis, latencyAxis, new XYLineAndShapeRenderer(true, false));
        final JFreeChart jfreeChart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        final Path parent = chart.toAbsolutePath().getParent();
        if (null != parent)
        {
            Files.createDirectories(parent);
        }
        ChartUtils.saveChartAsPNG(chart.toFile(), jfreeChart, 1000, 600);
    }

    /**
     * Labels the percentile axis: 0 is 0 %, 1 is 90 %, 2 is 99 %, 3 is 99.9 %.
     */
    private static final class NinesFormat extends NumberFormat
    {
        private static final long serialVersionUID = 1L;

        @Override
        public StringBuffer format(final double number, final StringBuffer toAppendTo, final FieldPosition pos)
        {
            final double percentile = 100.0 * (1.0 - Math.pow(10, -number));
            return toAppendTo.append(new java.math.BigDecimal(percentile).round(new java.math.MathContext(
                Math.max(1, (int)Math.round(number) + 1))).stripTrailingZeros().toPlainString()).append('%');
        }

        @Override
        public StringBuffer format(final long number, final StringBuffer toAppendTo, final FieldPosition pos)
        {
            return format((double)number, toAppendTo, pos);
        }

        @Override
        public Number parse(final String source, final ParsePosition parsePosition)
        {
            throw new UnsupportedOperationException("format only");
        }
    }
}
