package io.shmbus.impl.anonymous;

import io.shmbus.BusException;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.ShareOptions;
import io.shmbus.Topic;
import io.shmbus.TopicCorruptedException;
import io.shmbus.TopicOptions;
import io.shmbus.TopicShare;
import io.shmbus.impl.TestBus;
import io.shmbus.impl.layout.TopicHeaderDescriptor;
import io.shmbus.impl.layout.TopicHeaderDescriptor.Geometry;
import io.shmbus.impl.mapping.AnonymousTopicFiles;
import io.shmbus.impl.platform.Linux;
import io.shmbus.impl.process.AnonymousJoinMain;
import io.shmbus.impl.process.ChildGroup;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.ReadableClassPath;
import io.shmbus.impl.process.TestMessages;
import io.shmbus.impl.process.TestUser;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Anonymous (memfd) topics between processes: a child JVM joins through the owner's Unix socket and receives a
 * million checked messages; no file appears in either bus directory or in /dev/shm; the descriptor it receives
 * cannot be resized (its seals); a process not on the allow-list is refused with a message naming its uid and gid;
 * and a joiner refuses a descriptor that is not sealed or does not hold an anonymous topic, whoever sends it.
 */
class AnonymousCrossProcessTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long MESSAGES = 1_000_000;
    private static final int MAX = 256;

    @Test
    @Timeout(240)
    void aMillionCheckedMessagesToAnotherProcessLeaveNoFile() throws Exception
    {
        final Set<String> shmBefore = listShm();
        final Path childDirectory = TestBus.newDirectory("anonchild");
        try (TestBus test = TestBus.create("anonowner"); ChildGroup children = new ChildGroup())
        {
            final Topic topic = test.bus().anonymousTopic("xfeed", TopicOptions.builder()
                .capacityBytes(1 << 20).maxMessageLength(MAX).build());
            final String address = "shmbus-test-xfeed-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
            try (TopicShare share = topic.share(ShareOptions.abstractName(address)))
            {
                // The joiner cannot change the memory's size: the seals forbid it to everyone, the owner included.
                final ChildProcess sealed = children.start("seals", AnonymousJoinMain.class,
                    "address=" + address, "action=seals");
                final String maps = sealed.awaitLine("MEMFD", TIMEOUT);
                assertTrue(maps.contains("/memfd:shmbus:xfeed (deleted)"), maps);
                for (final String attempt : new String[]{"SHRINK", "GROW", "FALLOCATE", "UNSEAL"})
                {
                    final String line = sealed.awaitLine(attempt, TIMEOUT);
                    System.out.println("ANONYMOUS joiner's attempt: " + line);
                    assertEquals(attempt + " EPERM", line);
                }
                final String[] sizes = sealed.awaitWords("SIZE", TIMEOUT);
                assertEquals(sizes[0], sizes[1], "the size did not change");
                assertEquals(0, sealed.awaitExit(TIMEOUT), sealed.diagnostics());

                final ChildProcess subscriber = children.start("subscriber", AnonymousJoinMain.class,
                    "address=" + address, "dir=" + childDirectory, "action=subscribe", "count=" + MESSAGES,
                    "max=" + MAX, "deadline=200");
                subscriber.awaitLine("READY", TIMEOUT);
                final long start = System.nanoTime();
                final long checksum = publish(topic.publisher(PublisherOptions.exclusive()), subscriber);
                final String[] done = subscriber.awaitWords("DONE", Duration.ofSeconds(120));
                final long elapsed = System.nanoTime() - start;
                assertEquals(MESSAGES, Long.parseLong(done[0]));
                assertEquals(checksum, Long.parseLong(done[1]), "checksum of every message");
                assertEquals(0, subscriber.awaitExit(TIMEOUT), subscriber.diagnostics());
                assertEquals(2, share.handedOut());
                System.out.printf("ANONYMOUS %d checked messages to another process in %d ms%n", MESSAGES,
                    TimeUnit.NANOSECONDS.toMillis(elapsed));
            }
            assertEquals(List.of(), list(test.directory()), "nothing in the owner's bus directory");
            assertEquals(List.of(), list(childDirectory), "nothing in the joiner's bus directory");
            final Set<String> added = listShm();
            added.removeAll(shmBefore);
            assertTrue(added.stream().noneMatch(name -> name.contains("xfeed") || name.contains("memfd")),
                "nothing new in /dev/shm for the topic: " + added);
        }
        finally
        {
            TestBus.delete(childDirectory);
        }
    }

    private static long publish(final Publisher publisher, final ChildProcess subscriber)
    {
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[MAX]);
        final CRC32C crc = new CRC32C();
        long checksum = 0;
        for (long sequence = 0; sequence < MESSAGES; sequence++)
        {
            final int length = TestMessages.length(0, sequence, MAX);
            checksum += TestMessages.fill(scratch, crc, 0, sequence, length);
            final int type = TestMessages.type(0, sequence);
            long result;
            int idle = 0;
            while ((result = publisher.offer(scratch, 0, length, type)) <= 0)
            {
                assertTrue(result == Publisher.BACK_PRESSURED || result == Publisher.ADMIN_ACTION, "status " + result);
                if (++idle > 100)
                {
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                    if (!subscriber.isAlive())
                    {
                        throw new AssertionError("the subscriber died\n" + subscriber.diagnostics());
                    }
                }
            }
        }
        return checksum;
    }

    @Test
    @Timeout(120)
    void aProcessNotOnTheAllowListIsRefused() throws Exception
    {
        final Path childDirectory = TestBus.newDirectory("anondeny");
        try (TestBus test = TestBus.create("anonowner"); ChildGroup children = new ChildGroup())
        {
            final Topic topic = test.bus().anonymousTopic("secret",
                TopicOptions.builder().capacityBytes(64 * 1024).build());
            final String address = "shmbus-test-secret-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
            try (TopicShare share = topic.share(ShareOptions.abstractName(address).denyOwnUid()))
            {
                final ChildProcess refused = children.start("refused", AnonymousJoinMain.class,
                    "address=" + address, "dir=" + childDirectory, "action=join");
                final String line = refused.awaitLine("BUS_EXCEPTION", TIMEOUT);
                System.out.println("ANONYMOUS same uid, own uid denied -> " + line);
                final int uid = Linux.getuid();
                assertTrue(line.contains("refused by the owner on @" + address) &&
                    line.contains("uid " + uid + " gid ") && line.contains("is not on the allow-list of topic secret"),
                    line);
                assertEquals(0, refused.awaitExit(TIMEOUT));
                assertEquals(1, share.refused());
                assertEquals(0, share.handedOut());
            }
        }
        finally
        {
            TestBus.delete(childDirectory);
        }
    }

    @Test
    @Timeout(180)
    void anotherUserIsRefusedUnlessAllowed() throws Exception
    {
        assumeTrue(TestUser.isRoot(), "needs root to run a child as another user");
        final TestUser user = TestUser.ensure();
        final Path childDirectory = TestBus.newDirectory("anonuser");
        try (TestBus test = TestBus.create("anonowner"); ChildGroup children = new ChildGroup();
            ReadableClassPath classPath = ReadableClassPath.create())
        {
            final Topic topic = test.bus().anonymousTopic("guarded", TopicOptions.builder().capacityBytes(64 * 1024)
                .requireSubscriber(false).build());
            final Publisher publisher = topic.publisher(PublisherOptions.exclusive());
            final byte[] text = "hello other user".getBytes(StandardCharsets.US_ASCII);
            assertTrue(publisher.offer(new UnsafeBuffer(text), 0, text.length) > 0);

            final String denied = "shmbus-test-guarded-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
            try (TopicShare share = topic.share(ShareOptions.abstractName(denied)))
            {
                final ChildProcess refused = children.start("other-user", user.runAs(true), TestUser.jvmFlags(),
                    classPath.classPath(), AnonymousJoinMain.class, "address=" + denied, "dir=" + childDirectory,
                    "action=join");
                final String line = refused.awaitLine("BUS_EXCEPTION", TIMEOUT);
                System.out.println("ANONYMOUS another user, default allow-list -> " + line);
                assertTrue(line.contains("uid " + user.uid() + " gid " + user.gid() + " is not on the allow-list"),
                    line);
                assertEquals(0, refused.awaitExit(TIMEOUT));
                assertEquals(1, share.refused());
            }

            final String allowed = denied + "-allowed";
            try (TopicShare share = topic.share(ShareOptions.abstractName(allowed).allowUid(user.uid())))
            {
                final ChildProcess joiner = children.start("allowed-user", user.runAs(true), TestUser.jvmFlags(),
                    classPath.classPath(), AnonymousJoinMain.class, "address=" + allowed, "dir=" + childDirectory,
                    "action=join");
                joiner.awaitLine("JOINED", TIMEOUT);
                final String message = joiner.awaitLine("MESSAGE", TIMEOUT);
                System.out.println("ANONYMOUS another user on the allow-list -> " + message);
                assertEquals("MESSAGE hello other user", message);
                assertEquals(0, joiner.awaitExit(TIMEOUT), joiner.diagnostics());
                assertEquals(1, share.handedOut());
            }
        }
        finally
        {
            TestBus.delete(childDirectory);
        }
    }

    @Test
    @Timeout(30)
    void aDescriptorWithoutSealsIsRefused() throws Exception
    {
        final Geometry geometry = Geometry.of(64 * 1024, 1024, 4, 4, false);
        // A memfd holding a perfectly valid anonymous topic header, but resizable.
        final int unsealed = validTopicMemfd(geometry, TopicHeaderDescriptor.FLAG_ANONYMOUS, 0);
        final BusException notSealed =
            assertThrows(BusException.class, () -> AnonymousTopicFiles.mapReceived(unsealed, "fake"));
        System.out.println("ANONYMOUS unsealed descriptor -> " + notSealed.getMessage());
        assertTrue(notSealed.getMessage().contains("not sealed against resizing") &&
            notSealed.getMessage().contains("seals 0x0") && notSealed.getMessage().contains("need 0x7"),
            notSealed.getMessage());

        // Sealed against shrinking only: still refused.
        final int half = validTopicMemfd(geometry, TopicHeaderDescriptor.FLAG_ANONYMOUS, Linux.F_SEAL_SHRINK);
        final BusException halfSealed =
            assertThrows(BusException.class, () -> AnonymousTopicFiles.mapReceived(half, "fake"));
        System.out.println("ANONYMOUS descriptor sealed against shrinking only -> " + halfSealed.getMessage());
        assertTrue(halfSealed.getMessage().contains("seals 0x2"), halfSealed.getMessage());

        // Sealed, but the header is a named topic's.
        final int named = validTopicMemfd(geometry, 0, AnonymousTopicFiles.ANONYMOUS_SEALS);
        final TopicCorruptedException notAnonymous = assertThrows(TopicCorruptedException.class,
            () -> AnonymousTopicFiles.mapReceived(named, "fake"));
        System.out.println("ANONYMOUS sealed descriptor of a named topic -> " + notAnonymous.getMessage());
        assertTrue(notAnonymous.getMessage().contains("not marked anonymous"), notAnonymous.getMessage());

        // Sealed, but not a topic at all.
        final int garbage = Linux.memfdCreate("garbage", true);
        Linux.ftruncate(garbage, 8192);
        Linux.addSeals(garbage, AnonymousTopicFiles.ANONYMOUS_SEALS);
        final TopicCorruptedException notATopic = assertThrows(TopicCorruptedException.class,
            () -> AnonymousTopicFiles.mapReceived(garbage, "fake"));
        System.out.println("ANONYMOUS sealed descriptor of zeros -> " + notATopic.getMessage());
        assertTrue(notATopic.getMessage().contains("not a shmbus topic"), notATopic.getMessage());
    }

    @Test
    @Timeout(30)
    void aHostileOwnerCannotHandOverUnsafeMemory() throws Exception
    {
        final Geometry geometry = Geometry.of(64 * 1024, 1024, 4, 4, false);
        final Object[][] cases = {
            {"an unsealed memfd", "SHMBUS1 OK fake", validTopicMemfd(geometry, TopicHeaderDescriptor.FLAG_ANONYMOUS, 0),
                "not sealed against resizing"},
            {"a regular file", "SHMBUS1 OK fake", regularFile(), "a peer could truncate it under this process"},
            {"a label that is not a topic name", "SHMBUS1 OK ../../x\nforged log line",
                validTopicMemfd(geometry, TopicHeaderDescriptor.FLAG_ANONYMOUS, AnonymousTopicFiles.ANONYMOUS_SEALS),
                "sent an invalid topic label"},
            {"a sealed memfd of a named topic", "SHMBUS1 OK fake",
                validTopicMemfd(geometry, 0, AnonymousTopicFiles.ANONYMOUS_SEALS),
                "not marked anonymous"},
            {"another protocol", "HTTP/1.1 200 OK", -1, "does not speak the shmbus share protocol"},
            {"OK without a descriptor", "SHMBUS1 OK fake", -1, "sent no descriptor"},
        };
        try (TestBus test = TestBus.create("hostileowner"))
        {
            for (final Object[] c : cases)
            {
                final String address = "shmbus-test-hostile-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
                final int listen = Linux.unixListen(address, true, 1);
                final int fd = (Integer)c[2];
                final Thread owner = new Thread(() ->
                {
                    try
                    {
                        final int connection = Linux.unixAccept(listen);
                        Linux.sendFd(connection, fd, ((String)c[1]).getBytes(StandardCharsets.US_ASCII));
                        Linux.close(connection);
                    }
                    catch (final Exception ex)
                    {
                        ex.printStackTrace();
                    }
                }, "hostile-owner");
                owner.start();
                try
                {
                    final BusException ex = assertThrows(BusException.class,
                        () -> test.bus().joinAnonymous(ShareOptions.abstractName(address), 5_000_000_000L));
                    System.out.println("ANONYMOUS hostile owner sends " + c[0] + " -> " +
                        ex.getClass().getSimpleName() + ": " + ex.getMessage());
                    assertTrue(ex.getMessage().contains((String)c[3]), ex.getMessage());
                }
                finally
                {
                    owner.join(5_000);
                    Linux.close(listen);
                    if (fd >= 0)
                    {
                        Linux.close(fd);
                    }
                }
            }
            assertEquals(List.of(), list(test.directory()));
        }
    }

    private static int regularFile() throws Exception
    {
        final Path file = Files.createTempFile(Path.of("/tmp"), "shmbus-test-regular", ".bin");
        try
        {
            final int fd = Linux.open(file.toString(), Linux.O_RDWR | Linux.O_CLOEXEC, 0);
            Linux.ftruncate(fd, 1 << 20);
            return fd;
        }
        finally
        {
            Files.delete(file);
        }
    }

    /**
     * A memfd holding a valid topic header for {@code geometry}, with {@code flags}, then {@code seals} added.
     */
    private static int validTopicMemfd(final Geometry geometry, final int flags, final int seals) throws Exception
    {
        final int fd = Linux.memfdCreate("shmbus:fake", true);
        Linux.ftruncate(fd, geometry.fileLength());
        final long address = Linux.mmap(fd, 0, TopicHeaderDescriptor.HEADER_LENGTH, true);
        try
        {
            TopicHeaderDescriptor.initialise(new UnsafeBuffer(address, TopicHeaderDescriptor.HEADER_LENGTH), geometry,
                flags, "fake", 1, 0);
        }
        finally
        {
            Linux.munmap(address, TopicHeaderDescriptor.HEADER_LENGTH);
        }
        if (seals != 0)
        {
            Linux.addSeals(fd, seals);
        }
        return fd;
    }

    private static List<Path> list(final Path directory) throws Exception
    {
        if (!Files.exists(directory))
        {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory))
        {
            return files.toList();
        }
    }

    private static Set<String> listShm() throws Exception
    {
        try (Stream<Path> files = Files.list(Path.of("/dev/shm")))
        {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }
}
