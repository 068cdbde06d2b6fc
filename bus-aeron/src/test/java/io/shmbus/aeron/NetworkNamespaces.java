package io.shmbus.aeron;

import io.shmbus.impl.process.ChildJvm;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces and veth links for one test class, and the child JVMs run inside them. Everything made is
 * removed by {@link #close()}, which a shutdown hook also runs if the test JVM is stopped first. Names carry
 * the test JVM's pid, so concurrent runs do not meet.
 */
final class NetworkNamespaces implements AutoCloseable
{
    private final String tag = Long.toString(ProcessHandle.current().pid() % 100_000);
    private final List<String> namespaces = Collections.synchronizedList(new ArrayList<>());
    private final List<Process> children = Collections.synchronizedList(new ArrayList<>());
    private final java.util.concurrent.atomic.AtomicInteger links = new java.util.concurrent.atomic.AtomicInteger();
    private final Path logDirectory;
    private final Thread hook = new Thread(this::removeAll, "netns-cleanup");

    NetworkNamespaces(final String label)
    {
        logDirectory = Path.of("target", "netns-logs", label);
        try
        {
            Files.createDirectories(logDirectory);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * @return null when namespaces can be made here (root, iproute2), else the reason they cannot.
     */
    static String unavailableReason()
    {
        if (!"root".equals(System.getProperty("user.name")))
        {
            return "network namespace tests need root (user is " + System.getProperty("user.name") + ")";
        }
        try
        {
            final Process probe = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
            final String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!probe.waitFor(10, TimeUnit.SECONDS) || probe.exitValue() != 0)
            {
                return "'ip netns list' failed: " + output;
            }
        }
        catch (final IOException | InterruptedException ex)
        {
            return "iproute2 ('ip') is not usable: " + ex;
        }
        return null;
    }

    String name(final String shortName)
    {
        return "sb" + shortName + tag;
    }

    String addNamespace(final String shortName)
    {
        final String name = name(shortName);
        run("ip", "netns", "add", name);
        namespaces.add(name);
        run("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    /**
     * Join two namespaces with a veth pair and give each end an address.
     */
    void link(final String namespaceA, final String addressA, final String namespaceB, final String addressB,
        final String prefix)
    {
        final int index = links.incrementAndGet();
        final String endA = "va" + tag + "x" + index;
        final String endB = "vb" + tag + "x" + index;
        run("ip", "link", "add", endA, "type", "veth", "peer", "name", endB);
        run("ip", "link", "set", endA, "netns", namespaceA);
        run("ip", "link", "set", endB, "netns", namespaceB);
        run("ip", "-n", namespaceA, "addr", "add", addressA + "/" + prefix, "dev", endA);
        run("ip", "-n", namespaceB, "addr", "add", addressB + "/" + prefix, "dev", endB);
        run("ip", "-n", namespaceA, "link", "set", endA, "up");
        run("ip", "-n", namespaceB, "link", "set", endB, "up");
    }

    /**
     * Put a namespace on a bridge device in a hub namespace, with an address.
     */
    void attachToBridge(final String hub, final String bridge, final String namespace, final String address,
        final String prefix)
    {
        final int index = links.incrementAndGet();
        final String hubEnd = "h" + tag + "x" + index;
        final String end = "e" + tag + "x" + index;
        run("ip", "link", "add", end, "type", "veth", "peer", "name", hubEnd);
        run("ip", "link", "set", end, "netns", namespace);
        run("ip", "link", "set", hubEnd, "netns", hub);
        run("ip", "-n", hub, "link", "set", hubEnd, "master", bridge);
        run("ip", "-n", hub, "link", "set", hubEnd, "up");
        run("ip", "-n", namespace, "addr", "add", address + "/" + prefix, "dev", end);
        run("ip", "-n", namespace, "link", "set", end, "up");
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
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 20 s");
            }
            if (process.exitValue() != 0)
            {
                throw new IllegalStateException(String.join(" ", command) + " failed (" + process.exitValue() + "): " +
                    output.trim());
            }
            return output;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(String.join(" ", command) + ": " + ex, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Start a JVM in a namespace, its output in target/netns-logs.
     */
    Process startJvm(final String namespace, final String logName, final List<String> systemProperties,
        final String mainClass, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add("ip");
        command.add("netns");
        command.add("exec");
        command.add(namespace);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ChildJvm.REQUIRED_FLAGS);
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.addAll(systemProperties);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        final File log = logDirectory.resolve(logName + ".log").toFile();
        try
        {
            final Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
                .start();
            children.add(process);
            return process;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot start " + command + ": " + ex, ex);
        }
    }

    String log(final String logName)
    {
        try
        {
            final Path path = logDirectory.resolve(logName + ".log");
            if (!Files.exists(path))
            {
                return "";
            }
            final String text = Files.readString(path);
            return text.length() > 3000 ? text.substring(text.length() - 3000) : text;
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
    }

    static void kill(final Process process)
    {
        if (null != process && process.isAlive())
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void removeAll()
    {
        synchronized (children)
        {
            for (final Process child : children)
            {
                kill(child);
            }
            children.clear();
        }
        synchronized (namespaces)
        {
            for (final String namespace : namespaces)
            {
                try
                {
                    // Deleting a namespace destroys the veth ends in it, and so their peers.
                    run("ip", "netns", "del", namespace);
                }
                catch (final RuntimeException ex)
                {
                    System.err.println("cleanup: " + ex.getMessage());
                }
            }
            namespaces.clear();
        }
    }

    @Override
    public void close()
    {
        removeAll();
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ignored)
        {
            // Shutting down: the hook runs anyway.
        }
    }
}
