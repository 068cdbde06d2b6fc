package io.shmbus.aeron;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.exceptions.DriverTimeoutException;
import io.shmbus.Bus;
import io.shmbus.BusException;
import io.shmbus.BusOptions;
import io.shmbus.ShareOptions;
import io.shmbus.Subscriber;
import io.shmbus.Topic;
import io.shmbus.TopicMismatchException;
import io.shmbus.TopicNotFoundException;
import io.shmbus.TopicOptions;
import io.shmbus.WaitSet;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A bus whose topics are Aeron streams: each topic is a channel ({@code aeron:ipc} or {@code aeron:udp}) and a
 * stream id, configured by {@link AeronSettings}. The media driver is embedded (its directory inside the bus
 * directory, removed on close) unless an external one is named.
 */
public final class AeronBus implements Bus
{
    private static final Logger LOG = LoggerFactory.getLogger(AeronBus.class);

    private final BusOptions options;
    private final Path directory;
    private final String aeronDir;
    private final MediaDriver driver;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Path lockFile;
    private final Aeron aeron;
    private final Map<String, AeronTopic> topics = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * Open the bus: launch the embedded driver (or find the external one) and connect to it.
     *
     * @param options the bus options and the transport settings.
     * @throws BusException naming the cause: the driver directory in use, no driver answering, a bad setting.
     */
    public AeronBus(final BusOptions options)
    {
        this.options = options;
        this.directory = options.directory();
        final String external = AeronSettings.externalDir(options);
        final long driverTimeoutMs = AeronSettings.driverTimeoutMs(options);
        MediaDriver launched = null;
        FileChannel channel = null;
        FileLock held = null;
        Path heldFile = null;
        try
        {
            if (null == external)
            {
                createDirectory(directory);
                final Path dir = directory.resolve(AeronSettings.EMBEDDED_DIR_NAME);
                heldFile = directory.resolve(AeronSettings.EMBEDDED_DIR_NAME + ".lock");
                channel = FileChannel.open(heldFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                try
                {
                    held = channel.tryLock();
                }
                catch (final OverlappingFileLockException ex)
                {
                    held = null;
                }
                if (null == held)
                {
                    throw new BusException("the embedded media driver directory " + dir + " is in use by another " +
                        "bus (its lock " + heldFile + " is held); give each process its own bus directory, or " +
                        "share one driver with " + AeronSettings.DIR + "=" + dir);
                }
                // The lock proves that whoever used the directory before is gone: its files are stale.
                this.aeronDir = dir.toString();
                launched = launchDriver(this.aeronDir, driverTimeoutMs);
            }
            else
            {
                this.aeronDir = external;
            }
            this.aeron = connect(this.aeronDir, driverTimeoutMs, null == external);
        }
        catch (final RuntimeException | IOException ex)
        {
            closeQuietly(launched, held, channel, heldFile);
            if (ex instanceof BusException busException)
            {
                throw busException;
            }
            throw new BusException("cannot open the Aeron bus in " + directory + ": " + ex, ex);
        }
        this.driver = launched;
        this.lockChannel = channel;
        this.lock = held;
        this.lockFile = heldFile;
        LOG.info("Aeron bus open: directory {}, {} media driver in {}", directory,
            null == driver ? "external" : "embedded", aeronDir);
    }

    private static void createDirectory(final Path directory) throws IOException
    {
        if (!Files.isDirectory(directory))
        {
            Files.createDirectories(directory);
        }
    }

    private static MediaDriver launchDriver(final String dir, final long driverTimeoutMs)
    {
        final MediaDriver.Context context = new MediaDriver.Context()
            .aeronDirectoryName(dir)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .driverTimeoutMs(driverTimeoutMs)
            .errorHandler(ex -> LOG.warn("media driver in {}: {}", dir, ex.toString()));
        if (null == System.getProperty("aeron.threading.mode"))
        {
            context.threadingMode(ThreadingMode.SHARED);
        }
        if (null == System.getProperty("aeron.shared.idle.strategy"))
        {
            context.sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1_000, 1_000_000));
        }
        try
        {
            return MediaDriver.launch(context);
        }
        catch (final RuntimeException ex)
        {
            context.close();
            throw new BusException("cannot launch the embedded media driver in " + dir + ": " + ex.getMessage(), ex);
        }
    }

    private static Aeron connect(final String dir, final long driverTimeoutMs, final boolean embedded)
    {
        final Aeron.Context context = new Aeron.Context()
            .aeronDirectoryName(dir)
            .driverTimeoutMs(driverTimeoutMs)
            .errorHandler(ex -> LOG.warn("Aeron client of {}: {}", dir, ex.toString()));
        try
        {
            return Aeron.connect(context);
        }
        catch (final DriverTimeoutException ex)
        {
            throw new BusException("no media driver answered in " + dir + " within " + driverTimeoutMs + " ms" +
                (embedded ? "" : ": start one (io.aeron.driver.MediaDriver) or set " + AeronSettings.DIR) +
                " (" + ex.getMessage() + ")", ex);
        }
        catch (final RuntimeException ex)
        {
            throw new BusException("cannot connect to the media driver in " + dir + ": " + ex.getMessage(), ex);
        }
    }

    private static void closeQuietly(
        final MediaDriver driver, final FileLock lock, final FileChannel channel, final Path lockFile)
    {
        try
        {
            if (null != driver)
            {
                driver.close();
            }
            if (null != lock)
            {
                lock.release();
                Files.deleteIfExists(lockFile);
            }
            if (null != channel)
            {
                channel.close();
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.warn("closing the Aeron bus: {}", ex.toString());
        }
    }

    /**
     * @return the Aeron client of this bus.
     */
    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * @return the media driver's directory (embedded or external).
     */
    public String aeronDirectory()
    {
        return aeronDir;
    }

    /**
     * @return true when this bus launched its own media driver.
     */
    public boolean isDriverEmbedded()
    {
        return null != driver;
    }

    /**
     * @return the options the bus was opened with.
     */
    public BusOptions options()
    {
        return options;
    }

    @Override
    public Path directory()
    {
        return directory;
    }

    @Override
    public Topic topic(final String name, final TopicOptions topicOptions)
    {
        TopicOptions.validateName(name);
        ensureOpen();
        final AeronTopic topic = topics.computeIfAbsent(
            name, n -> new AeronTopic(this, n, topicOptions, AeronSettings.channel(options, n),
            AeronSettings.streamId(options, n)));
        if (!topic.options().equals(topicOptions))
        {
            throw new TopicMismatchException("topic " + name + " is open in this bus with " + topic.options() +
                ", asked for " + topicOptions);
        }
        return topic;
    }

    @Override
    public Topic anonymousTopic(final String label, final TopicOptions topicOptions)
    {
        throw new BusException("anonymous topics are sealed shared memory: the Aeron transport has none (label " +
            label + "); use a named topic, or the shm transport");
    }

    @Override
    public Topic joinAnonymous(final ShareOptions address, final long timeoutNs)
    {
        throw new BusException("anonymous topics are sealed shared memory: the Aeron transport cannot join " +
            address + "; use the shm transport");
    }

    @Override
    public Topic openTopic(final String name)
    {
        TopicOptions.validateName(name);
        final AeronTopic topic = topics.get(name);
        if (null != topic)
        {
            return topic;
        }
        if (null == options.property(AeronSettings.CHANNEL_PREFIX + name,
            options.property(AeronSettings.CHANNEL, null)))
        {
            throw new TopicNotFoundException("an Aeron stream keeps no settings to open by name: topic " + name +
                " has no channel configured (" + AeronSettings.CHANNEL_PREFIX + name + " or " + AeronSettings.CHANNEL +
                "); create it with Bus.topic(name, options)");
        }
        return topic(name, TopicOptions.defaults());
    }

    @Override
    public List<String> clean()
    {
        return new ArrayList<>();
    }

    @Override
    public boolean deleteTopic(final String name)
    {
        return false;
    }

    @Override
    public WaitSet waitSet(final Subscriber... subscribers)
    {
        return new AeronWaitSet(subscribers);
    }

    void removed(final AeronTopic topic)
    {
        topics.remove(topic.name(), topic);
    }

    void ensureOpen()
    {
        if (closed)
        {
            throw new BusException("the Aeron bus in " + directory + " is closed");
        }
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final AeronTopic topic : new ArrayList<>(topics.values()))
        {
            topic.close();
        }
        aeron.close();
        closeQuietly(driver, lock, lockChannel, lockFile);
        if (null != driver)
        {
            IoUtil.delete(Path.of(aeronDir).toFile(), true);
        }
        LOG.info("Aeron bus closed: directory {}", directory);
    }
}
