package io.shmbus.impl.ring;

import io.shmbus.TopicCorruptedException;
import io.shmbus.impl.layout.ControlDescriptor;
import io.shmbus.impl.layout.RecordDescriptor;
import io.shmbus.impl.layout.TopicHeaderDescriptor;
import io.shmbus.impl.liveness.RingAccess;
import io.shmbus.impl.mapping.MappedTopic;
import io.shmbus.impl.signal.DataSignal;
import org.agrona.concurrent.UnsafeBuffer;

import static io.shmbus.impl.layout.ControlDescriptor.CLEAN_COUNT_OFFSET;
import static io.shmbus.impl.layout.ControlDescriptor.CLEAN_INTENT_OFFSET;
import static io.shmbus.impl.layout.ControlDescriptor.CLEAN_LIMIT_OFFSET;
import static io.shmbus.impl.layout.ControlDescriptor.CLEAN_LOCK_OFFSET;
import static io.shmbus.impl.layout.RecordDescriptor.ALIGNMENT;
import static io.shmbus.impl.layout.RecordDescriptor.KIND_MESSAGE;
import static io.shmbus.impl.layout.RecordDescriptor.KIND_OFFSET;
import static io.shmbus.impl.layout.RecordDescriptor.KIND_PADDING;

/**
 * The data ring of one mapped topic and the protocol every participant shares: how space is reclaimed
 * (cleaning rounds, {@link CleaningRound} and {@code ZeroingSteps}), where the slowest tethered subscriber is
 * ({@code SubscriberScans}), how a joiner or a lapped reader finds a consistent record boundary, and the checks
 * of every record and position read from shared memory. See {@link ControlDescriptor} and docs/LAYOUT.md for the
 * words involved.
 *
 * <h2>Why the ring is zeroed ahead of the tail (stale frames after a wrap)</h2>
 * With several subscribers nobody can zero a record after reading it, so a reader waiting at position p
 * could find last lap's record at the same index and take it for this lap's. Tagging each header with its
 * position would not be enough either: between a publisher's claim and its first header store, the bytes at
 * p are last lap's <em>payload</em>, which may by chance hold any value. So shmbus never lets the tail reach
 * bytes that were not zeroed for this lap: the cleaning round zeroes a range before it raises
 * {@code cleanLimit} over it, and claims stay at least one alignment unit below {@code cleanLimit}, so the
 * header word at the tail is always zero. A reader therefore sees, at its position, either 0 (nothing yet),
 * a negative length (being written) or a positive length committed in this lap.
 *
 * <h2>Why commit order across publishers needs nothing more</h2>
 * Claims are ordered by the tail (CAS for shared publishers); each record is committed by its own length
 * store. A reader stops at the first record that is not committed, so a later claim committed early stays
 * invisible until the earlier one commits (or, when its publisher died, is repaired into padding).
 */
public final class Ring implements RingAccess
{
    /**
     * The largest position any word of a topic may hold: 2^62 bytes (at 10 GB/s, fourteen years of traffic).
     * Every position read from shared memory is checked against it before arithmetic is done with it, so that
     * adding a claim, a ring's capacity or a lap to a position can never overflow into a negative value (which
     * a caller would take for a status code, and which would pass every later comparison).
     */
    public static final long MAX_POSITION = 1L << 62;

    final MappedTopic topic;
    final UnsafeBuffer control;
    final UnsafeBuffer data;
    final UnsafeBuffer readOnlyData;
    final ReadOnlyBuffer handlerView;
    final int capacity;
    final int mask;
    final int headerLength;
    final int maxMessageLength;
    final int maxRecordLength;
    final int maxPublishers;
    final int maxSubscribers;
    final boolean timestamps;
    final boolean requireSubscriber;
    final int chunk;
    final String source;
    final ZeroingSteps steps;
    final CleaningRound round;

    /**
     * @param topic the mapped topic.
     */
    public Ring(final MappedTopic topic)
    {
        this.topic = topic;
        this.control = topic.control();
        this.data = topic.data();
        this.readOnlyData = topic.readOnlyData();
        this.handlerView = new ReadOnlyBuffer(readOnlyData);
        this.capacity = topic.geometry().capacity();
        this.mask = capacity - 1;
        this.headerLength = topic.geometry().recordHeaderLength();
        this.maxMessageLength = topic.geometry().maxMessageLength();
        this.maxRecordLength = headerLength + maxMessageLength;
        this.maxPublishers = topic.geometry().maxPublishers();
        this.maxSubscribers = topic.geometry().maxSubscribers();
        this.timestamps = (topic.flags() & TopicHeaderDescriptor.FLAG_TIMESTAMPS) != 0;
        this.requireSubscriber = (topic.flags() & TopicHeaderDescriptor.FLAG_REQUIRE_SUBSCRIBER) != 0;
        this.chunk = capacity / 4;
        this.source = topic.source();
        this.steps = new ZeroingSteps(this);
        this.round = new CleaningRound(this);
    }

    /**
     * @return the mapped topic.
     */
    public MappedTopic topic()
    {
        return topic;
    }

    @Override
    public int maxPublishers()
    {
        return maxPublishers;
    }

    @Override
    public int maxSubscribers()
    {
        return maxSubscribers;
    }

    @Override
    public String source()
    {
        return source;
    }

    /**
     * @return the ring capacity.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * @return the control region.
     */
    public UnsafeBuffer control()
    {
        return control;
    }

    /**
     * @return the data ring.
     */
    public UnsafeBuffer data()
    {
        return data;
    }

    /**
     * @return the record header length (16, or 32 with timestamps).
     */
    public int headerLength()
    {
        return headerLength;
    }

    /**
     * @return the largest message.
     */
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    /**
     * @return the topic's tail.
     */
    public long tail()
    {
        return control.getLongVolatile(ControlDescriptor.TAIL_OFFSET);
    }

    /**
     * @return the current clean limit.
     */
    public long cleanLimit()
    {
        return control.getLongVolatile(CLEAN_LIMIT_OFFSET);
    }

    /**
     * @return the clean intent: the limit the round in progress will publish (equal to the limit between rounds).
     */
    public long cleanIntent()
    {
        return control.getLongVolatile(CLEAN_INTENT_OFFSET);
    }

    /**
     * @param subscriberIndex slot index.
     * @return the slot's offset in the control region.
     */
    public int subscriberSlot(final int subscriberIndex)
    {
        return ControlDescriptor.subscriberSlotOffset(maxPublishers, subscriberIndex);
    }

    /**
     * @param publisherIndex slot index.
     * @return the slot's offset in the control region.
     */
    public int publisherSlot(final int publisherIndex)
    {
        return ControlDescriptor.publisherSlotOffset(publisherIndex);
    }

    /**
     * @return the cleaning-round protocol of this ring.
     */
    public CleaningRound round()
    {
        return round;
    }

    /**
     * Validate a committed record's length before anything is done with it: the length must hold a header,
     * fit before the ring's end, and, for a message, hold at most the topic's largest message.
     *
     * @param index    ring index of the record.
     * @param length   the committed length.
     * @param position stream position, for the message.
     * @return the aligned length.
     * @throws TopicCorruptedException when it cannot be a record any publisher wrote.
     */
    public int checkRecord(final int index, final int length, final long position)
    {
        return checkRecord(index, length, data.getShort(index + KIND_OFFSET), position);
    }

    /**
     * As {@link #checkRecord(int, int, long)}, with the record's kind as the caller read it: for readers that
     * may be lapped, which must validate the very values they read before their lap check, not the bytes as they
     * are now.
     *
     * @param index    ring index of the record.
     * @param length   the committed length.
     * @param kind     the record's kind.
     * @param position stream position, for the message.
     * @return the aligned length.
     * @throws TopicCorruptedException when it cannot be a record any publisher wrote.
     */
    public int checkRecord(final int index, final int length, final short kind, final long position)
    {
        // Compare the length itself, not its aligned value: aligning a length near Integer.MAX_VALUE overflows to a
        // negative number, which would pass and then move the reader backwards (for ever).
        // A padding record may run past the ring's end into a hole at index 0 (ZeroingSteps#padTarget), never
        // longer than the ring; every other record ends at or before the ring's end.
        if (length < RecordDescriptor.HEADER_LENGTH ||
            length > capacity - index && (kind != KIND_PADDING || length > capacity))
        {
            throw corrupt("record length " + length + " at position " + position + " (index " + index +
                ") does not fit the ring (capacity " + capacity + ")");
        }
        if (kind == KIND_MESSAGE)
        {
            if (length < headerLength || length > maxRecordLength)
            {
                throw corrupt("message record length " + length + " at position " + position +
                    " is outside " + headerLength + " to " + maxRecordLength);
            }
        }
        else if (kind != KIND_PADDING)
        {
            throw corrupt("record kind " + kind + " at position " + position + " is neither message nor padding");
        }
        return RecordDescriptor.alignedLength(length);
    }

    /**
     * Check a position read from shared memory before reading or writing at it: it must be a record boundary,
     * a multiple of {@link RecordDescriptor#ALIGNMENT}, not negative and at most {@link #MAX_POSITION}. Record
     * boundaries are what keep every header access inside the ring: a record header never straddles the ring's
     * end only because the capacity is a multiple of the alignment.
     *
     * @param position the position.
     * @param what     the word it was read from, for the message.
     * @return the position.
     * @throws TopicCorruptedException when it cannot be a record boundary.
     */
    public long checkPosition(final long position, final String what)
    {
        if (position < 0 || position > MAX_POSITION || (position & (ALIGNMENT - 1)) != 0)
        {
            throw corrupt(what + " " + position + " is not a record boundary (a multiple of " + ALIGNMENT +
                " from 0 to 2^62)");
        }
        return position;
    }

    /**
     * @param what what was found.
     * @return an exception naming the topic.
     */
    public TopicCorruptedException corrupt(final String what)
    {
        return new TopicCorruptedException(source + ": corrupt: " + what);
    }

    /**
     * Turn the {@link InternalError} the JVM raises for a fault in an unsafe memory access (SIGBUS: the
     * file was truncated under the mapping) into a clear exception.
     *
     * @param error the JVM's error.
     * @return an exception saying what happened to the file.
     */
    public TopicCorruptedException memoryFault(final InternalError error)
    {
        return topic.memoryFault(error, "accessing the topic");
    }

    /**
     * As {@link #memoryFault(InternalError)}, naming what the caller was doing.
     *
     * @param error  the JVM's error.
     * @param during what was being done, e.g. "joining a subscriber".
     * @return an exception saying what happened to the file.
     */
    public TopicCorruptedException memoryFault(final InternalError error, final String during)
    {
        return topic.memoryFault(error, during);
    }

    /**
     * Read {@code (cleanLimit - capacity, cleanCount)} consistently: the oldest retained record boundary and
     * the number of messages before it.
     *
     * @param out where to put the two values: out[0] position, out[1] message count.
     * @return true when read consistently, false when a cleaning round was in progress (try again).
     */
    public boolean readOldest(final long[] out)
    {
        final UnsafeBuffer control = this.control;
        final long limit = control.getLongVolatile(CLEAN_LIMIT_OFFSET);
        final long count = control.getLongVolatile(CLEAN_COUNT_OFFSET);
        final long intent = control.getLongVolatile(CLEAN_INTENT_OFFSET);
        if (intent != limit)
        {
            return false;
        }
        final long oldest = checkPosition(limit - capacity, "cleanLimit - capacity");
        // The tail, read after the limit, is at or past the oldest record the limit implies: the oldest retained
        // record is never past the tail, and the tail only grows.
        final long tail = control.getLongVolatile(ControlDescriptor.TAIL_OFFSET);
        if (oldest > tail)
        {
            throw corrupt("cleanLimit " + limit + " is more than a ring (" + capacity + " bytes) ahead of the tail " +
                tail);
        }
        if (count < 0)
        {
            throw corrupt("cleanCount " + count + " is negative");
        }
        out[0] = oldest;
        out[1] = count;
        return true;
    }

    /**
     * @param position a reader's position.
     * @return true when a cleaning round has begun on, or passed, the bytes of the record at that position.
     */
    public boolean isLapped(final long position)
    {
        return control.getLongVolatile(CLEAN_INTENT_OFFSET) > position + capacity;
    }

    /**
     * @return true when no cleaning round is running or about to zero anything.
     */
    public boolean isQuiescent()
    {
        return control.getLongVolatile(CLEAN_LOCK_OFFSET) == 0 &&
            control.getLongVolatile(CLEAN_INTENT_OFFSET) == control.getLongVolatile(CLEAN_LIMIT_OFFSET);
    }

    /**
     * @return the value of cleanLock: 0 when no round runs, else the code of the participant running or
     * finishing one: a publisher's slot index plus one, or minus (a subscriber's slot index plus one).
     */
    public long cleanLockValue()
    {
        return round.lockWord();
    }

    @Override
    public boolean takeOverRound(final long seen, final int myCode)
    {
        return round.takeOver(seen, myCode);
    }

    @Override
    public boolean clearDeadRoundArea(final int code)
    {
        return steps.clearDeadArea(round.areaOf(code), code);
    }

    /**
     * Wake every sleeper after a repair turned a stuck claim into padding.
     */
    public void afterRepair()
    {
        DataSignal.wakeAll(control);
    }
}
