package io.shmbus.impl.liveness;

import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.layout.PublisherSlotDescriptor;
import io.shmbus.impl.layout.RecordDescriptor;
import io.shmbus.impl.layout.SubscriberSlotDescriptor;
import io.shmbus.impl.mapping.MappedTopic;
import io.shmbus.impl.mapping.TopicFiles;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

/**
 * A read-only look at a topic's shared words, for tests that need more than {@code Topic.status()} (the cleaning
 * round's words) or must watch a word closely (timing a repair). Mapping the file is not joining the topic: the
 * probe owns no slot and, unlike opening a topic through a bus, repairs nothing, so whatever it sees repaired was
 * repaired by the participants.
 */
final class TopicProbe implements AutoCloseable
{
    private final MappedTopic mapped;
    private final UnsafeBuffer control;
    private final UnsafeBuffer data;
    private final int capacity;
    private final int maxPublishers;

    TopicProbe(final Path directory, final String name)
    {
        this.mapped = TopicFiles.open(directory, name);
        this.control = mapped.control();
        this.data = mapped.data();
        this.capacity = mapped.geometry().capacity();
        this.maxPublishers = mapped.geometry().maxPublishers();
    }

    /**
     * @return the descriptor of the probe's own open of the topic file.
     */
    int fd()
    {
        return mapped.fd();
    }

    org.agrona.concurrent.UnsafeBuffer control()
    {
        return control;
    }

    long tail()
    {
        return control.getLongVolatile(ControlDescriptor.TAIL_OFFSET);
    }

    long repairs()
    {
        return control.getLongVolatile(ControlDescriptor.REPAIRS_OFFSET);
    }

    long reclaims()
    {
        return control.getLongVolatile(ControlDescriptor.RECLAIMS_OFFSET);
    }

    long cleanLock()
    {
        return control.getLongVolatile(ControlDescriptor.CLEAN_LOCK_OFFSET);
    }

    long cleanLimit()
    {
        return control.getLongVolatile(ControlDescriptor.CLEAN_LIMIT_OFFSET);
    }

    long cleanIntent()
    {
        return control.getLongVolatile(ControlDescriptor.CLEAN_INTENT_OFFSET);
    }

    long cleanCount()
    {
        return control.getLongVolatile(ControlDescriptor.CLEAN_COUNT_OFFSET);
    }

    int subscriberCount()
    {
        return control.getIntVolatile(ControlDescriptor.SUBSCRIBER_COUNT_OFFSET);
    }

    long subscriberPosition(final int slot)
    {
        return control.getLongVolatile(
            ControlDescriptor.subscriberSlotOffset(maxPublishers, slot) + SubscriberSlotDescriptor.POSITION_OFFSET);
    }

    int subscriberState(final int slot)
    {
        return control.getIntVolatile(
            ControlDescriptor.subscriberSlotOffset(maxPublishers, slot) + SubscriberSlotDescriptor.STATE_OFFSET);
    }

    int publisherState(final int slot)
    {
        return control.getIntVolatile(
            ControlDescriptor.publisherSlotOffset(slot) + PublisherSlotDescriptor.STATE_OFFSET);
    }

    long publisherBackPressured(final int slot)
    {
        return control.getLongVolatile(
            ControlDescriptor.publisherSlotOffset(slot) + PublisherSlotDescriptor.BACK_PRESSURED_OFFSET);
    }

    /**
     * @param position a position of the current lap.
     * @return the length word of the record there.
     */
    int lengthAt(final long position)
    {
        return data.getIntVolatile((int)position & (capacity - 1));
    }

    /**
     * Walk the retained records, from the oldest to the tail, while nobody writes.
     *
     * @return {messages, padding records}, or null when the walk met a record that is not committed.
     */
    long[] countRetained()
    {
        long position = cleanLimit() - capacity;
        final long tail = tail();
        long messages = 0;
        long paddings = 0;
        while (position < tail)
        {
            final int index = (int)position & (capacity - 1);
            final int length = data.getIntVolatile(index);
            if (length <= 0)
            {
                return null;
            }
            if (data.getShort(index + RecordDescriptor.KIND_OFFSET) == RecordDescriptor.KIND_MESSAGE)
            {
                messages++;
            }
            else
            {
                paddings++;
            }
            position += RecordDescriptor.alignedLength(length);
        }
        return new long[] {messages, paddings};
    }

    @Override
    public void close()
    {
        mapped.close();
    }
}
