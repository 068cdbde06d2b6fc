package io.shmbus.impl.mapping;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;
import io.shmbus.impl.TestBus;
import io.shmbus.impl.process.BusProbeMain;
import io.shmbus.impl.process.ChildGroup;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.ChildSupport;
import io.shmbus.impl.process.ReadableClassPath;
import io.shmbus.impl.process.TestUser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Who may use a bus: a second, unprivileged user ({@link TestUser}) runs child JVMs with {@code setpriv}. It cannot
 * open another user's 0600 topic, nor enter a 0700 bus directory (a BusException saying permission was denied, no
 * crash); with the bus's group it can publish on a 0660 topic in a 0770 directory, and without that group it
 * cannot. Creation sets 0700/0600 (0770/0660 with a group) whatever the creator's umask.
 *
 * <p>Root bypasses file permissions, so each check that must be refused runs as the other user; the tests that need
 * one are skipped when not run as root.
 */
class PermissionsTest
{
    private static final TopicOptions OPTIONS = TopicOptions.builder().capacityBytes(64 * 1024).build();
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);

    private static ReadableClassPath classPath;
    private static TestUser user;
    private final List<Path> directories = new ArrayList<>();

    @BeforeAll
    static void setUp()
    {
        if (TestUser.isRoot())
        {
            user = TestUser.ensure();
            classPath = ReadableClassPath.create();
        }
    }

    @AfterAll
    static void tearDown()
    {
        if (null != classPath)
        {
            classPath.close();
        }
    }

    @org.junit.jupiter.api.AfterEach
    void removeDirectories()
    {
        directories.forEach(TestBus::delete);
    }

    private Path newDirectory(final String label)
    {
        final Path directory = TestBus.newDirectory(label);
        directories.add(directory);
        return directory;
    }

    @Test
    @Timeout(120)
    void anotherUserCannotEnterA0700BusDirectory() throws Exception
    {
        assumeTrue(TestUser.isRoot(), "needs root to run a child as another user");
        final Path directory = newDirectory("perm0700");
        try (Bus bus = Bus.open(BusOptions.builder().directory(directory).build());
            ChildGroup children = new ChildGroup())
        {
            bus.topic("t", OPTIONS).close();
            assertMode(directory, "rwx------", "root");
            assertMode(directory.resolve("t"), "rw-------", "root");
            for (final String action : new String[]{"bus", "open"})
            {
                final String line = probe(children, user.runAs(true), "dir=" + directory, "topic=t", "action=" +
                    action);
                report("another user, action " + action + ", 0700 bus directory of root", line);
                assertTrue(line.startsWith("BUS_EXCEPTION BusException") && line.contains("permission denied") &&
                    line.contains(directory.toString()) && line.contains(TestUser.NAME), line);
            }
        }
    }

    @Test
    @Timeout(120)
    void anotherUserCannotOpenA0600Topic() throws Exception
    {
        assumeTrue(TestUser.isRoot(), "needs root to run a child as another user");
        final Path directory = newDirectory("perm0600");
        // A directory every user may enter and write, like /tmp: only the topic file's own mode protects it.
        Files.createDirectory(directory);
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (Bus bus = Bus.open(BusOptions.builder().directory(directory).build());
            ChildGroup children = new ChildGroup())
        {
            bus.topic("t", OPTIONS).close();
            assertMode(directory.resolve("t"), "rw-------", "root");
            for (final String action : new String[]{"open", "create", "publish"})
            {
                final String line = probe(children, user.runAs(true), "dir=" + directory, "topic=t",
                    "action=" + action, "spec=" + ChildSupport.spec(OPTIONS));
                report("another user, action " + action + ", 0600 topic of root", line);
                assertTrue(line.startsWith("BUS_EXCEPTION BusException") && line.contains("permission denied") &&
                    line.contains(directory.resolve("t").toString()) && line.contains(TestUser.NAME), line);
            }
            try (java.util.stream.Stream<Path> files = Files.list(directory))
            {
                assertEquals(List.of(directory.resolve("t")), files.toList(), "the refused user left nothing");
            }
        }
    }

    @Test
    @Timeout(120)
    void aMemberOfTheBusGroupMayPublishOthersMayNot() throws Exception
    {
        assumeTrue(TestUser.isRoot(), "needs root to run a child as another user");
        final Path directory = newDirectory("permgroup");
        try (Bus bus = Bus.open(BusOptions.builder().directory(directory).group(TestUser.SHARE_GROUP).build());
            ChildGroup children = new ChildGroup())
        {
            final Topic topic = bus.topic("t", OPTIONS);
            assertMode(directory, "rwxrwx---", TestUser.SHARE_GROUP);
            assertMode(directory.resolve("t"), "rw-rw----", TestUser.SHARE_GROUP);
            final Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered());

            final String member = probe(children, user.runAs(true), "dir=" + directory,
                "group=" + TestUser.SHARE_GROUP, "topic=t", "action=publish");
            report("another user in the bus's group publishes on the 0660 topic", member);
            assertEquals("OK publish", member);
            final List<String> received = new ArrayList<>();
            assertEquals(1, subscriber.poll((buffer, offset, length, header) ->
                received.add(buffer.getStringWithoutLengthAscii(offset, length)), 10, 5_000_000_000L));
            assertEquals(List.of("from " + TestUser.NAME), received);

            final String outsider = probe(children, user.runAs(false), "dir=" + directory,
                "group=" + TestUser.SHARE_GROUP, "topic=t", "action=publish");
            report("the same user without the bus's group", outsider);
            assertTrue(outsider.startsWith("BUS_EXCEPTION BusException") && outsider.contains("permission denied"),
                outsider);
        }
    }

    @Test
    @Timeout(120)
    void modesAreExactWhateverTheUmask() throws Exception
    {
        final boolean root = TestUser.isRoot();
        final List<String> asWhom = root ? user.runAs(true) : List.of();
        final String owner = root ? TestUser.NAME : System.getProperty("user.name");
        final String classes = root ? classPath.classPath() : System.getProperty("java.class.path");
        try (ChildGroup children = new ChildGroup())
        {
            for (final String umask : new String[]{"000", "022", "077"})
            {
                final Path plain = newDirectory("umask" + umask);
                final String line = probeWith(children, umask(asWhom, umask), classes, "dir=" + plain, "topic=t",
                    "action=create", "spec=" + ChildSupport.spec(OPTIONS));
                report("create under umask " + umask, line);
                assertEquals("OK create", line);
                assertMode(plain, "rwx------", null);
                assertMode(plain.resolve("t"), "rw-------", null);
                assertEquals(owner, Files.getOwner(plain.resolve("t")).getName());

                if (root)
                {
                    final Path shared = newDirectory("umaskg" + umask);
                    final String groupLine = probeWith(children, umask(asWhom, umask), classes, "dir=" + shared,
                        "group=" + TestUser.SHARE_GROUP, "topic=t", "action=create", "spec=" +
                            ChildSupport.spec(OPTIONS));
                    report("create with group under umask " + umask, groupLine);
                    assertEquals("OK create", groupLine);
                    assertMode(shared, "rwxrwx---", TestUser.SHARE_GROUP);
                    assertMode(shared.resolve("t"), "rw-rw----", TestUser.SHARE_GROUP);
                }
            }
        }
    }

    private static List<String> umask(final List<String> asWhom, final String umask)
    {
        final List<String> prefix = new ArrayList<>(asWhom);
        prefix.addAll(List.of("sh", "-c", "umask " + umask + " && exec \"$@\"", "sh"));
        return prefix;
    }

    private static String probe(final ChildGroup children, final List<String> prefix, final String... args)
    {
        return probeWith(children, prefix, classPath.classPath(), args);
    }

    private static String probeWith(
        final ChildGroup children, final List<String> prefix, final String classes, final String... args)
    {
        final ChildProcess child = children.start("probe", prefix, TestUser.jvmFlags(), classes,
            BusProbeMain.class, args);
        final String line = child.awaitAnyLine(CHILD_TIMEOUT, "OK", "BUS_EXCEPTION", "OTHER");
        assertEquals(0, child.awaitExit(CHILD_TIMEOUT), child.diagnostics());
        return line;
    }

    private static void assertMode(final Path path, final String mode, final String group) throws IOException
    {
        final PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class,
            LinkOption.NOFOLLOW_LINKS);
        assertEquals(mode, PosixFilePermissions.toString(attributes.permissions()), path.toString());
        if (null != group)
        {
            assertEquals(group, attributes.group().getName(), path + " group");
        }
    }

    private static void report(final String what, final String line)
    {
        System.out.println("PERMISSION " + what + " -> " + new String(line.getBytes(StandardCharsets.UTF_8),
            StandardCharsets.UTF_8));
    }
}
