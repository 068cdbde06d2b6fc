package io.shmbus.bench.link;

import io.shmbus.bench.Variant;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A kernel socket in blocking mode: Unix-domain ({@link UnixDomainSocketAddress}) or TCP over loopback with
 * TCP_NODELAY. Messages have the fixed size both sides are told, so a read takes exactly one message.
 */
public final class SocketLink extends Link
{
    private final ServerSocketChannel server;
    private final boolean tcp;
    private final int messageLength;
    private final ByteBuffer inBytes;
    private final ByteBuffer outBytes;
    private final UnsafeBuffer inBuffer;
    private final UnsafeBuffer outBuffer;
    private SocketChannel channel;

    /**
     * @param variant       UDS or TCP.
     * @param directory     where the Unix socket file goes.
     * @param create        whether this side listens (else it connects).
     * @param port          the TCP port to connect to (client side).
     * @param messageLength the fixed message size.
     */
    public SocketLink(
        final Variant variant, final Path directory, final boolean create, final int port, final int messageLength)
    {
        this.tcp = variant == Variant.TCP;
        this.messageLength = messageLength;
        this.inBytes = ByteBuffer.allocateDirect(Math.max(messageLength, 64));
        this.outBytes = ByteBuffer.allocateDirect(Math.max(messageLength, 64));
        this.inBuffer = new UnsafeBuffer(inBytes);
        this.outBuffer = new UnsafeBuffer(outBytes);
        final SocketAddress address = tcp ?
            new InetSocketAddress(InetAddress.getLoopbackAddress(), create ? 0 : port) :
            UnixDomainSocketAddress.of(directory.resolve("uds.sock"));
        try
        {
            if (create)
            {
                server = tcp ? ServerSocketChannel.open() : ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                server.bind(address);
            }
            else
            {
                server = null;
                channel = tcp ? SocketChannel.open() : SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.connect(address);
                configure(channel);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private void configure(final SocketChannel channel) throws IOException
    {
        channel.configureBlocking(true);
        if (tcp)
        {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
    }

    /**
     * @return the listening TCP port, or 0.
     */
    public int port()
    {
        try
        {
            return tcp && null != server ? ((InetSocketAddress)server.getLocalAddress()).getPort() : 0;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Listening side: accept the one peer.
     */
    public void accept()
    {
        if (null != server && null == channel)
        {
            try
            {
                channel = server.accept();
                configure(channel);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }

    @Override
    public boolean offer(final UnsafeBuffer buffer, final int length)
    {
        final ByteBuffer out = outBytes;
        outBuffer.putBytes(0, buffer, 0, length);
        out.clear().limit(length);
        try
        {
            while (out.hasRemaining())
            {
                channel.write(out);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return true;
    }

    /**
     * Blocks until one whole message was read.
     */
    @Override
    public int poll(final int limit)
    {
        final ByteBuffer in = inBytes;
        in.clear().limit(messageLength);
        try
        {
            while (in.hasRemaining())
            {
                if (channel.read(in) < 0)
                {
                    throw new IllegalStateException("peer closed the socket");
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        sink.onMessage(inBuffer, 0, messageLength);
        return 1;
    }

    @Override
    public int receive(final int limit)
    {
        return poll(limit);
    }

    @Override
    public void close()
    {
        try
        {
            if (null != channel)
            {
                channel.close();
            }
            if (null != server)
            {
                server.close();
            }
        }
        catch (final IOException ignore)
        {
            // closing at exit
        }
    }
}
