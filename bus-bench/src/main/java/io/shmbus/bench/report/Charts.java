package io.shmbus.bench.report;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * PNG charts of a summary: latency percentile distributions per transport (from the .hgrm file of the round
 * with the median p50), and bars of the medians across rounds for throughput, fan-out/fan-in and idle CPU.
 */
public final class Charts
{
    private static final int WIDTH = 900;
    private static final int HEIGHT = 520;
    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    private Charts()
    {
    }

    /**
     * @param summary the summary tree.
     * @param out     where the PNGs go (and where the .hgrm files are).
     */
    @SuppressWarnings("unchecked")
    public static void write(final Map<String, Object> summary, final Path out)
    {
        System.setProperty("java.awt.headless", "true");
        // One bar or curve per transport: the median across rounds (the curve: the histogram of the median round).
        final List<Map<String, Object>> rows = Rounds.medianRows(
            (List<Map<String, Object>>)summary.getOrDefault("aggregates", List.of()));
        final String subtitle = subtitle(summary);
        for (final String scenario : new String[]{"round-trip", "round-trip-one-cpu"})
        {
            rows.stream().filter(r -> scenario.equals(r.get("scenario")) && null != r.get("hgrm"))
                .map(r -> SummaryMarkdown.num(r.get("sizeBytes")).intValue()).distinct()
                .forEach(size -> percentiles(rows, scenario, size, out, subtitle));
        }
        bars(rows, "throughput-1to1", new int[]{32, 256}, "msgsPerSec", 1e-6, "million messages / s",
            "One-way throughput 1 -> 1, small messages", out.resolve("throughput-msgs.png"), subtitle);
        bars(rows, "throughput-1to1", new int[]{4096, 65536}, "mbPerSec", 1, "MB / s",
            "One-way throughput 1 -> 1, large messages", out.resolve("throughput-mbs.png"), subtitle);
        fan(rows, out.resolve("fan-out-fan-in.png"), subtitle);
        idle(rows, out.resolve("idle-cpu.png"), subtitle);
    }

    private static String subtitle(final Map<String, Object> summary)
    {
        @SuppressWarnings("unchecked")
        final Map<String, Object> m = (Map<String, Object>)summary.get("machine");
        @SuppressWarnings("unchecked")
        final Map<String, Object> settings = (Map<String, Object>)summary.getOrDefault("settings", Map.of());
        return m.get("cpuModel") + ", " + m.get("cpuCores") + " cores, " + m.get("jdk") + ", load at start " +
            m.get("loadAverageAtStart") + " (" + summary.get("mode") + " mode, median of " + settings.get("rounds") +
            " rounds" + (Boolean.TRUE.equals(summary.get("notAVerdict")) ? ", NOT A VERDICT: load too high" : "") + ")";
    }

    private static void percentiles(
        final List<Map<String, Object>> rows, final String scenario, final int size, final Path out, final String subtitle)
    {
        final XYSeriesCollection data = new XYSeriesCollection();
        for (final Map<String, Object> r : rows)
        {
            if (!scenario.equals(r.get("scenario")) || SummaryMarkdown.num(r.get("sizeBytes")).intValue() != size ||
                null == r.get("hgrm"))
            {
                continue;
            }
            final XYSeries series = new XYSeries(String.valueOf(r.get("label")), false);
            try
            {
                for (final String line : Files.readAllLines(out.resolve(String.valueOf(r.get("hgrm")))))
                {
                    final String[] f = line.trim().split("\\s+");
                    if (f.length == 4 && !line.startsWith("#") && Character.isDigit(f[0].charAt(0)))
                    {
                        final double x = Double.parseDouble(f[3]);
                        if (Double.isFinite(x) && x <= 1e6)
                        {
                            series.add(x, Math.max(Double.parseDouble(f[0]), 0.01));
                        }
                    }
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            data.addSeries(series);
        }
        if (data.getSeriesCount() == 0)
        {
            return;
        }
        final LogAxis x = new LogAxis("percentile");
        x.setBase(10);
        x.setSmallestValue(1);
        x.setNumberFormatOverride(new PercentileFormat());
        x.setTickUnit(new NumberTickUnit(1.0));
        final LogAxis y = new LogAxis("round-trip latency (µs)");
        y.setBase(10);
        y.setNumberFormatOverride(new DecimalFormat("0.###"));
        y.setTickUnit(new NumberTickUnit(1.0));
        final XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < data.getSeriesCount(); i++)
        {
            renderer.setSeriesPaint(i, COLORS[i % COLORS.length]);
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        final XYPlot plot = new XYPlot(data, x, y, renderer);
        style(plot);
        final String where = scenario.equals("round-trip") ? "" : ", both JVMs on one CPU";
        save(new JFreeChart("Round trip " + size + " B across two JVMs" + where + ": percentile distribution",
            new Font("SansSerif", Font.BOLD, 15), plot, true), subtitle,
            out.resolve(scenario + "-" + size + "B-percentiles.png"));
    }

    private static void bars(
        final List<Map<String, Object>> rows,
        final String scenario,
        final int[] sizes,
        final String key,
        final double scale,
        final String unit,
        final String title,
        final Path file,
        final String subtitle)
    {
        final DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (final int size : sizes)
        {
            for (final Map<String, Object> r : rows)
            {
                if (scenario.equals(r.get("scenario")) && SummaryMarkdown.num(r.get("sizeBytes")).intValue() == size &&
                    null == r.get("error"))
                {
                    data.addValue(SummaryMarkdown.num(r.get(key)).doubleValue() * scale, String.valueOf(r.get("label")),
                        size >= 1024 ? size / 1024 + " KiB" : size + " B");
                }
            }
        }
        if (data.getRowCount() > 0)
        {
            save(barChart(title, unit, data), subtitle, file);
        }
    }

    private static void fan(final List<Map<String, Object>> rows, final Path file, final String subtitle)
    {
        final DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (final Map<String, Object> r : rows)
        {
            final String scenario = String.valueOf(r.get("scenario"));
            if ((scenario.startsWith("fan-out") || scenario.startsWith("fan-in")) && null == r.get("error"))
            {
                data.addValue(SummaryMarkdown.num(r.get("msgsPerSec")).doubleValue() / 1e6, String.valueOf(r.get("label")),
                    scenario.startsWith("fan-out") ? "fan-out 1 -> 3 (slowest consumer)" : "fan-in 3 -> 1 (total)");
            }
        }
        if (data.getRowCount() > 0)
        {
            save(barChart("Fan-out and fan-in, 32 B (4 JVMs on 2 cores)", "million messages / s", data), subtitle, file);
        }
    }

    private static void idle(final List<Map<String, Object>> rows, final Path file, final String subtitle)
    {
        final DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (final Map<String, Object> r : rows)
        {
            if ("idle-cpu".equals(r.get("scenario")) && null == r.get("error"))
            {
                final String label = String.valueOf(r.get("label"));
                data.addValue(SummaryMarkdown.num(r.get("idleCpuPercentProcess")).doubleValue(), "whole subscriber JVM", label);
                data.addValue(SummaryMarkdown.num(r.get("idleCpuPercentThreadPrecise")).doubleValue(), "polling thread", label);
            }
        }
        if (data.getRowCount() > 0)
        {
            final JFreeChart chart = barChart("CPU of a subscriber blocked waiting for a message", "% of one core", data);
            ((CategoryPlot)chart.getPlot()).getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
            save(chart, subtitle, file);
        }
    }

    private static JFreeChart barChart(final String title, final String unit, final DefaultCategoryDataset data)
    {
        final BarRenderer renderer = new BarRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setItemMargin(0.03);
        for (int i = 0; i < data.getRowCount(); i++)
        {
            renderer.setSeriesPaint(i, COLORS[i % COLORS.length]);
        }
        renderer.setDefaultItemLabelGenerator(new org.jfree.chart.labels.StandardCategoryItemLabelGenerator(
            "{2}", new DecimalFormat("0.##")));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(new Font("SansSerif", Font.PLAIN, 10));
        final CategoryPlot plot = new CategoryPlot(data, new CategoryAxis(), new NumberAxis(unit), renderer);
        style(plot);
        return new JFreeChart(title, new Font("SansSerif", Font.BOLD, 15), plot, true);
    }

    private static void style(final org.jfree.chart.plot.Plot plot)
    {
        plot.setBackgroundPaint(Color.WHITE);
        if (plot instanceof XYPlot xy)
        {
            xy.setDomainGridlinePaint(Color.LIGHT_GRAY);
            xy.setRangeGridlinePaint(Color.LIGHT_GRAY);
        }
        else if (plot instanceof CategoryPlot c)
        {
            c.setRangeGridlinePaint(Color.LIGHT_GRAY);
        }
    }

    private static void save(final JFreeChart chart, final String subtitle, final Path file)
    {
        chart.setBackgroundPaint(Color.WHITE);
        chart.addSubtitle(new TextTitle(subtitle, new Font("SansSerif", Font.PLAIN, 11)));
        try
        {
            ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Labels a 1/(1-p) axis with percentiles: 10 is 90%, 100 is 99%, 1000 is 99.9%.
     */
    private static final class PercentileFormat extends NumberFormat
    {
        @Override
        public StringBuffer format(final double number, final StringBuffer toAppendTo, final FieldPosition pos)
        {
            final double p = 100.0 * (1.0 - 1.0 / number);
            return toAppendTo.append(p <= 0 ? "0%" : String.format(Locale.ROOT, "%s%%",
                new DecimalFormat("0.#####").format(p)));
        }

        @Override
        public StringBuffer format(final long number, final StringBuffer toAppendTo, final FieldPosition pos)
        {
            return format((double)number, toAppendTo, pos);
        }

        @Override
        public Number parse(final String source, final ParsePosition parsePosition)
        {
            return null;
        }
    }
}
