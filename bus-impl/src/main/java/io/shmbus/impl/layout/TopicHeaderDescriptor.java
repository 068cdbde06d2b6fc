package io.shmbus.impl.layout;

import io.shmbus.TopicCorruptedException;
import io.shmbus.TopicOptions;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;

import static io.shmbus.impl.layout.Layout.align;

/**
 * The header page at the start of every topic file. Nothing else in the file is trusted until
 * {@link #check(DirectBuffer, long, String)} has passed.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+  0
 *  |                     Magic "SHMBUS\0\0" (int64)                |
 *  +---------------------------------------------------------------+  8
 *  |             Layout version (int32, written last: ready)       |
 *  +---------------------------------------------------------------+ 12
 *  |                  Header length (int32, 4096)                  |
 *  +---------------------------------------------------------------+ 16
 *  |                 Control region offset (int64)                 |
 *  +---------------------------------------------------------------+ 24
 *  |                 Control region length (int64)                 |
 *  +---------------------------------------------------------------+ 32
 *  |                   Data ring offset (int64)                    |
 *  +---------------------------------------------------------------+ 40
 *  |              Data ring capacity (int64, power of 2)           |
 *  +---------------------------------------------------------------+ 48
 *  |                     File length (int64)                       |
 *  +---------------------------------------------------------------+ 56
 *  |                   Max message length (int32)                  |
 *  +---------------------------------------------------------------+ 60
 *  |                     Max publishers (int32)                    |
 *  +---------------------------------------------------------------+ 64
 *  |                    Max subscribers (int32)                    |
 *  +---------------------------------------------------------------+ 68
 *  |                 Record header length (int32)                  |
 *  +---------------------------------------------------------------+ 72
 *  |                        Flags (int32)                          |
 *  +---------------------------------------------------------------+ 76
 *  |                  Creator process id (int32)                   |
 *  +---------------------------------------------------------------+ 80
 *  |                Creation time, epoch ms (int64)                |
 *  +---------------------------------------------------------------+ 88
 *  |                  Topic name length (int32)                    |
 *  +---------------------------------------------------------------+ 92
 *  |              Topic name (US-ASCII, up to 100 bytes)         ...
 *  +---------------------------------------------------------------+ 192
 *  |                      Reserved, zero                         ...
 *  +---------------------------------------------------------------+ 4096
 * </pre>
 *
 * <p>The file's bytes 512 to 4095 of this page double as the byte ranges of the kernel liveness locks
 * ({@link LockDescriptor}); locks do not touch the bytes' contents.
 */
public final class TopicHeaderDescriptor
{
    /** "SHMBUS" followed by two zero bytes, read as a little-endian int64. */
    public static final long MAGIC = 0x0000_5355_424D_4853L;
    /** The layout version this code reads and writes. */
    public static final int LAYOUT_VERSION = 3;
    /** Length of the header page. */
    public static final int HEADER_LENGTH = 4096;
    /** Longest name stored in the header. */
    public static final int MAX_NAME_BYTES = 100;

    /** Flag: records carry a timestamp. */
    public static final int FLAG_TIMESTAMPS = 1;
    /** Flag: publishers report NOT_CONNECTED while no subscriber is attached. */
    public static final int FLAG_REQUIRE_SUBSCRIBER = 2;
    /** Flag: an anonymous (memfd) topic. */
    public static final int FLAG_ANONYMOUS = 4;
    /** Every flag this version knows. */
    public static final int KNOWN_FLAGS = FLAG_TIMESTAMPS | FLAG_REQUIRE_SUBSCRIBER | FLAG_ANONYMOUS;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = MAGIC_OFFSET + 8;
    public static final int HEADER_LENGTH_OFFSET = VERSION_OFFSET + 4;
    public static final int CONTROL_OFFSET_OFFSET = HEADER_LENGTH_OFFSET + 4;
    public static final int CONTROL_LENGTH_OFFSET = CONTROL_OFFSET_OFFSET + 8;
    public static final int DATA_OFFSET_OFFSET = CONTROL_LENGTH_OFFSET + 8;
    public static final int DATA_CAPACITY_OFFSET = DATA_OFFSET_OFFSET + 8;
    public static final int FILE_LENGTH_OFFSET = DATA_CAPACITY_OFFSET + 8;
    public static final int MAX_MESSAGE_LENGTH_OFFSET = FILE_LENGTH_OFFSET + 8;
    public static final int MAX_PUBLISHERS_OFFSET = MAX_MESSAGE_LENGTH_OFFSET + 4;
    public static final int MAX_SUBSCRIBERS_OFFSET = MAX_PUBLISHERS_OFFSET + 4;
    public static final int RECORD_HEADER_LENGTH_OFFSET = MAX_SUBSCRIBERS_OFFSET + 4;
    public static final int FLAGS_OFFSET = RECORD_HEADER_LENGTH_OFFSET + 4;
    public static final int CREATOR_PID_OFFSET = FLAGS_OFFSET + 4;
    public static final int CREATED_MS_OFFSET = CREATOR_PID_OFFSET + 4;
    public static final int NAME_LENGTH_OFFSET = CREATED_MS_OFFSET + 8;
    public static final int NAME_OFFSET = NAME_LENGTH_OFFSET + 4;
    /** Where the reserved bytes start: from here to the end of the page they are zero. */
    public static final int RESERVED_OFFSET = NAME_OFFSET + MAX_NAME_BYTES;

    static
    {
        if (NAME_OFFSET != 92 || RESERVED_OFFSET != 192)
        {
            throw new ExceptionInInitializerError("header layout drifted: name at " + NAME_OFFSET);
        }
    }

    private TopicHeaderDescriptor()
    {
    }

    /**
     * The geometry of a topic file, computed from its settings; the same code computes it for the creator
     * and for every opener, so a header whose lengths disagree with it is corrupt.
     *
     * @param capacity           ring capacity.
     * @param maxMessageLength   largest message.
     * @param maxPublishers      publisher slots.
     * @param maxSubscribers     subscriber slots.
     * @param recordHeaderLength 16 or 32.
     * @param controlOffset      where the control region starts.
     * @param controlLength      its length (page aligned).
     * @param dataOffset         where the ring starts (page aligned).
     * @param fileLength         total length.
     */
    public record Geometry(
        int capacity,
        int maxMessageLength,
        int maxPublishers,
        int maxSubscribers,
        int recordHeaderLength,
        long controlOffset,
        long controlLength,
        long dataOffset,
        long fileLength)
    {
        /**
         * @param capacity         ring capacity.
         * @param maxMessageLength largest message.
         * @param maxPublishers    publisher slots.
         * @param maxSubscribers   subscriber slots.
         * @param timestamps       whether records carry a timestamp.
         * @return the geometry.
         */
        public static Geometry of(
            final int capacity,
            final int maxMessageLength,
            final int maxPublishers,
            final int maxSubscribers,
            final boolean timestamps)
        {
            final long controlOffset = HEADER_LENGTH;
            final long controlLength = align(ControlDescriptor.length(maxPublishers, maxSubscribers), Layout.PAGE_SIZE);
            final long dataOffset = align(controlOffset + controlLength, Layout.REGION_ALIGNMENT);
            final long fileLength = dataOffset + capacity;
            return new Geometry(
                capacity,
                maxMessageLength,
                maxPublishers,
                maxSubscribers,
                timestamps ? RecordDescriptor.HEADER_LENGTH_WITH_TIMESTAMP : RecordDescriptor.HEADER_LENGTH,
                controlOffset,
                controlLength,
                dataOffset,
                fileLength);
        }
    }

    /**
     * Check a header against the real size of its file, step by step, each failure with its own message.
     *
     * @param header   the first page of the file.
     * @param fileSize the file's real size.
     * @param source   the file or descriptor, for messages.
     * @return the geometry the header describes.
     * @throws TopicCorruptedException naming the first thing that is wrong.
     */
    public static Geometry check(final AtomicBuffer header, final long fileSize, final String source)
    {
        if (fileSize < HEADER_LENGTH)
        {
            throw new TopicCorruptedException(
                source + ": file is " + fileSize + " bytes, shorter than the " + HEADER_LENGTH + "-byte topic header");
        }
        final long magic = header.getLong(MAGIC_OFFSET);
        if (magic != MAGIC)
        {
            throw new TopicCorruptedException(String.format(
                "%s: not a shmbus topic: magic is 0x%016x, expected 0x%016x", source, magic, MAGIC));
        }
        final int version = header.getIntVolatile(VERSION_OFFSET);
        if (version == 0)
        {
            throw new TopicCorruptedException(source + ": header is not initialised (layout version 0)");
        }
        if (version != LAYOUT_VERSION)
        {
            throw new TopicCorruptedException(
                source + ": layout version is " + version + ", this shmbus reads version " + LAYOUT_VERSION);
        }
        final int headerLength = header.getInt(HEADER_LENGTH_OFFSET);
        if (headerLength != HEADER_LENGTH)
        {
            throw new TopicCorruptedException(
                source + ": header length is " + headerLength + ", expected " + HEADER_LENGTH);
        }
        final long capacity = header.getLong(DATA_CAPACITY_OFFSET);
        if (capacity < TopicOptions.MIN_CAPACITY_BYTES || capacity > TopicOptions.MAX_CAPACITY_BYTES ||
            Long.bitCount(capacity) != 1)
        {
            throw new TopicCorruptedException(source + ": ring capacity " + capacity + " is not a power of two from " +
                TopicOptions.MIN_CAPACITY_BYTES + " to " + TopicOptions.MAX_CAPACITY_BYTES);
        }
        final int maxMessageLength = header.getInt(MAX_MESSAGE_LENGTH_OFFSET);
        if (maxMessageLength < 0 || maxMessageLength > capacity / 8)
        {
            throw new TopicCorruptedException(
                source + ": max message length " + maxMessageLength + " is outside 0 to capacity/8 = " + capacity / 8);
        }
        final int maxPublishers = header.getInt(MAX_PUBLISHERS_OFFSET);
        if (maxPublishers < 1 || maxPublishers > TopicOptions.MAX_PUBLISHERS)
        {
            throw new TopicCorruptedException(source + ": max publishers " + maxPublishers + " is outside 1 to " +
                TopicOptions.MAX_PUBLISHERS);
        }
        final int maxSubscribers = header.getInt(MAX_SUBSCRIBERS_OFFSET);
        if (maxSubscribers < 1 || maxSubscribers > TopicOptions.MAX_SUBSCRIBERS)
        {
            throw new TopicCorruptedException(source + ": max subscribers " + maxSubscribers + " is outside 1 to " +
                TopicOptions.MAX_SUBSCRIBERS);
        }
        final int flags = header.getInt(FLAGS_OFFSET);
        if ((flags & ~KNOWN_FLAGS) != 0)
        {
            throw new TopicCorruptedException(String.format("%s: unknown flags 0x%x", source, flags & ~KNOWN_FLAGS));
        }
        final Geometry expected = Geometry.of(
            (int)capacity, maxMessageLength, maxPublishers, maxSubscribers, (flags & FLAG_TIMESTAMPS) != 0);
        checkField(source, "record header length", header.getInt(RECORD_HEADER_LENGTH_OFFSET),
            expected.recordHeaderLength());
        checkField(source, "control region offset", header.getLong(CONTROL_OFFSET_OFFSET), expected.controlOffset());
        checkField(source, "control region length", header.getLong(CONTROL_LENGTH_OFFSET), expected.controlLength());
        checkField(source, "data ring offset", header.getLong(DATA_OFFSET_OFFSET), expected.dataOffset());
        checkField(source, "file length", header.getLong(FILE_LENGTH_OFFSET), expected.fileLength());
        if (fileSize < expected.fileLength())
        {
            throw new TopicCorruptedException(source + ": file is " + fileSize + " bytes but its header says " +
                expected.fileLength() + " (truncated?)");
        }
        final int nameLength = header.getInt(NAME_LENGTH_OFFSET);
        if (nameLength < 0 || nameLength > MAX_NAME_BYTES)
        {
            throw new TopicCorruptedException(source + ": topic name length " + nameLength + " is outside 0 to " +
                MAX_NAME_BYTES);
        }
        for (int i = RESERVED_OFFSET; i < HEADER_LENGTH; i += 8)
        {
            if (header.getLong(i) != 0)
            {
                int at = i;
                while (header.getByte(at) == 0)
                {
                    at++;
                }
                throw new TopicCorruptedException(String.format(
                    "%s: reserved header byte %d is 0x%02x: bytes %d to %d must be zero (a file of another layout?)",
                    source, at, header.getByte(at) & 0xff, RESERVED_OFFSET, HEADER_LENGTH - 1));
            }
        }
        return expected;
    }

    /**
     * Check that a header that passed {@link #check} belongs where it was found: a named topic's header holds the
     * name it was opened by and is not marked anonymous; a memfd's is marked anonymous.
     *
     * @param header       a checked header page.
     * @param source       the file or descriptor, for messages.
     * @param expectedName the name the topic was opened by, or null for an anonymous topic.
     * @throws TopicCorruptedException naming what does not match.
     */
    public static void checkIdentity(final DirectBuffer header, final String source, final String expectedName)
    {
        final boolean anonymous = (flags(header) & FLAG_ANONYMOUS) != 0;
        if (null == expectedName)
        {
            if (!anonymous)
            {
                throw new TopicCorruptedException(source + ": header is not marked anonymous");
            }
            return;
        }
        if (anonymous)
        {
            throw new TopicCorruptedException(source + ": header is marked anonymous (a memfd topic's), but it was " +
                "opened as the named topic '" + expectedName + "'");
        }
        final String stored = name(header);
        if (!stored.equals(expectedName))
        {
            throw new TopicCorruptedException(source + ": header names topic '" + printable(stored) + "', but the " +
                "file is '" + expectedName + "' (a copy or a rename of another topic's file?)");
        }
    }

    private static String printable(final String s)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f)
            {
                sb.append(c);
            }
            else
            {
                sb.append(String.format("\\x%02x", (int)c));
            }
        }
        return sb.toString();
    }

    private static void checkField(final String source, final String what, final long found, final long expected)
    {
        if (found != expected)
        {
            throw new TopicCorruptedException(
                source + ": " + what + " is " + found + " but the topic's settings give " + expected);
        }
    }

    /**
     * Write a header for a new topic. The layout version is stored last, with release semantics: a reader
     * that sees the version sees every other field.
     *
     * @param header    the header page, all zero.
     * @param geometry  the topic's geometry.
     * @param flags     the flags.
     * @param name      the topic name (US-ASCII, validated).
     * @param pid       the creator's process id.
     * @param createdMs the creation time.
     */
    public static void initialise(
        final AtomicBuffer header,
        final Geometry geometry,
        final int flags,
        final String name,
        final int pid,
        final long createdMs)
    {
        header.putLong(MAGIC_OFFSET, MAGIC);
        header.putInt(HEADER_LENGTH_OFFSET, HEADER_LENGTH);
        header.putLong(CONTROL_OFFSET_OFFSET, geometry.controlOffset());
        header.putLong(CONTROL_LENGTH_OFFSET, geometry.controlLength());
        header.putLong(DATA_OFFSET_OFFSET, geometry.dataOffset());
        header.putLong(DATA_CAPACITY_OFFSET, geometry.capacity());
        header.putLong(FILE_LENGTH_OFFSET, geometry.fileLength());
        header.putInt(MAX_MESSAGE_LENGTH_OFFSET, geometry.maxMessageLength());
        header.putInt(MAX_PUBLISHERS_OFFSET, geometry.maxPublishers());
        header.putInt(MAX_SUBSCRIBERS_OFFSET, geometry.maxSubscribers());
        header.putInt(RECORD_HEADER_LENGTH_OFFSET, geometry.recordHeaderLength());
        header.putInt(FLAGS_OFFSET, flags);
        header.putInt(CREATOR_PID_OFFSET, pid);
        header.putLong(CREATED_MS_OFFSET, createdMs);
        final int nameLength = Math.min(name.length(), MAX_NAME_BYTES);
        header.putInt(NAME_LENGTH_OFFSET, nameLength);
        header.putStringWithoutLengthAscii(NAME_OFFSET, name, 0, nameLength);
        header.putIntRelease(VERSION_OFFSET, LAYOUT_VERSION);
    }

    /**
     * @param header the header page.
     * @return the flags word.
     */
    public static int flags(final DirectBuffer header)
    {
        return header.getInt(FLAGS_OFFSET);
    }

    /**
     * @param header a checked header page.
     * @return the stored topic name.
     */
    public static String name(final DirectBuffer header)
    {
        final int length = header.getInt(NAME_LENGTH_OFFSET);
        return header.getStringWithoutLengthAscii(NAME_OFFSET, Math.max(0, Math.min(length, MAX_NAME_BYTES)));
    }
}
