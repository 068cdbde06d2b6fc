package io.shmbus.impl;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.impl.mapping.AnonymousTopicFiles;
import io.shmbus.impl.mapping.TopicFiles;
import io.shmbus.impl.mapping.TopicRemoval;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A bus over a directory of named topic files.
 */
public final class ShmBus implements Bus
{
    private static final Logger LOG = LoggerFactory.getLogger(ShmBus.class);

    private final BusOptions options;
    private final Path directory;
    private final Set<ShmTopic> topics = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param options the bus options.
     */
    public ShmBus(final BusOptions options)
    {
        JvmFlags.check();
        this.options = options;
        this.directory = options.directory().toAbsolutePath().normalize();
        TopicFiles.ensureDirectory(directory, options.group());
        LOG.debug("bus open on {}", directory);
    }

    @Override
    public Path directory()
    {
        return directory;
    }

    @Override
    public Topic topic(final String name, final TopicOptions topicOptions)
    {
        checkOpen();
        TopicOptions.validateName(name);
        return register(name, TopicFiles.createOrOpen(directory, name, topicOptions, options.group()));
    }

    @Override
    public Topic anonymousTopic(final String label, final TopicOptions topicOptions)
    {
        checkOpen();
        TopicOptions.validateName(label);
        return register(label, AnonymousTopicFiles.createAnonymous(label, topicOptions));
    }

    @Override
    public Topic joinAnonymous(final io.shmbus.ShareOptions address, final long timeoutNs)
    {
        checkOpen();
        final io.shmbus.impl.mapping.MappedTopic mapped = io.shmbus.impl.anonymous.AnonymousJoin.join(
            address, timeoutNs);
        return register(mapped.name(), mapped);
    }

    @Override
    public Topic openTopic(final String name)
    {
        checkOpen();
        TopicOptions.validateName(name);
        return register(name, TopicFiles.open(directory, name));
    }

    /**
     * Wrap a mapping in a topic (which sweeps it for dead participants) and keep it; on any failure the mapping
     * is closed, and a fault on it (the file truncated while opening) is reported as a TopicCorruptedException.
     */
    private ShmTopic register(final String name, final io.shmbus.impl.mapping.MappedTopic mapped)
    {
        final ShmTopic topic;
        try
        {
            topic = new ShmTopic(name, mapped, topics::remove);
        }
        catch (final InternalError error)
        {
            final io.shmbus.TopicCorruptedException fault = mapped.memoryFault(error, "opening the topic");
            mapped.close();
            throw fault;
        }
        catch (final RuntimeException ex)
        {
            mapped.close();
            throw ex;
        }
        return register(topic);
    }

    private ShmTopic register(final ShmTopic topic)
    {
        topics.add(topic);
        if (closed)
        {
            topic.close();
            throw new IllegalStateException("bus on " + directory + " is closed");
        }
        return topic;
    }

    @Override
    public java.util.List<String> clean()
    {
        checkOpen();
        return TopicRemoval.cleanStale(directory);
    }

    @Override
    public boolean deleteTopic(final String name)
    {
        checkOpen();
        TopicOptions.validateName(name);
        return TopicRemoval.removeIfUnused(directory, name);
    }

    @Override
    public io.shmbus.WaitSet waitSet(final io.shmbus.Subscriber... subscribers)
    {
        checkOpen();
        return new io.shmbus.impl.signal.ShmWaitSet(subscribers, !Boolean.getBoolean("shmbus.waitset.noFutexWaitv"));
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("bus on " + directory + " is closed");
        }
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            for (final ShmTopic topic : topics)
            {
                topic.close();
            }
            topics.clear();
        }
    }

    @Override
    public String toString()
    {
        return "Bus{" + directory + '}';
    }
}
