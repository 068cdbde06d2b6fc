package io.shmbus.bench.harness;

import io.shmbus.bench.link.UdpChannels;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Two network namespaces joined by a veth pair, standing for two hosts: side A has {@link UdpChannels#ADDRESS_A},
 * side B {@link UdpChannels#ADDRESS_B}, on a subnet that exists only between them, and each has its loopback up.
 * The veth ends are made directly inside the namespaces, never in the harness's own. Names carry the harness's
 * pid and a sequence number, so that what a crashed earlier run left cannot collide with them. {@link #close()}
 * deletes both namespaces (and so the veth pair); a shutdown hook deletes whatever is still there if the
 * harness is stopped first (Ctrl-C), after killing the child JVMs, which would otherwise keep a namespace alive.
 */
final class NetnsPair implements AutoCloseable
{
    /** The namespaces' names: the harness's pid, a sequence number, the side. */
    static final Pattern NAME = Pattern.compile("sbbench(\\d{1,7})x\\d{1,3}[ab]");
    private static final Set<NetnsPair> LIVE = ConcurrentHashMap.newKeySet();

    static
    {
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            ChildProcess.killAll();
            LIVE.forEach(NetnsPair::close);
        }, "delete-netns"));
    }

    private final String sideA;
    private final String sideB;
    private final String vethA;
    private final String vethB;
    private final List<String> made = new ArrayList<>();

    private NetnsPair(final String tag)
    {
        sideA = "sbbench" + tag + "a";
        sideB = "sbbench" + tag + "b";
        vethA = "vsb" + tag + "a"; // at most 15 characters: the tag is at most 11
        vethB = "vsb" + tag + "b";
    }

    /**
     * @param tag unique in this machine for the run: the harness's pid and a sequence number, at most 11 characters.
     * @return the two namespaces, linked, with their addresses.
     * @throws BenchException when a command fails (what was made is removed again).
     */
    static NetnsPair create(final String tag)
    {
        if (tag.length() > 11)
        {
            throw new IllegalArgumentException("tag too long for an interface name: " + tag);
        }
        final NetnsPair pair = new NetnsPair(tag);
        LIVE.add(pair);
        try
        {
            pair.addNamespace(pair.sideA);
            pair.addNamespace(pair.sideB);
            run("ip", "link", "add", pair.vethA, "netns", pair.sideA, "type", "veth", "peer", "name", pair.vethB,
                "netns", pair.sideB);
            configure(pair.sideA, pair.vethA, UdpChannels.ADDRESS_A);
            configure(pair.sideB, pair.vethB, UdpChannels.ADDRESS_B);
            return pair;
        }
        catch (final RuntimeException ex)
        {
            pair.close();
            throw ex;
        }
    }

    /**
     * @return null when namespaces can be made here (root, a working {@code ip netns}), else why not.
     */
    static String unavailableReason()
    {
        if (!"root".equals(System.getProperty("user.name")))
        {
            return "the cross-host scenarios make network namespaces: they need root (user is " +
                System.getProperty("user.name") + ")";
        }
        try
        {
            run("ip", "netns", "list");
            return null;
        }
        catch (final BenchException ex)
        {
            return "'ip netns' is not usable here: " + ex.getMessage();
        }
    }

    private void addNamespace(final String name)
    {
        run("ip", "netns", "add", name);
        made.add(name);
        run("ip", "-n", name, "link", "set", "lo", "up");
    }

    private static void configure(final String namespace, final String device, final String address)
    {
        run("ip", "-n", namespace, "addr", "add", address + "/" + UdpChannels.PREFIX_LENGTH, "dev", device);
        run("ip", "-n", namespace, "link", "set", device, "up");
    }

    /**
     * @return side A's namespace (ping, producer).
     */
    String sideA()
    {
        return sideA;
    }

    /**
     * @return side B's namespace (pong, consumer).
     */
    String sideB()
    {
        return sideB;
    }

    /**
     * @return the words that run a command inside a namespace.
     */
    static List<String> exec(final String namespace)
    {
        return List.of("ip", "netns", "exec", namespace);
    }

    static String run(final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(20, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new BenchException(String.join(" ", command) + " did not finish within 20 s");
            }
            if (process.exitValue() != 0)
            {
                throw new BenchException(String.join(" ", command) + " failed (" + process.exitValue() + "): " +
                    output.trim());
            }
            return output;
        }
        catch (final IOException ex)
        {
            throw new BenchException(String.join(" ", command) + ": " + ex.getMessage());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new BenchException(String.join(" ", command) + ": interrupted");
        }
    }

    /**
     * Delete both namespaces (their veth ends go with them), and the veth pair itself should it have been made
     * but not moved. Failures are printed, not thrown.
     */
    @Override
    public synchronized void close()
    {
        for (final String namespace : made)
        {
            try
            {
                run("ip", "netns", "del", namespace);
            }
            catch (final BenchException ex)
            {
                System.err.println("bus-bench: " + ex.getMessage());
            }
        }
        made.clear();
        try
        {
            if (run("ip", "-o", "link", "show").contains(" " + vethA + "@"))
            {
                run("ip", "link", "del", vethA);
            }
        }
        catch (final BenchException ex)
        {
            System.err.println("bus-bench: " + ex.getMessage());
        }
        LIVE.remove(this);
    }
}
