package io.shmbus.impl.process;

import java.util.ArrayList;
import java.util.List;

/**
 * The children of one test, killed together on close.
 */
public final class ChildGroup implements AutoCloseable
{
    private final List<ChildProcess> children = new ArrayList<>();

    /**
     * Start a child and remember it.
     *
     * @param name      for messages.
     * @param mainClass the child's main class.
     * @param args      its arguments.
     * @return the child.
     */
    public ChildProcess start(final String name, final Class<?> mainClass, final String... args)
    {
        final ChildProcess child = ChildProcess.start(name, mainClass, args);
        children.add(child);
        return child;
    }

    /**
     * Start a child with more JVM flags, optionally under a wrapper command, and remember it.
     *
     * @param name      for messages.
     * @param wrapper   a command that runs the JVM, or empty.
     * @param jvmFlags  more JVM flags.
     * @param mainClass the child's main class.
     * @param args      its arguments.
     * @return the child.
     * @see ChildProcess#start(String, List, List, Class, String...)
     */
    public ChildProcess start(
        final String name, final List<String> wrapper, final List<String> jvmFlags, final Class<?> mainClass,
        final String... args)
    {
        final ChildProcess child = ChildProcess.start(name, wrapper, jvmFlags, mainClass, args);
        children.add(child);
        return child;
    }

    /**
     * Start a child with a command of the caller's making (see
     * {@link ChildProcess#start(String, List, List, String, Class, String...)}) and remember it.
     *
     * @param name      for messages.
     * @param prefix    words before the java command.
     * @param jvmFlags  the JVM's flags.
     * @param classPath the class path.
     * @param mainClass the child's main class.
     * @param args      its arguments.
     * @return the child.
     */
    public ChildProcess start(
        final String name,
        final List<String> prefix,
        final List<String> jvmFlags,
        final String classPath,
        final Class<?> mainClass,
        final String... args)
    {
        final ChildProcess child = ChildProcess.start(name, prefix, jvmFlags, classPath, mainClass, args);
        children.add(child);
        return child;
    }

    /**
     * @return every child started so far.
     */
    public List<ChildProcess> children()
    {
        return children;
    }

    /**
     * Kill every child still running and wait for each to be gone.
     */
    @Override
    public void close()
    {
        RuntimeException failure = null;
        for (final ChildProcess child : children)
        {
            try
            {
                child.close();
            }
            catch (final RuntimeException ex)
            {
                if (null == failure)
                {
                    failure = ex;
                }
                else
                {
                    failure.addSuppressed(ex);
                }
            }
        }
        children.clear();
        if (null != failure)
        {
            throw failure;
        }
    }
}
