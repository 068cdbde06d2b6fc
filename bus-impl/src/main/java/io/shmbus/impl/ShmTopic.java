package io.shmbus.impl;

import io.shmbus.BusException;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.impl.liveness.Liveness;
import io.shmbus.impl.liveness.LockHandle;
import io.shmbus.impl.liveness.PublisherSlots;
import io.shmbus.impl.liveness.SubscriberSlots;
import io.shmbus.impl.liveness.TopicStatusReader;
import io.shmbus.impl.ring.SubscriberJoin;
import io.shmbus.impl.mapping.MappedTopic;
import io.shmbus.impl.platform.Linux;
import io.shmbus.impl.ring.ExclusiveRingPublisher;
import io.shmbus.impl.faults.FaultPoints;
import io.shmbus.impl.ring.Ring;
import io.shmbus.impl.ring.SharedRingPublisher;
import io.shmbus.impl.signal.DataSignal;
import io.shmbus.impl.signal.SpaceSignal;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;


/**
 * A mapped topic and the participants attached through it: the wiring of the parts that do the work.
 *
 * <p>Each participant gets a lock handle of its own ({@link LockHandle}); under the topic's allocation lock it
 * takes a slot ({@link PublisherSlots}, {@link SubscriberSlots}: slots are owned by kernel locks, a dead owner's
 * slot is repaired and reused); a subscriber then joins the ring ({@link SubscriberJoin}: the start position, the
 * race with cleaning, the connected count). Closing a participant gives its slot back under the allocation lock.
 */
final class ShmTopic implements Topic
{
    private static final Logger LOG = LoggerFactory.getLogger(ShmTopic.class);

    private final String name;
    private final MappedTopic mapped;
    private final Ring ring;
    private final UnsafeBuffer control;
    private final PublisherSlots publisherSlots;
    private final SubscriberSlots subscriberSlots;
    private final TopicOptions options;
    private final Consumer<ShmTopic> onClose;
    private final Set<AutoCloseable> participants = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    ShmTopic(final String name, final MappedTopic mapped, final Consumer<ShmTopic> onClose)
    {
        this.name = name;
        this.mapped = mapped;
        this.ring = new Ring(mapped);
        this.control = mapped.control();
        this.publisherSlots = new PublisherSlots(ring, name);
        this.subscriberSlots = new SubscriberSlots(ring, name);
        this.options = mapped.options();
        this.onClose = onClose;
        if (FaultPoints.ANY)
        {
            FaultPoints.reach(FaultPoints.OPEN_MAPPED, 0);
        }
        sweep();
    }

    /**
     * Repair what participants that died left in the topic: it may have been stale (everyone dead) and is
     * reclaimed here, on open, without any manual cleanup.
     */
    private void sweep()
    {
        try (LockHandle handle = LockHandle.open(mapped.fd(), mapped.source()))
        {
            new Liveness(ring, handle, 0).sweepSlots();
        }
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public TopicOptions options()
    {
        return options;
    }

    Ring ring()
    {
        return ring;
    }

    @Override
    public Publisher publisher(final PublisherOptions options)
    {
        checkOpen();
        try
        {
            return attachPublisher(options);
        }
        catch (final InternalError error)
        {
            // The JVM's report of a fault on the mapping: the file was truncated under this process.
            throw ring.memoryFault(error, "attaching a publisher");
        }
    }

    private Publisher attachPublisher(final PublisherOptions options)
    {
        checkOpen();
        final LockHandle handle = LockHandle.open(mapped.fd(), mapped.source());
        boolean ok = false;
        try
        {
            final int index;
            handle.lockAllocation();
            try
            {
                index = publisherSlots.allocate(handle, options.isExclusive());
            }
            finally
            {
                handle.unlockAllocation();
            }
            final DataSignal signal = new DataSignal(ring.control(), index);
            final Liveness liveness = new Liveness(ring, handle, index + 1L);
            final Runnable release = () -> releasePublisher(handle, index);
            final Publisher publisher = options.isExclusive() ?
                new ExclusiveRingPublisher(ring, index, signal, liveness, release) :
                new SharedRingPublisher(ring, index, signal, liveness, release);
            participants.add(publisher);
            ok = true;
            LOG.info("publisher {} ({}) joined topic {} (pid {})", index, options, name, Linux.getpid());
            return publisher;
        }
        finally
        {
            if (!ok)
            {
                handle.close();
            }
        }
    }

    private void releasePublisher(final LockHandle handle, final int index)
    {
        try
        {
            if (!mapped.isClosed())
            {
                handle.lockAllocation();
                try
                {
                    publisherSlots.release(index);
                }
                finally
                {
                    handle.unlockAllocation();
                }
            }
        }
        catch (final InternalError error)
        {
            LOG.warn("publisher {} of topic {} left without updating its slot: {}", index, name, error.toString());
        }
        finally
        {
            handle.close();
            LOG.info("publisher {} left topic {}", index, name);
        }
    }

    @Override
    public Subscriber subscriber(final SubscriberOptions options)
    {
        checkOpen();
        try
        {
            return joinSubscriber(options);
        }
        catch (final InternalError error)
        {
            // The JVM's report of a fault on the mapping: the file was truncated under this process.
            throw ring.memoryFault(error, "joining a subscriber");
        }
    }

    private Subscriber joinSubscriber(final SubscriberOptions options)
    {
        checkOpen();
        final LockHandle handle = LockHandle.open(mapped.fd(), mapped.source());
        boolean ok = false;
        try
        {
            final int index;
            final boolean resumed;
            handle.lockAllocation();
            try
            {
                final int existing = options.policy() == SubscriberOptions.Policy.DURABLE ?
                    subscriberSlots.findDurable(handle, options.name()) : -1;
                resumed = existing >= 0;
                index = resumed ? existing : subscriberSlots.allocate(handle, options);
            }
            finally
            {
                handle.unlockAllocation();
            }
            final Liveness liveness = new Liveness(ring, handle, -(index + 1L));
            final Runnable release = () -> releaseSubscriber(handle, index, options.policy());
            final Subscriber subscriber =
                new SubscriberJoin(ring, name).join(index, options, resumed, liveness, release);
            participants.add(subscriber);
            ok = true;
            LOG.info("subscriber {} ({}) {} topic {} at position {} (pid {})", index, options,
                resumed ? "resumed on" : "joined", name, subscriber.position(), Linux.getpid());
            return subscriber;
        }
        finally
        {
            if (!ok)
            {
                handle.close();
            }
        }
    }

    @Override
    public boolean dropDurable(final String durableName)
    {
        checkOpen();
        SubscriberOptions.durable(durableName); // validates the name
        try (LockHandle handle = LockHandle.open(mapped.fd(), mapped.source()))
        {
            handle.lockAllocation();
            try
            {
                return subscriberSlots.dropDurable(handle, durableName);
            }
            finally
            {
                handle.unlockAllocation();
            }
        }
        catch (final InternalError error)
        {
            throw ring.memoryFault(error, "dropping a durable subscription");
        }
    }

    private void releaseSubscriber(final LockHandle handle, final int index, final SubscriberOptions.Policy policy)
    {
        try
        {
            if (!mapped.isClosed())
            {
                handle.lockAllocation();
                try
                {
                    subscriberSlots.release(index, policy);
                }
                finally
                {
                    handle.unlockAllocation();
                }
                if (policy == SubscriberOptions.Policy.TETHERED)
                {
                    SpaceSignal.wakeAll(control); // publishers it held back may have room now
                }
            }
        }
        catch (final InternalError error)
        {
            LOG.warn("subscriber {} of topic {} left without updating its slot: {}", index, name, error.toString());
        }
        finally
        {
            handle.close();
            LOG.info("subscriber {} left topic {}", index, name);
        }
    }

    @Override
    public boolean isAnonymous()
    {
        return (mapped.flags() & io.shmbus.impl.layout.TopicHeaderDescriptor.FLAG_ANONYMOUS) != 0;
    }

    @Override
    public io.shmbus.TopicShare share(final io.shmbus.ShareOptions shareOptions)
    {
        checkOpen();
        if (!isAnonymous())
        {
            throw new BusException("topic " + name + " is named: other processes open it by name in the bus " +
                "directory; only anonymous topics are shared over a socket");
        }
        final io.shmbus.impl.anonymous.TopicSharer sharer =
            new io.shmbus.impl.anonymous.TopicSharer(shareOptions, mapped.fd(), name);
        participants.add(sharer);
        return sharer;
    }

    @Override
    public io.shmbus.TopicStatus status()
    {
        checkOpen();
        try
        {
            return readStatus();
        }
        catch (final InternalError error)
        {
            // The JVM's report of a fault on the mapping: the file was truncated under this process.
            throw ring.memoryFault(error, "reading its status");
        }
    }

    private io.shmbus.TopicStatus readStatus()
    {
        checkOpen();
        try (LockHandle handle = LockHandle.open(mapped.fd(), mapped.source()))
        {
            return new TopicStatusReader(ring, name).read(handle);
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("topic " + name + " is closed");
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
        for (final AutoCloseable participant : participants)
        {
            try
            {
                participant.close();
            }
            catch (final Exception | InternalError ex)
            {
                // InternalError: the JVM's report of a fault on the mapping (the file was truncated).
                LOG.warn("closing a participant of topic {} failed: {}", name, ex.toString());
            }
        }
        participants.clear();
        mapped.close();
        onClose.accept(this);
    }

    @Override
    public String toString()
    {
        return "Topic{" + name + ", " + options + '}';
    }
}
