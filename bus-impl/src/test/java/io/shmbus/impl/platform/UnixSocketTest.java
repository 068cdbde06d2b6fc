package io.shmbus.impl.platform;

import static io.shmbus.impl.platform.PlatformTestSupport.segment;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmbus.impl.platform.PlatformTestSupport.ShmDir;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UnixSocketTest
{

    private String name;

    @BeforeEach
    void setUp()
    {
        Linux.ensureUsable();
        name = "shmbus-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    @Test
    void passesMemfdWithPayloadAndReportsPeerCredentials() throws Exception
    {
        int listener = Linux.unixListen(name, true, 4);
        int server = -1;
        int memfd = -1;
        try
        {
            CompletableFuture<Linux.ReceivedFd> received = CompletableFuture.supplyAsync(() ->
            {
                int client = -1;
                try
                {
                    client = Linux.unixConnect(name, true);
                    Linux.setReceiveTimeout(client, 10_000);
                    return Linux.receiveFd(client, 64);
                }
                catch (final ErrnoException e)
                {
                    throw new RuntimeException(e);
                }
                finally
                {
                    Linux.close(client);
                }
            });
            Linux.setReceiveTimeout(listener, 10_000);
            server = Linux.unixAccept(listener);

            Linux.PeerCredentials peer = Linux.peerCredentials(server);
            assertEquals(Linux.getuid(), peer.uid());
            assertEquals(Linux.getgid(), peer.gid());
            assertEquals(Linux.getpid(), peer.pid());

            memfd = Linux.memfdCreate("shmbus-passed", true);
            Linux.ftruncate(memfd, 4096);
            long address = Linux.mmap(memfd, 0, 4096, true);
            try
            {
                segment(address, 4096).set(JAVA_LONG, 256, 0xCAFEBABE_DEADBEEFL);
            }
            finally
            {
                Linux.munmap(address, 4096);
            }
            byte[] payload = "hello".getBytes(StandardCharsets.UTF_8);
            Linux.sendFd(server, memfd, payload);

            Linux.ReceivedFd message = received.get(20, TimeUnit.SECONDS);
            assertArrayEquals(payload, message.payload());
            assertTrue(message.fd() >= 0);
            try
            {
                assertTrue(message.fd() != memfd, "the receiver gets a new descriptor number");
                assertEquals(4096, Linux.fstat(message.fd()).size());
                long mapped = Linux.mmap(message.fd(), 0, 4096, false);
                try
                {
                    assertEquals(0xCAFEBABE_DEADBEEFL, segment(mapped, 4096).get(JAVA_LONG, 256));
                }
                finally
                {
                    Linux.munmap(mapped, 4096);
                }
                String fdinfo = Files.readString(Path.of("/proc/self/fdinfo/" + message.fd()));
                String flags = fdinfo.lines().filter(l -> l.startsWith("flags:")).findFirst().orElseThrow();
                int octal = Integer.parseInt(flags.substring("flags:".length()).trim(), 8);
                assertEquals(Linux.O_CLOEXEC, octal & Linux.O_CLOEXEC, "received with MSG_CMSG_CLOEXEC");
            }
            finally
            {
                Linux.close(message.fd());
            }
        }
        finally
        {
            Linux.close(memfd);
            Linux.close(server);
            Linux.close(listener);
        }
    }

    @Test
    void payloadWithoutDescriptorAndEndOfStream() throws Exception
    {
        int listener = Linux.unixListen(name, true, 4);
        int client = -1;
        int server = -1;
        try
        {
            client = Linux.unixConnect(name, true);
            server = Linux.unixAccept(listener);
            Linux.sendFd(client, -1, new byte[] {1, 2, 3});
            Linux.setReceiveTimeout(server, 10_000);
            Linux.ReceivedFd message = Linux.receiveFd(server, 16);
            assertEquals(-1, message.fd());
            assertArrayEquals(new byte[] {1, 2, 3}, message.payload());

            Linux.close(client);
            client = -1;
            Linux.ReceivedFd end = Linux.receiveFd(server, 16);
            assertEquals(-1, end.fd());
            assertEquals(0, end.payload().length, "an empty payload marks the end of the stream");
        }
        finally
        {
            Linux.close(client);
            Linux.close(server);
            Linux.close(listener);
        }
    }

    @Test
    void receiveTimesOutWithEagainInsteadOfHanging() throws Exception
    {
        int listener = Linux.unixListen(name, true, 4);
        int client = -1;
        int server = -1;
        try
        {
            client = Linux.unixConnect(name, true);
            server = Linux.unixAccept(listener);
            Linux.setReceiveTimeout(client, 50);
            int socket = client;
            long start = System.nanoTime();
            ErrnoException e = assertThrows(ErrnoException.class, () -> Linux.receiveFd(socket, 16));
            long elapsed = System.nanoTime() - start;
            assertEquals(Linux.EAGAIN, e.errno(), e.getMessage());
            assertTrue(elapsed >= 40_000_000L, "returned after " + elapsed + " ns");
        }
        finally
        {
            Linux.close(client);
            Linux.close(server);
            Linux.close(listener);
        }
    }

    @Test
    void connectWithoutListenerIsRefused()
    {
        ErrnoException e = assertThrows(ErrnoException.class, () -> Linux.unixConnect(name, true));
        assertEquals(Linux.ECONNREFUSED, e.errno(), e.getMessage());
    }

    @Test
    void abstractNameIsInUseWhileListening() throws Exception
    {
        int listener = Linux.unixListen(name, true, 1);
        try
        {
            ErrnoException e = assertThrows(ErrnoException.class, () -> Linux.unixListen(name, true, 1));
            assertEquals(Linux.EADDRINUSE, e.errno());
        }
        finally
        {
            Linux.close(listener);
        }
        // The name disappears with the socket.
        Linux.close(Linux.unixListen(name, true, 1));
    }

    @Test
    void listensOnFileSystemPath() throws Exception
    {
        try (ShmDir dir = new ShmDir())
        {
            String path = dir.file("sock");
            int listener = Linux.unixListen(path, false, 4);
            int client = -1;
            int server = -1;
            try
            {
                assertTrue(Files.exists(Path.of(path)));
                client = Linux.unixConnect(path, false);
                server = Linux.unixAccept(listener);
                assertEquals(Linux.getpid(), Linux.peerCredentials(server).pid());
            }
            finally
            {
                Linux.close(client);
                Linux.close(server);
                Linux.close(listener);
            }
        }
    }

    @Test
    void invalidArgumentsAreRejected() throws Exception
    {
        assertThrows(IllegalArgumentException.class, () -> Linux.unixListen("x".repeat(108), true, 1));
        assertThrows(IllegalArgumentException.class, () -> Linux.unixListen("", true, 1));
        int fd = Linux.memfdCreate("not-a-socket", false);
        try
        {
            assertThrows(IllegalArgumentException.class, () -> Linux.sendFd(fd, -1, new byte[0]));
            assertEquals(Linux.ENOTSOCK, assertThrows(ErrnoException.class, () -> Linux.peerCredentials(fd)).errno());
        }
        finally
        {
            Linux.close(fd);
        }
    }
}
