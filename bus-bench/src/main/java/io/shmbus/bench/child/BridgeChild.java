package io.shmbus.bench.child;

import io.aeron.driver.MediaDriver;
import io.shmbus.aeron.bridge.BridgeIn;
import io.shmbus.aeron.bridge.BridgeOut;
import io.shmbus.aeron.bridge.BridgeSettings;
import io.shmbus.bench.link.AeronUdpLink;
import io.shmbus.bench.link.UdpChannels;
import io.shmbus.impl.process.ChildArgs;
import org.agrona.CloseHelper;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One side of the bridged cross-host path, in its own JVM inside its network namespace: the bridge's out side
 * for the streams this side sends ({@code out=ping}), its in side for those it receives ({@code in=pong}), all
 * on one embedded media driver. They run the bridge's own classes, as {@code bridge out} and {@code bridge in}
 * do, each on a thread of its own; this JVM only adds the measurement: between the first and the second
 * {@code GO} it counts the messages each side carried and the bytes its thread allocated.
 */
final class BridgeChild
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private BridgeChild()
    {
    }

    static void run(final ChildArgs params) throws Exception
    {
        THREADS.setThreadAllocatedMemoryEnabled(true);
        final Path dir = Path.of(params.get("dir"));
        final Path bus = dir.resolve("bus");
        final String aeronDir = dir.resolve("bridge-aeron").toString();
        final MediaDriver driver = MediaDriver.launch(AeronUdpLink.driverContext(aeronDir));
        final List<AutoCloseable> sides = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        BridgeOut out = null;
        BridgeIn in = null;
        Thread outThread = null;
        Thread inThread = null;
        try
        {
            final String outTopic = params.get("out", null);
            final String inTopic = params.get("in", null);
            if (null != inTopic)
            {
                in = new BridgeIn(settings(params, bus, aeronDir, inTopic));
                sides.add(in);
                inThread = new Thread(in::run, "bridge-in-" + inTopic);
                threads.add(inThread);
            }
            if (null != outTopic)
            {
                out = new BridgeOut(settings(params, bus, aeronDir, outTopic));
                sides.add(out);
                outThread = new Thread(out::run, "bridge-out-" + outTopic);
                threads.add(outThread);
            }
            for (final Thread thread : threads)
            {
                thread.setUncaughtExceptionHandler((t, ex) ->
                {
                    ex.printStackTrace();
                    ChildMain.say("ERROR " + t.getName() + ": " + String.valueOf(ex).replace('\n', ' '));
                });
                thread.start();
            }
            ChildMain.say("READY pid=" + ProcessHandle.current().pid());

            final Meter meter = new Meter();
            Control.awaitGo(1); // the warm-up is over: the measured window starts
            final long outStart = null == out ? 0 : out.nextSequence();
            final long inStart = null == in ? 0 : in.lastSequence();
            final long outAllocStart = null == out ? 0 : allocated(outThread);
            final long inAllocStart = null == in ? 0 : allocated(inThread);
            meter.start();
            Control.awaitGo(2); // the run is over
            meter.stop();
            final StringBuilder result = new StringBuilder("RESULT role=bridge ").append(meter.fields());
            if (null != out)
            {
                result.append(" outMessages=").append(out.nextSequence() - outStart)
                    .append(" outAllocBytes=").append(allocated(outThread) - outAllocStart);
            }
            if (null != in)
            {
                result.append(" inMessages=").append(in.lastSequence() - inStart)
                    .append(" inAllocBytes=").append(allocated(inThread) - inAllocStart);
            }
            ChildMain.say(result.toString());
            Control.awaitQuit();
        }
        finally
        {
            if (null != out)
            {
                out.stop();
            }
            if (null != in)
            {
                in.stop();
            }
            for (final Thread thread : threads)
            {
                thread.join(10_000);
            }
            CloseHelper.quietCloseAll(sides);
            CloseHelper.quietClose(driver);
        }
    }

    private static long allocated(final Thread thread)
    {
        return THREADS.getThreadAllocatedBytes(thread.threadId());
    }

    private static BridgeSettings settings(
        final ChildArgs params, final Path bus, final String aeronDir, final String topic)
    {
        final BridgeSettings settings = new BridgeSettings();
        settings.busDirectory = bus;
        settings.topic = topic;
        settings.channel = UdpChannels.channel(topic);
        settings.ackChannel = UdpChannels.ackChannel(topic);
        settings.aeronDirectory = aeronDir;
        settings.capacityBytes = params.getInt("capacity");
        settings.maxMessageLength = params.getInt("maxLength");
        return settings;
    }
}
