package io.shmbus.impl.process;

import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a child JVM that runs shmbus: this JVM's java launcher, the flags shmbus needs, the
 * caller's own flags, a class path, a main class and its arguments. Internal, not API: the tests' children
 * and the benchmark harness's are started through it, so that the flags are written down once.
 */
public final class ChildJvm
{
    /** Opens {@code jdk.internal.misc} to Agrona, whose {@code UnsafeBuffer} every message goes through. */
    public static final List<String> ADD_OPENS = List.of("--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED");
    /** Allows the restricted FFM calls of the platform layer: futex, fcntl, mmap, memfd, sockets. */
    public static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    /** The flags every JVM that runs shmbus needs: {@link #ADD_OPENS} and {@link #NATIVE_ACCESS}. */
    public static final List<String> REQUIRED_FLAGS = List.of(ADD_OPENS.get(0), ADD_OPENS.get(1), NATIVE_ACCESS);

    private ChildJvm()
    {
    }

    /**
     * @return the java launcher running this JVM.
     * @throws IllegalStateException when the operating system does not tell.
     */
    public static String javaLauncher()
    {
        return ProcessHandle.current().info().command().orElseThrow(
            () -> new IllegalStateException("cannot tell which java runs this JVM"));
    }

    /**
     * @return this JVM's class path, for a child that runs the same code.
     */
    public static String currentClassPath()
    {
        return System.getProperty("java.class.path");
    }

    /**
     * A child's command line with {@link #REQUIRED_FLAGS}, then {@code jvmFlags}, on this JVM's class path.
     *
     * @param jvmFlags  more JVM flags (heap, collector, system properties), or none.
     * @param mainClass the child's main class.
     * @param args      its arguments.
     * @return the command: {@code java REQUIRED_FLAGS jvmFlags -cp CLASSPATH mainClass args}.
     */
    public static List<String> command(final List<String> jvmFlags, final String mainClass, final List<String> args)
    {
        final List<String> flags = new ArrayList<>(REQUIRED_FLAGS);
        flags.addAll(jvmFlags);
        return command(List.of(), flags, currentClassPath(), mainClass, args);
    }

    /**
     * A child's command line made of exactly what the caller gives: for children that must run without one of
     * the required flags, under a wrapper command, or on another class path.
     *
     * @param prefix    words before the java launcher (a wrapper such as {@code unshare --pid --fork}), or none.
     * @param jvmFlags  all the JVM's flags (start from {@link #REQUIRED_FLAGS} for a child that runs shmbus).
     * @param classPath the class path.
     * @param mainClass the child's main class.
     * @param args      its arguments.
     * @return the command: {@code prefix java jvmFlags -cp classPath mainClass args}.
     */
    public static List<String> command(
        final List<String> prefix,
        final List<String> jvmFlags,
        final String classPath,
        final String mainClass,
        final List<String> args)
    {
        final List<String> command = new ArrayList<>(prefix);
        command.add(javaLauncher());
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(args);
        return command;
    }
}
