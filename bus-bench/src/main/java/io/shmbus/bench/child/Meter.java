package io.shmbus.bench.child;

import java.lang.management.ManagementFactory;

/**
 * What a child measures about itself over its measured window: wall time, CPU time of the whole process and
 * of the measuring thread, and bytes allocated by the measuring thread. Reading these allocates nothing.
 */
final class Meter
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
        (com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();

    private long startNs;
    private long startCpuNs;
    private long startThreadCpuNs;
    private long startAlloc;
    long wallNs;
    long cpuNs;
    long threadCpuNs;
    long allocBytes;
    private boolean started;
    private boolean stopped;

    static
    {
        THREADS.setThreadAllocatedMemoryEnabled(true);
        THREADS.setThreadCpuTimeEnabled(true);
        THREADS.getCurrentThreadAllocatedBytes(); // load and link before the first measured use
        OS.getProcessCpuTime();
    }

    void start()
    {
        if (!started)
        {
            started = true;
            startAlloc = THREADS.getCurrentThreadAllocatedBytes();
            startCpuNs = OS.getProcessCpuTime();
            startThreadCpuNs = THREADS.getCurrentThreadCpuTime();
            startNs = System.nanoTime();
        }
    }

    void stop()
    {
        if (started && !stopped)
        {
            stopped = true;
            wallNs = System.nanoTime() - startNs;
            threadCpuNs = THREADS.getCurrentThreadCpuTime() - startThreadCpuNs;
            cpuNs = OS.getProcessCpuTime() - startCpuNs;
            allocBytes = THREADS.getCurrentThreadAllocatedBytes() - startAlloc;
        }
    }

    String fields()
    {
        return "wallNs=" + wallNs + " cpuNs=" + cpuNs + " threadCpuNs=" + threadCpuNs + " allocBytes=" + allocBytes;
    }
}
