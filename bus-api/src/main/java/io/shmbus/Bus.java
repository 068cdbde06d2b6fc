package io.shmbus;

import io.shmbus.spi.BusProvider;

import java.nio.file.Path;
import java.util.ServiceLoader;

/**
 * A directory of topics shared by the processes of one host.
 *
 * <p>Opening a bus maps nothing: a topic's shared memory is created or mapped the first time the topic is
 * asked for. A bus is thread safe; close it to unmap every topic it opened (publishers and subscribers made
 * through it are closed too).
 *
 * <pre>{@code
 * try (Bus bus = Bus.open(BusOptions.builder().directory(Path.of("/dev/shm/my-app")).build()))
 * {
 *     Topic orders = bus.topic("orders", TopicOptions.builder().capacityBytes(1 << 22).maxPublishers(8).build());
 *     ...
 * }
 * }</pre>
 */
public interface Bus extends AutoCloseable
{
    /**
     * Open the bus in the default directory, {@code /dev/shm/shmbus-<user>}.
     *
     * @return the bus.
     */
    static Bus open()
    {
        return open(BusOptions.defaults());
    }

    /**
     * Open a bus with the given options.
     *
     * @param options where the topics live, how their files are protected, and which transport carries them
     *                ({@link BusOptions#transport()}: {@code shm} unless configured otherwise).
     * @return the bus.
     * @throws BusException when the directory cannot be created or used, when the JVM lacks a flag
     *                      shmbus needs (the message names it), or when no implementation of the transport is on
     *                      the class path.
     */
    static Bus open(final BusOptions options)
    {
        final String transport = options.transport();
        final StringBuilder found = new StringBuilder();
        for (final BusProvider provider : ServiceLoader.load(BusProvider.class))
        {
            if (transport.equals(provider.name()))
            {
                return provider.open(options);
            }
            found.append(found.isEmpty() ? "" : ", ").append(provider.name());
        }
        throw new BusException(found.isEmpty() ?
            "no shmbus implementation on the class path: add the bus-impl module (io.shmbus:bus-impl)" :
            "no shmbus transport named '" + transport + "' on the class path (found: " + found +
            "); the shared-memory transport is in io.shmbus:bus-impl, the Aeron one in io.shmbus:bus-aeron");
    }

    /**
     * The directory that holds this bus's named topics.
     *
     * @return the directory.
     */
    Path directory();

    /**
     * Create the named topic with the given settings, or open it if it exists with the same settings.
     *
     * <p>Several processes racing to create the same topic end with exactly one creator; all of them get
     * a topic with the creator's settings.
     *
     * @param name    the topic's name: 1 to {@value TopicOptions#MAX_NAME_LENGTH} characters of
     *                {@code [A-Za-z0-9._-]}, not starting with a dot.
     * @param options the settings the topic must have.
     * @return the topic, open until closed or until the bus is closed.
     * @throws TopicMismatchException when the topic exists with other settings (both values are named).
     * @throws TopicCorruptedException when the existing file is not a valid topic.
     * @throws IllegalArgumentException when the name is not valid.
     */
    Topic topic(String name, TopicOptions options);

    /**
     * Create an anonymous topic: shared memory with no name anywhere (a sealed memfd). Nothing is left behind
     * when its processes exit or crash, and only a process handed its descriptor can join: threads of this
     * process at once, other processes through {@link Topic#share(ShareOptions)} and
     * {@link #joinAnonymous(ShareOptions, long)}.
     *
     * @param label   a label for messages and {@code /proc/<pid>/fd} (same rules as a topic name).
     * @param options the topic's settings.
     * @return the topic.
     */
    Topic anonymousTopic(String label, TopicOptions options);

    /**
     * Join an anonymous topic offered by another process: connect to its socket, receive the descriptor,
     * check that the memory is sealed against resizing and holds a valid topic.
     *
     * @param address   the socket (only its address is used).
     * @param timeoutNs how long to wait for the owner's answer.
     * @return the topic.
     * @throws BusException when the owner refuses (not on its allow-list), does not answer in time, or hands
     *                      over memory that is not a sealed, valid topic.
     */
    Topic joinAnonymous(ShareOptions address, long timeoutNs);

    /**
     * Open an existing named topic with whatever settings it was created with.
     *
     * @param name the topic's name.
     * @return the topic.
     * @throws TopicNotFoundException when no such topic exists.
     */
    Topic openTopic(String name);

    /**
     * Remove the topics of this bus that no process has open, and temporary files left by creators that
     * died. Safe to run at any time, from any process: a topic in use, or being created, is never removed.
     *
     * @return the names of the files removed.
     */
    java.util.List<String> clean();

    /**
     * Remove one topic if no process has it open.
     *
     * @param name the topic name.
     * @return true when removed; false when it is in use or does not exist.
     */
    boolean deleteTopic(String name);

    /**
     * Make a set of subscribers (of any topics of this bus) that one thread can wait on at once.
     *
     * @param subscribers the subscribers, 1 to 128.
     * @return the wait set.
     */
    WaitSet waitSet(Subscriber... subscribers);

    /**
     * Close every topic opened through this bus. Idempotent.
     */
    @Override
    void close();
}
