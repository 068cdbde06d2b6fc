package io.shmbus.impl.layout;

import io.shmbus.BusException;
import io.shmbus.Topic;
import io.shmbus.TopicCorruptedException;
import io.shmbus.TopicMismatchException;
import io.shmbus.TopicOptions;
import io.shmbus.impl.TestBus;
import io.shmbus.impl.layout.TopicHeaderDescriptor.Geometry;
import io.shmbus.impl.mapping.AnonymousTopicFiles;
import io.shmbus.impl.platform.Linux;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.shmbus.impl.layout.TopicHeaderDescriptor.CONTROL_LENGTH_OFFSET;
import static io.shmbus.impl.layout.TopicHeaderDescriptor.CONTROL_OFFSET_OFFSET;
import static io.shmbus.impl.layout.TopicHeaderDescriptor.DATA_CAPACITY_OFFSET;
import static io.shmbus.impl.layout.TopicHeaderDescriptor.DATA_OFFSET_OFFSET;
import static io.shmbus.impl.layout.TopicHeaderDescriptor.FILE_LENGTH_OFFSET;
import static io.shmbus.impl.layout.TopicHeaderDescriptor.FLAGS_OFFSET;
import static io.shmbus.impl.layout.TopicHeaderDescriptor.HEADER_LENGTH_OFFSET;
import static io.shmbus.impl.layout.TopicHeaderDescriptor.MAGIC_OFFSET;
import static io.shmbus.impl.layout.TopicHeaderDescriptor.MAX_MESSAGE_LENGTH_OFFSET;
import static io.shmbus.impl.layout.TopicHeaderDescriptor.MAX_PUBLISHERS_OFFSET;
import static io.shmbus.impl.layout.TopicHeaderDescriptor.MAX_SUBSCRIBERS_OFFSET;
import static io.shmbus.impl.layout.TopicHeaderDescriptor.NAME_LENGTH_OFFSET;
import static io.shmbus.impl.layout.TopicHeaderDescriptor.RECORD_HEADER_LENGTH_OFFSET;
import static io.shmbus.impl.layout.TopicHeaderDescriptor.VERSION_OFFSET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Topic files that are not what they claim: each is a copy of a valid topic with one header field changed (or the
 * file cut short, or not a regular file at all). Opening one must fail with an exception that says what is wrong
 * and names the values, before anything past the header is trusted. Each case prints {@code BAD HEADER <case> ->
 * <exception>} so the outcomes can be read in the test's output.
 */
class BadHeaderTest
{
    private static final TopicOptions OPTIONS = TopicOptions.builder()
        .capacityBytes(64 * 1024)
        .maxMessageLength(1024)
        .maxPublishers(4)
        .maxSubscribers(4)
        .build();
    private static final Geometry GEOMETRY = Geometry.of(64 * 1024, 1024, 4, 4, false);
    private static final AtomicInteger COPIES = new AtomicInteger();

    private static TestBus test;
    private static Path original;

    @BeforeAll
    static void createValidTopic()
    {
        test = TestBus.create("badheader");
        test.bus().topic("original", OPTIONS).close();
        original = test.directory().resolve("original");
    }

    @AfterAll
    static void removeBus()
    {
        test.close();
    }

    @Test
    void wrongMagic() throws IOException
    {
        expectCorrupt("wrong magic", putLong(MAGIC_OFFSET, 0x1122334455667788L),
            "not a shmbus topic", "magic is 0x1122334455667788", "expected 0x0000535542" + "4d4853");
    }

    @Test
    void wrongLayoutVersion() throws IOException
    {
        expectCorrupt("layout version 4", putInt(VERSION_OFFSET, 4), "layout version is 4", "reads version 3");
        expectCorrupt("layout version 2", putInt(VERSION_OFFSET, 2), "layout version is 2", "reads version 3");
        expectCorrupt("layout version -1", putInt(VERSION_OFFSET, -1), "layout version is -1");
    }

    @Test
    void aFutureLayoutVersionIsNamedBeforeAnythingElse() throws IOException
    {
        // A version 4 file may differ in every field after the version: the version is what the reader is told of.
        expectCorrupt("layout version 4 with another header length, reserved bytes in use and another name",
            file ->
            {
                putInt(VERSION_OFFSET, 4).apply(file);
                putInt(HEADER_LENGTH_OFFSET, 8192).apply(file);
                putLong(1000, -1L).apply(file);
                putInt(NAME_LENGTH_OFFSET, 7).apply(file);
            },
            "layout version is 4", "this shmbus reads version 3");
    }

    @Test
    void reservedBytesAreZero() throws IOException
    {
        expectCorrupt("reserved byte 192", putByte(192, 1), "reserved header byte 192 is 0x01", "192 to 4095");
        expectCorrupt("reserved byte 3000", putByte(3000, 0x80), "reserved header byte 3000 is 0x80");
        expectCorrupt("reserved byte 4095", putByte(4095, 0x7f), "reserved header byte 4095 is 0x7f");
    }

    @Test
    void aNamedFileHoldsItsOwnName() throws IOException
    {
        // The file is a copy of "original" that kept the original's header.
        final String name = copy(false, file -> { });
        final Executable[] ways = {() -> test.bus().openTopic(name), () -> test.bus().topic(name, OPTIONS)};
        for (final Executable way : ways)
        {
            final TopicCorruptedException ex = assertThrows(TopicCorruptedException.class, way);
            assertTrue(ex.getMessage().contains("header names topic 'original', but the file is '" + name + "'"),
                ex.getMessage());
        }
        report("header of another topic's name", assertThrows(TopicCorruptedException.class,
            () -> test.bus().openTopic(name)));
        expectCorrupt("name one byte longer", file ->
        {
            final ByteBuffer length = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            file.read(length, NAME_LENGTH_OFFSET);
            putInt(NAME_LENGTH_OFFSET, length.getInt(0) + 1).apply(file);
        }, "header names topic 'copy", "but the file is 'copy");
    }

    @Test
    void aNamedFileIsNotMarkedAnonymous() throws IOException
    {
        expectCorrupt("ANONYMOUS flag on a named file", putInt(FLAGS_OFFSET, TopicHeaderDescriptor.FLAG_ANONYMOUS |
            TopicHeaderDescriptor.FLAG_REQUIRE_SUBSCRIBER), "header is marked anonymous", "named topic 'copy");
    }

    @Test
    void aReceivedDescriptorIsMarkedAnonymous() throws Exception
    {
        // A sealed memfd holding a named topic's valid header: what a peer pretending to share a topic might send.
        final byte[] bytes = Files.readAllBytes(original);
        final int fd = Linux.memfdCreate("badheader", true);
        try (FileChannel memfd = FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.WRITE))
        {
            memfd.write(ByteBuffer.wrap(bytes));
        }
        Linux.addSeals(fd, AnonymousTopicFiles.ANONYMOUS_SEALS);
        final TopicCorruptedException ex = assertThrows(TopicCorruptedException.class,
            () -> AnonymousTopicFiles.mapReceived(fd, "original"));
        report("memfd whose header is not marked anonymous", ex);
        assertTrue(ex.getMessage().contains("header is not marked anonymous"), ex.getMessage());
        assertTrue(ex.getMessage().contains("memfd:shmbus:original"), ex.getMessage());
    }

    @Test
    void uninitialisedHeader() throws IOException
    {
        expectCorrupt("layout version 0", putInt(VERSION_OFFSET, 0), "not initialised", "layout version 0");
    }

    @Test
    void wrongHeaderLength() throws IOException
    {
        expectCorrupt("header length 8192", putInt(HEADER_LENGTH_OFFSET, 8192), "header length is 8192",
            "expected 4096");
        expectCorrupt("header length 0", putInt(HEADER_LENGTH_OFFSET, 0), "header length is 0");
    }

    @Test
    void badCapacity() throws IOException
    {
        expectCorrupt("capacity 3000", putLong(DATA_CAPACITY_OFFSET, 3000), "ring capacity 3000", "power of two");
        expectCorrupt("capacity 2048", putLong(DATA_CAPACITY_OFFSET, 2048), "ring capacity 2048", "from 4096");
        expectCorrupt("capacity 2^31", putLong(DATA_CAPACITY_OFFSET, 1L << 31), "ring capacity 2147483648");
        expectCorrupt("capacity -65536", putLong(DATA_CAPACITY_OFFSET, -65536), "ring capacity -65536");
        expectCorrupt("capacity 128 KiB, file for 64 KiB", putLong(DATA_CAPACITY_OFFSET, 128 * 1024),
            "file length is " + (GEOMETRY.dataOffset() + 64 * 1024), "settings give " +
            (GEOMETRY.dataOffset() + 128 * 1024));
    }

    @Test
    void settingsOutOfRange() throws IOException
    {
        expectCorrupt("maxMessageLength capacity/8 + 1", putInt(MAX_MESSAGE_LENGTH_OFFSET, 8193),
            "max message length 8193", "capacity/8 = 8192");
        expectCorrupt("maxMessageLength -1", putInt(MAX_MESSAGE_LENGTH_OFFSET, -1), "max message length -1");
        expectCorrupt("maxPublishers 0", putInt(MAX_PUBLISHERS_OFFSET, 0), "max publishers 0", "1 to 1024");
        expectCorrupt("maxPublishers 1025", putInt(MAX_PUBLISHERS_OFFSET, 1025), "max publishers 1025");
        expectCorrupt("maxSubscribers 0", putInt(MAX_SUBSCRIBERS_OFFSET, 0), "max subscribers 0", "1 to 1024");
        expectCorrupt("maxSubscribers 5000", putInt(MAX_SUBSCRIBERS_OFFSET, 5000), "max subscribers 5000");
        expectCorrupt("name length 101", putInt(NAME_LENGTH_OFFSET, 101), "topic name length 101", "0 to 100");
        expectCorrupt("name length -5", putInt(NAME_LENGTH_OFFSET, -5), "topic name length -5");
    }

    @Test
    void unknownFlags() throws IOException
    {
        expectCorrupt("flags 0x100", putInt(FLAGS_OFFSET, 0x100 | 2), "unknown flags 0x100");
        expectCorrupt("flags 0x80000000", putInt(FLAGS_OFFSET, 0x8000_0000 | 2), "unknown flags 0x80000000");
    }

    @Test
    void inconsistentGeometry() throws IOException
    {
        expectCorrupt("timestamps flag without 32-byte record headers", putInt(FLAGS_OFFSET, 1 | 2),
            "record header length is 16", "settings give 32");
        expectCorrupt("record header length 24", putInt(RECORD_HEADER_LENGTH_OFFSET, 24),
            "record header length is 24", "settings give 16");
        expectCorrupt("control offset 8192", putLong(CONTROL_OFFSET_OFFSET, 8192),
            "control region offset is 8192", "settings give 4096");
        expectCorrupt("control length 0", putLong(CONTROL_LENGTH_OFFSET, 0),
            "control region length is 0", "settings give " + GEOMETRY.controlLength());
        expectCorrupt("data offset 4096", putLong(DATA_OFFSET_OFFSET, 4096),
            "data ring offset is 4096", "settings give " + GEOMETRY.dataOffset());
        expectCorrupt("file length + 4096", putLong(FILE_LENGTH_OFFSET, GEOMETRY.fileLength() + 4096),
            "file length is " + (GEOMETRY.fileLength() + 4096), "settings give " + GEOMETRY.fileLength());
        expectCorrupt("file length 2^62", putLong(FILE_LENGTH_OFFSET, 1L << 62), "file length is " + (1L << 62));
    }

    @Test
    void truncatedFiles() throws IOException
    {
        expectCorrupt("file one page shorter than its header says", truncate(GEOMETRY.fileLength() - 4096),
            "file is " + (GEOMETRY.fileLength() - 4096) + " bytes but its header says " + GEOMETRY.fileLength(),
            "truncated");
        expectCorrupt("file one byte shorter than its header says", truncate(GEOMETRY.fileLength() - 1),
            "file is " + (GEOMETRY.fileLength() - 1) + " bytes");
        expectCorrupt("file of 4095 bytes", truncate(4095), "file is 4095 bytes", "shorter than the 4096-byte");
        expectCorrupt("file of 4096 bytes (header only)", truncate(4096), "file is 4096 bytes but its header says");
        expectCorrupt("empty file", truncate(0), "file is 0 bytes");
    }

    @Test
    void settingsMismatchNamesBothValues()
    {
        final TopicOptions other = OPTIONS.toBuilder()
            .capacityBytes(128 * 1024).maxMessageLength(2048).maxSubscribers(8).timestamps(true).build();
        final TopicMismatchException ex = assertThrows(TopicMismatchException.class,
            () -> test.bus().topic("original", other));
        report("settings mismatch", ex);
        for (final String part : new String[]{
            "capacityBytes asked 131072 but the topic has 65536", "maxMessageLength asked 2048 but the topic has 1024",
            "maxSubscribers asked 8 but the topic has 4", "timestamps asked true but the topic has false"})
        {
            assertTrue(ex.getMessage().contains(part), ex.getMessage());
        }
        assertTrue(!ex.getMessage().contains("maxPublishers"), ex.getMessage());
    }

    @Test
    void aHeaderWithOtherValidSettingsIsAMismatchNotCorruption() throws IOException
    {
        final String copy = copy(putInt(MAX_PUBLISHERS_OFFSET, 5));
        final TopicMismatchException ex = assertThrows(TopicMismatchException.class,
            () -> test.bus().topic(copy, OPTIONS));
        report("header with 5 publishers opened asking for 4", ex);
        assertTrue(ex.getMessage().contains("maxPublishers asked 4 but the topic has 5"), ex.getMessage());
    }

    @Test
    @Timeout(30)
    void notARegularFile() throws Exception
    {
        final Path directory = test.directory();
        final Path target = directory.resolve(copy(file -> { }));
        Files.createSymbolicLink(directory.resolve("link"), target);
        final BusException link = assertThrows(BusException.class, () -> test.bus().openTopic("link"));
        report("symbolic link to a valid topic", link);
        assertTrue(link.getMessage().contains("ELOOP"), link.getMessage());

        Files.createDirectory(directory.resolve("dir"));
        final BusException dir = assertThrows(BusException.class, () -> test.bus().openTopic("dir"));
        report("directory", dir);
        assertTrue(dir.getMessage().contains("EISDIR"), dir.getMessage());

        final Process mkfifo = new ProcessBuilder("mkfifo", directory.resolve("fifo").toString()).start();
        assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo failed");
        final BusException fifo = assertThrows(BusException.class, () -> test.bus().openTopic("fifo"));
        report("FIFO", fifo);
        assertTrue(fifo.getMessage().contains("fifo"), fifo.getMessage());

        // Creating a topic over any of them fails the same way and leaves them alone.
        for (final String name : new String[]{"link", "dir", "fifo"})
        {
            final BusException ex = assertThrows(BusException.class, () -> test.bus().topic(name, OPTIONS));
            report("topic() over " + name, ex);
        }
        assertEquals(target, Files.readSymbolicLink(directory.resolve("link")));
        assertTrue(Files.isDirectory(directory.resolve("dir")));
    }

    private interface Change
    {
        void apply(FileChannel file) throws IOException;
    }

    private static Change putLong(final int offset, final long value)
    {
        return file -> file.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value), offset);
    }

    private static Change putInt(final int offset, final int value)
    {
        return file -> file.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value), offset);
    }

    private static Change putByte(final int offset, final int value)
    {
        return file -> file.write(ByteBuffer.allocate(1).put(0, (byte)value), offset);
    }

    private static Change truncate(final long size)
    {
        return file -> file.truncate(size);
    }

    /**
     * A copy of the original topic under a new name, its header naming it (as a topic created by that name would),
     * then changed.
     */
    private static String copy(final Change change) throws IOException
    {
        return copy(true, change);
    }

    private static String copy(final boolean rename, final Change change) throws IOException
    {
        final String name = "copy" + COPIES.incrementAndGet();
        final Path copy = test.directory().resolve(name);
        Files.copy(original, copy);
        try (FileChannel file = FileChannel.open(copy, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            if (rename)
            {
                final ByteBuffer stored = ByteBuffer.allocate(4 + TopicHeaderDescriptor.MAX_NAME_BYTES)
                    .order(ByteOrder.LITTLE_ENDIAN).putInt(name.length()).put(name.getBytes(StandardCharsets.US_ASCII));
                file.write(stored.clear(), NAME_LENGTH_OFFSET);
            }
            change.apply(file);
        }
        return name;
    }

    /**
     * Open a changed copy both ways (open, and create-or-open with the original settings): each must throw
     * TopicCorruptedException containing every fragment.
     */
    private static void expectCorrupt(final String what, final Change change, final String... fragments)
        throws IOException
    {
        final String name = copy(change);
        final Executable[] ways = {() -> test.bus().openTopic(name), () -> test.bus().topic(name, OPTIONS)};
        for (final Executable way : ways)
        {
            final TopicCorruptedException ex = assertThrows(TopicCorruptedException.class, way, what);
            for (final String fragment : fragments)
            {
                if (!ex.getMessage().contains(fragment))
                {
                    fail(what + ": message lacks '" + fragment + "': " + ex.getMessage());
                }
            }
            assertTrue(ex.getMessage().contains(name), "the message names the file: " + ex.getMessage());
        }
        report(what, assertThrows(TopicCorruptedException.class, () -> test.bus().openTopic(name)));
        // Nothing was created or left behind by the attempts.
        try (java.util.stream.Stream<Path> files = Files.list(test.directory()))
        {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".creating")));
        }
    }

    static void report(final String what, final Exception ex)
    {
        System.out.println("BAD HEADER " + what + " -> " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
    }

    @Test
    void theOriginalStillOpens()
    {
        try (Topic topic = test.bus().openTopic("original"))
        {
            assertEquals(OPTIONS, topic.options());
        }
    }
}
