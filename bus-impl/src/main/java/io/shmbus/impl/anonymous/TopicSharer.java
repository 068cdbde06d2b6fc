package io.shmbus.impl.anonymous;

import io.shmbus.BusException;
import io.shmbus.ShareOptions;
import io.shmbus.TopicShare;
import io.shmbus.impl.platform.ErrnoException;
import io.shmbus.impl.platform.Linux;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Offers an anonymous topic's descriptor on a Unix domain socket: a daemon thread accepts connections, asks
 * the kernel who connected ({@code SO_PEERCRED}), and sends the descriptor with {@code SCM_RIGHTS} to allowed
 * peers, or a refusal naming the reason to others.
 *
 * <p>Wire format, one message per connection from the owner: the payload is US-ASCII,
 * {@code "SHMBUS1 OK <label>"} with the descriptor attached, or {@code "SHMBUS1 DENIED <reason>"} without one.
 * The joiner sends nothing; the kernel has told the owner who it is.
 */
public final class TopicSharer implements TopicShare
{
    static final String PROTOCOL = "SHMBUS1";
    private static final Logger LOG = LoggerFactory.getLogger(TopicSharer.class);
    private static final long ACCEPT_POLL_MS = 200;

    private final ShareOptions options;
    private final int topicFd;
    private final String label;
    private final int listenFd;
    private final int ownUid;
    private final Thread thread;
    private final AtomicLong handedOut = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile boolean closed;

    /**
     * Bind the socket and start offering.
     *
     * @param options the address and allow-list.
     * @param topicFd the topic's descriptor (stays owned by the topic).
     * @param label   the topic's label.
     */
    public TopicSharer(final ShareOptions options, final int topicFd, final String label)
    {
        this.options = options;
        this.topicFd = topicFd;
        this.label = label;
        this.ownUid = Linux.getuid();
        this.listenFd = bind(options);
        this.thread = Thread.ofPlatform().daemon().name("shmbus-share-" + label).unstarted(this::run);
        thread.start();
        LOG.info("offering anonymous topic {} on {}", label, options);
    }

    private static int bind(final ShareOptions options)
    {
        try
        {
            final int fd = listen(options);
            Linux.setReceiveTimeout(fd, ACCEPT_POLL_MS); // accept() returns EAGAIN this often, to see close()
            return fd;
        }
        catch (final ErrnoException ex)
        {
            throw new BusException("cannot listen on " + (options.isAbstract() ? "@" : "") + options.address() +
                ": " + ex.getMessage(), ex);
        }
    }

    private static int listen(final ShareOptions options) throws ErrnoException
    {
        try
        {
            return Linux.unixListen(options.address(), options.isAbstract(), 16);
        }
        catch (final ErrnoException ex)
        {
            if (ex.errno() != Linux.EADDRINUSE || options.isAbstract())
            {
                throw ex;
            }
            // A socket file is there. If nobody listens on it, it was left by a process that died: replace it.
            try
            {
                Linux.close(Linux.unixConnect(options.address(), false));
                throw ex; // somebody listens: really in use
            }
            catch (final ErrnoException connectFailure)
            {
                if (connectFailure.errno() != Linux.ECONNREFUSED)
                {
                    throw ex;
                }
            }
            try
            {
                Files.deleteIfExists(Path.of(options.address()));
            }
            catch (final java.io.IOException deleteFailure)
            {
                throw ex;
            }
            LOG.info("replaced stale socket file {}", options.address());
            return Linux.unixListen(options.address(), false, 16);
        }
    }

    private void run()
    {
        while (!closed)
        {
            final int connection;
            try
            {
                connection = Linux.unixAccept(listenFd);
            }
            catch (final ErrnoException ex)
            {
                if (ex.errno() == Linux.EAGAIN || ex.errno() == Linux.EINTR)
                {
                    continue;
                }
                if (!closed)
                {
                    LOG.warn("accept on {} failed, no longer offering topic {}: {}", options, label, ex.getMessage());
                }
                return;
            }
            try
            {
                serve(connection);
            }
            catch (final ErrnoException | RuntimeException ex)
            {
                LOG.warn("handing topic {} to a peer failed: {}", label, ex.toString());
            }
            finally
            {
                Linux.close(connection);
            }
        }
    }

    private void serve(final int connection) throws ErrnoException
    {
        final Linux.PeerCredentials peer = Linux.peerCredentials(connection);
        final boolean allowed = options.allowsOwnUid() && peer.uid() == ownUid ||
            options.uids().contains(peer.uid()) || options.gids().contains(peer.gid());
        if (allowed)
        {
            handedOut.incrementAndGet(); // counted first: the peer may look at the count once it has the topic
            Linux.sendFd(connection, topicFd, (PROTOCOL + " OK " + label).getBytes(StandardCharsets.US_ASCII));
            LOG.info("handed anonymous topic {} to pid {} (uid {}, gid {})", label, peer.pid(), peer.uid(), peer.gid());
        }
        else
        {
            final String reason = "uid " + peer.uid() + " gid " + peer.gid() + " is not on the allow-list of topic " +
                label;
            refused.incrementAndGet();
            Linux.sendFd(connection, -1, (PROTOCOL + " DENIED " + reason).getBytes(StandardCharsets.US_ASCII));
            LOG.warn("refused anonymous topic {} to pid {}: {}", label, peer.pid(), reason);
        }
    }

    @Override
    public ShareOptions options()
    {
        return options;
    }

    @Override
    public long handedOut()
    {
        return handedOut.get();
    }

    @Override
    public long refused()
    {
        return refused.get();
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            thread.join(ACCEPT_POLL_MS * 10);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        Linux.close(listenFd);
        if (!options.isAbstract())
        {
            try
            {
                Files.deleteIfExists(Path.of(options.address()));
            }
            catch (final java.io.IOException ex)
            {
                LOG.warn("could not remove socket file {}: {}", options.address(), ex.toString());
            }
        }
        LOG.info("stopped offering anonymous topic {} on {}", label, options);
    }
}
