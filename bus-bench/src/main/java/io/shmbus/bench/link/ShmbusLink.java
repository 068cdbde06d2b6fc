package io.shmbus.bench.link;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.MessageHandler;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.TopicStatus;
import io.shmbus.WaitStrategy;
import io.shmbus.bench.Variant;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

/**
 * shmbus: one topic per direction in a bus directory under /dev/shm, an exclusive (or shared) publisher and a
 * tethered subscriber with the variant's wait strategy.
 */
public final class ShmbusLink extends Link
{
    private static final long WAIT_SLICE_NS = 1_000_000_000L;

    private final Bus bus;
    private final Topic inTopic;
    private final Topic outTopic;
    private final Subscriber subscriber;
    private final Publisher publisher;
    private final boolean waitInPoll;
    private final MessageHandler handler = (buffer, offset, length, header) -> sink.onMessage(buffer, offset, length);

    /**
     * @param variant   which shmbus configuration.
     * @param directory the bus directory.
     * @param inName    topic to subscribe to, or null.
     * @param outName   topic to publish to, or null.
     * @param options   the topic settings (the same in every process).
     */
    public ShmbusLink(
        final Variant variant, final Path directory, final String inName, final String outName, final TopicOptions options)
    {
        final WaitStrategy waitStrategy = switch (variant)
        {
            case SHMBUS_SPIN_FUTEX -> WaitStrategy.spinYieldFutex();
            case SHMBUS_FUTEX -> WaitStrategy.futex();
            default -> WaitStrategy.busySpin();
        };
        waitInPoll = variant == Variant.SHMBUS_SPIN_WAIT || variant == Variant.SHMBUS_SPIN_FUTEX ||
            variant == Variant.SHMBUS_FUTEX;
        bus = Bus.open(BusOptions.builder().directory(directory).build());
        inTopic = null != inName ? bus.topic(inName, options) : null;
        outTopic = null != outName ? bus.topic(outName, options) : null;
        subscriber = null != inTopic ?
            inTopic.subscriber(SubscriberOptions.tethered().waitStrategy(waitStrategy)) : null;
        publisher = null != outTopic ? outTopic.publisher(
            variant == Variant.SHMBUS_SHARED ? PublisherOptions.shared() : PublisherOptions.exclusive()) : null;
    }

    @Override
    public boolean offer(final UnsafeBuffer buffer, final int length)
    {
        final long result = publisher.offer(buffer, 0, length);
        if (result > 0)
        {
            return true;
        }
        if (result == Publisher.CLOSED)
        {
            throw new IllegalStateException("publisher closed");
        }
        return false;
    }

    @Override
    public int poll(final int limit)
    {
        return subscriber.poll(handler, limit);
    }

    @Override
    public int receive(final int limit)
    {
        if (!waitInPoll)
        {
            return super.receive(limit);
        }
        int count;
        while ((count = subscriber.poll(handler, limit, WAIT_SLICE_NS)) == 0)
        {
            if (subscriber.isClosed())
            {
                throw new IllegalStateException("subscriber closed");
            }
        }
        return count;
    }

    @Override
    public String counters()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Topic topic : new Topic[]{inTopic, outTopic})
        {
            if (null == topic)
            {
                continue;
            }
            final TopicStatus status = topic.status();
            long wakes = 0;
            long skipped = 0;
            long backPressured = 0;
            for (final TopicStatus.PublisherStatus p : status.publishers())
            {
                wakes += p.wakesIssued();
                skipped += p.wakesSkipped();
                backPressured += p.backPressured();
            }
            long waits = 0;
            for (final TopicStatus.SubscriberStatus s : status.subscribers())
            {
                waits += s.waits();
            }
            sb.append(' ').append(topic.name()).append(".wakes=").append(wakes)
                .append(' ').append(topic.name()).append(".wakesSkipped=").append(skipped)
                .append(' ').append(topic.name()).append(".backPressured=").append(backPressured)
                .append(' ').append(topic.name()).append(".waits=").append(waits);
        }
        return sb.toString().trim();
    }

    @Override
    public void close()
    {
        if (null != subscriber)
        {
            subscriber.close();
        }
        if (null != publisher)
        {
            publisher.close();
        }
        bus.close();
    }
}
