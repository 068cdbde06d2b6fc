package io.shmbus.aeron;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Aeron transport across namespaces: three namespaces on one Linux bridge in a fourth (10.254.78.1 to .3
 * in 10.254.78.0/29, a subnet that exists only there). A multicast publisher in one, two tethered subscribers
 * in the others; and an endpoint with no route.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AeronNetworkTest
{
    static final String GROUP = "239.255.77.1:40600";
    static final long COUNT = 20_000;

    private static NetworkNamespaces net;
    private static String a;
    private static String b;
    private static String c;

    private final List<Path> directories = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void createNamespaces()
    {
        final String reason = NetworkNamespaces.unavailableReason();
        Assumptions.assumeTrue(null == reason, reason);
        net = new NetworkNamespaces("aeron");
        final String hub = net.addNamespace("H");
        try
        {
            NetworkNamespaces.run("ip", "-n", hub, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
            NetworkNamespaces.run("ip", "-n", hub, "link", "set", "br0", "up");
        }
        catch (final IllegalStateException ex)
        {
            // No Linux bridge in this kernel: there is no way to put three namespaces on one segment.
            Assumptions.abort("cannot make the Linux bridge that joins the namespaces: " + ex.getMessage());
        }
        a = net.addNamespace("A");
        b = net.addNamespace("B");
        c = net.addNamespace("C");
        net.attachToBridge(hub, "br0", a, "10.254.78.1", "29");
        net.attachToBridge(hub, "br0", b, "10.254.78.2", "29");
        net.attachToBridge(hub, "br0", c, "10.254.78.3", "29");
    }

    @AfterAll
    static void removeNamespaces()
    {
        if (null != net)
        {
            net.close();
        }
    }

    @AfterEach
    void cleanUp()
    {
        for (final Process process : processes)
        {
            NetworkNamespaces.kill(process);
        }
        for (final Path directory : directories)
        {
            TestDirs.delete(directory);
        }
    }

    private Process child(final String namespace, final String logName, final String... args)
    {
        final Path bus = TestDirs.newBusDirectory("net-" + logName);
        directories.add(bus);
        final List<String> all = new ArrayList<>();
        all.add(args[0]);
        all.add(bus.toString());
        for (int i = 1; i < args.length; i++)
        {
            all.add(args[i]);
        }
        final Process process = net.startJvm(namespace, logName, List.of(), NetworkChild.class.getName(),
            all.toArray(new String[0]));
        processes.add(process);
        return process;
    }

    private static String multicast(final String localAddress)
    {
        return "aeron:udp?endpoint=" + GROUP + "|interface=" + localAddress + "|ttl=1|fc=min";
    }

    @Test
    void multicastToTwoNamespacesWithMinFlowControl() throws Exception
    {
        final Path work = TestDirs.newBusDirectory("mcast-files");
        directories.add(work);
        final Path go = work.resolve("go");
        final Path readyB = work.resolve("ready-b");
        final Path readyC = work.resolve("ready-c");
        final Process subB = child(b, "mcast-sub-b", "subscribe", multicast("10.254.78.2"), Long.toString(COUNT),
            readyB.toString());
        final Process subC = child(c, "mcast-sub-c", "subscribe", multicast("10.254.78.3"), Long.toString(COUNT),
            readyC.toString());
        final Process pub = child(a, "mcast-pub", "publish", multicast("10.254.78.1"), Long.toString(COUNT),
            go.toString());
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(70);
        while (!(Files.exists(readyB) && Files.exists(readyC)))
        {
            for (final Process process : List.of(subB, subC, pub))
            {
                if (!process.isAlive())
                {
                    refusedOrFailed(process);
                }
            }
            if (System.nanoTime() > deadlineNs)
            {
                fail("receivers not connected in 70 s:\n" + net.log("mcast-sub-b") + net.log("mcast-pub"));
            }
            Thread.sleep(20);
        }
        Files.writeString(go, "go");
        assertTrue(subB.waitFor(60, TimeUnit.SECONDS), "subscriber b still running:\n" + net.log("mcast-sub-b"));
        assertTrue(subC.waitFor(60, TimeUnit.SECONDS), "subscriber c still running:\n" + net.log("mcast-sub-c"));
        assertEquals(0, subB.exitValue(), net.log("mcast-sub-b"));
        assertEquals(0, subC.exitValue(), net.log("mcast-sub-c"));
        assertTrue(pub.isAlive(), "publisher ended early:\n" + net.log("mcast-pub"));
        System.out.println("multicast: " + net.log("mcast-sub-b").lines().filter(l -> l.startsWith("subscriber"))
            .findFirst().orElse("") + " / " + net.log("mcast-sub-c").lines().filter(l -> l.startsWith("subscriber"))
            .findFirst().orElse(""));
    }

    private void refusedOrFailed(final Process process) throws InterruptedException
    {
        process.waitFor(5, TimeUnit.SECONDS);
        final String log = net.log("mcast-sub-b") + "\n" + net.log("mcast-sub-c") + "\n" + net.log("mcast-pub");
        if (process.exitValue() == 3)
        {
            final String refusal = log.lines().filter(line -> line.startsWith("REFUSED")).findFirst().orElse(log);
            Assumptions.assumeTrue(false, "multicast refused in this environment: " + refusal);
        }
        fail("a multicast child exited with " + process.exitValue() + ":\n" + log);
    }

    @Test
    void endpointWithNoRouteIsRefusedByName() throws Exception
    {
        final Process child = child(a, "unreachable", "unreachable", "aeron:udp?endpoint=192.0.2.1:40999");
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child still running");
        final String log = net.log("unreachable");
        assertEquals(0, child.exitValue(), log);
        assertTrue(log.contains("192.0.2.1") && log.contains("unreachable"), log);
    }
}
