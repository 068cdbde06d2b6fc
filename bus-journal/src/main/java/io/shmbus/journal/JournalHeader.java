package io.shmbus.journal;

import io.shmbus.MessageHeader;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Metadata of a recorded message being delivered from a journal: the topic's view ({@link MessageHeader}) and
 * the record's place in the journal. A flyweight reused for every record: read it during the call only.
 */
public final class JournalHeader implements MessageHeader
{
    private UnsafeBuffer buffer;
    private int index;
    private long nextJournalPosition;

    void wrap(final UnsafeBuffer buffer, final int index, final long nextJournalPosition)
    {
        this.buffer = buffer;
        this.index = index;
        this.nextJournalPosition = nextJournalPosition;
    }

    /**
     * @return the message's position in its topic.
     */
    @Override
    public long position()
    {
        return buffer.getLong(index + RecordDescriptor.TOPIC_POSITION_OFFSET);
    }

    /**
     * @return the topic position where the next message started.
     */
    @Override
    public long nextPosition()
    {
        return position() + buffer.getInt(index + RecordDescriptor.TOPIC_RECORD_LENGTH_OFFSET);
    }

    @Override
    public int length()
    {
        return buffer.getInt(index + RecordDescriptor.FRAME_LENGTH_OFFSET) - RecordDescriptor.HEADER_LENGTH;
    }

    @Override
    public int type()
    {
        return buffer.getInt(index + RecordDescriptor.TYPE_OFFSET);
    }

    @Override
    public int publisherId()
    {
        return buffer.getInt(index + RecordDescriptor.PUBLISHER_ID_OFFSET);
    }

    /**
     * @return the publisher's timestamp, or the recorder's clock when the topic records none.
     */
    @Override
    public long timestampNs()
    {
        return buffer.getLong(index + RecordDescriptor.TIMESTAMP_OFFSET);
    }

    /**
     * @return the record's journal position.
     */
    public long journalPosition()
    {
        return buffer.getLong(index + RecordDescriptor.JOURNAL_POSITION_OFFSET);
    }

    /**
     * @return the journal position of the record after it.
     */
    public long nextJournalPosition()
    {
        return nextJournalPosition;
    }
}
