package io.shmbus.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the results were measured on: CPU model and count from /proc/cpuinfo, kernel, JDK, memory and the
 * load average.
 */
final class Machine
{
    private Machine()
    {
    }

    static Map<String, Object> describe()
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        String model = "unknown";
        int processors = 0;
        try
        {
            final List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            for (final String line : lines)
            {
                if (line.startsWith("model name") && "unknown".equals(model))
                {
                    model = line.substring(line.indexOf(':') + 1).trim();
                }
                if (line.startsWith("processor"))
                {
                    processors++;
                }
            }
        }
        catch (final IOException ignore)
        {
            // not Linux
        }
        m.put("cpuModel", model);
        m.put("cpuCores", processors);
        m.put("kernel", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("jdk", System.getProperty("java.vm.name") + " " + Runtime.version());
        m.put("memTotal", firstLine("/proc/meminfo"));
        m.put("clocksource", firstLine("/sys/devices/system/clocksource/clocksource0/current_clocksource"));
        m.put("loadAverageAtStart", loadAverage());
        return m;
    }

    static String loadAverage()
    {
        final String line = firstLine("/proc/loadavg");
        if (null == line)
        {
            return null;
        }
        final String[] f = line.split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    static String firstLine(final String file)
    {
        try
        {
            final List<String> lines = Files.readAllLines(Path.of(file));
            return lines.isEmpty() ? null : lines.get(0).replaceAll("\\s+", " ").trim();
        }
        catch (final IOException ex)
        {
            return null;
        }
    }
}
