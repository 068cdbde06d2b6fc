package io.shmbus.impl;

import io.shmbus.TopicOptions;
import io.shmbus.impl.process.ChildGroup;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.ChildSupport;
import io.shmbus.impl.process.PublisherMain;
import io.shmbus.impl.process.SubscriberMain;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs publisher and subscriber child JVMs on one topic in a fresh bus directory and collects what each
 * reports. The directory and every child are gone when {@link #close()} returns.
 */
final class CrossProcessScenario implements AutoCloseable
{
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);
    static final String TOPIC = "stress";

    /** What a publisher child reported. */
    record PublisherReport(int id, long count, long checksum, long elapsedNs, long backPressured, long notConnected,
        long adminAction, long aborted)
    {
    }

    /** What a subscriber child reported about one publisher. */
    record PerPublisher(long count, long checksum, long first, long last, int slot)
    {
    }

    /** What a subscriber child reported. */
    record SubscriberReport(String name, List<PerPublisher> publishers, long delivered, long lostMessages,
        long lostBytes, long lossEvents, long elapsedNs, long position)
    {
    }

    final Path directory;
    final TopicOptions options;
    final String spec;
    final ChildGroup children = new ChildGroup();
    final List<ChildProcess> publishers = new ArrayList<>();
    private final List<Integer> publisherThreads = new ArrayList<>();
    final List<ChildProcess> subscribers = new ArrayList<>();
    private final Set<ChildProcess> ready = new HashSet<>();

    CrossProcessScenario(final String label, final TopicOptions options)
    {
        this.directory = TestBus.newDirectory(label);
        this.options = options;
        this.spec = ChildSupport.spec(options);
    }

    /**
     * Start a subscriber child; {@link #awaitReady()} waits until it is attached.
     *
     * @param name  for messages.
     * @param extra more {@code key=value} arguments (policy, start, publishers, count, ...).
     * @return the child.
     */
    ChildProcess startSubscriber(final String name, final String... extra)
    {
        final ChildProcess child = children.start(name, SubscriberMain.class, args(extra));
        subscribers.add(child);
        return child;
    }

    /**
     * Start a publisher child; once attached it waits for GO.
     *
     * @param name  for messages.
     * @param extra more {@code key=value} arguments (mode, id, count, ...).
     * @return the child.
     */
    ChildProcess startPublisher(final String name, final String... extra)
    {
        final ChildProcess child = children.start(name, PublisherMain.class, args(extra));
        publishers.add(child);
        int threads = 1;
        for (final String arg : extra)
        {
            if (arg.startsWith("threads="))
            {
                threads = Integer.parseInt(arg.substring("threads=".length()));
            }
        }
        publisherThreads.add(threads);
        return child;
    }

    /**
     * Wait until every child started so far has printed READY.
     */
    void awaitReady()
    {
        for (final ChildProcess child : children.children())
        {
            if (ready.add(child))
            {
                child.awaitLine("READY", START_TIMEOUT);
            }
        }
    }

    String[] args(final String... extra)
    {
        final List<String> args = new ArrayList<>(List.of(
            "dir=" + directory, "topic=" + TOPIC, "spec=" + spec,
            "deadline=" + (RUN_TIMEOUT.toSeconds() + START_TIMEOUT.toSeconds())));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    /**
     * Wait until every child is attached, then tell every publisher to start.
     */
    void go()
    {
        awaitReady();
        for (final ChildProcess publisher : publishers)
        {
            publisher.send("GO");
        }
    }

    static PublisherReport awaitPublisher(final ChildProcess publisher, final int id)
    {
        final String[] w = publisher.awaitWords("DONE", RUN_TIMEOUT);
        if (Integer.parseInt(w[0]) != id)
        {
            throw new AssertionError("expected the report of publisher " + id + ", got " + String.join(" ", w));
        }
        return new PublisherReport(id, Long.parseLong(w[1]), Long.parseLong(w[2]), Long.parseLong(w[3]),
            Long.parseLong(w[4]), Long.parseLong(w[5]), Long.parseLong(w[6]), Long.parseLong(w[7]));
    }

    static SubscriberReport awaitSubscriber(final ChildProcess subscriber, final int publishers)
    {
        final List<PerPublisher> per = new ArrayList<>();
        for (int p = 0; p < publishers; p++)
        {
            final String[] w = subscriber.awaitWords("PUB", RUN_TIMEOUT);
            if (Integer.parseInt(w[0]) != p)
            {
                throw new AssertionError("expected the report of publisher " + p + ", got " + String.join(" ", w));
            }
            per.add(new PerPublisher(Long.parseLong(w[1]), Long.parseLong(w[2]), Long.parseLong(w[3]),
                Long.parseLong(w[4]), Integer.parseInt(w[5])));
        }
        final String[] w = subscriber.awaitWords("DONE", RUN_TIMEOUT);
        return new SubscriberReport(subscriber.name(), per, Long.parseLong(w[0]), Long.parseLong(w[1]),
            Long.parseLong(w[2]), Long.parseLong(w[3]), Long.parseLong(w[4]), Long.parseLong(w[5]));
    }

    /**
     * Wait for every publisher's DONE line. Test publisher ids are numbered in start order, each child taking
     * as many as it runs threads.
     *
     * @return the reports, index = test publisher id.
     */
    List<PublisherReport> awaitPublishers()
    {
        final List<PublisherReport> reports = new ArrayList<>();
        for (int i = 0; i < publishers.size(); i++)
        {
            for (int t = 0; t < publisherThreads.get(i); t++)
            {
                reports.add(awaitPublisher(publishers.get(i), reports.size()));
            }
        }
        return reports;
    }

    /**
     * Tell every subscriber that publishing is over, then wait for each one's report.
     *
     * @param publisherCount how many test publishers there were.
     * @return the reports, in start order.
     */
    List<SubscriberReport> drainSubscribers(final int publisherCount)
    {
        for (final ChildProcess subscriber : subscribers)
        {
            if (subscriber.isAlive())
            {
                subscriber.send("DRAIN");
            }
        }
        final List<SubscriberReport> reports = new ArrayList<>();
        for (final ChildProcess subscriber : subscribers)
        {
            reports.add(awaitSubscriber(subscriber, publisherCount));
        }
        return reports;
    }

    /**
     * Wait for every child to exit with 0.
     */
    void awaitCleanExits()
    {
        for (final ChildProcess child : children.children())
        {
            final int code = child.awaitExit(Duration.ofSeconds(30));
            if (code != 0)
            {
                throw new AssertionError("child " + child.name() + " exited with " + code + "\n" + child.diagnostics());
            }
        }
    }

    @Override
    public void close()
    {
        try
        {
            children.close();
        }
        finally
        {
            TestBus.delete(directory);
        }
    }
}
