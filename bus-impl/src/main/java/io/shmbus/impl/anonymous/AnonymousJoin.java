package io.shmbus.impl.anonymous;

import io.shmbus.BusException;
import io.shmbus.ShareOptions;
import io.shmbus.impl.mapping.MappedTopic;
import io.shmbus.impl.mapping.AnonymousTopicFiles;
import io.shmbus.impl.platform.ErrnoException;
import io.shmbus.impl.platform.Linux;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The joining side of {@link TopicSharer}: connect, receive the descriptor or the refusal, and check the
 * memory before trusting it ({@link AnonymousTopicFiles#mapReceived(int, String)}).
 */
public final class AnonymousJoin
{
    private AnonymousJoin()
    {
    }

    /**
     * @param address   the owner's socket.
     * @param timeoutNs how long to wait for its answer.
     * @return the mapped topic.
     */
    public static MappedTopic join(final ShareOptions address, final long timeoutNs)
    {
        final String where = (address.isAbstract() ? "@" : "") + address.address();
        final int socket;
        try
        {
            socket = Linux.unixConnect(address.address(), address.isAbstract());
        }
        catch (final ErrnoException ex)
        {
            if (ex.errno() == Linux.ECONNREFUSED || ex.errno() == Linux.ENOENT)
            {
                throw new BusException("no process offers a topic on " + where + " (" + ex.getMessage() + ")", ex);
            }
            throw new BusException("cannot connect to " + where + ": " + ex.getMessage(), ex);
        }
        try
        {
            final Linux.ReceivedFd received;
            try
            {
                Linux.setReceiveTimeout(socket, Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNs)));
                received = Linux.receiveFd(socket, 512);
            }
            catch (final ErrnoException ex)
            {
                if (ex.errno() == Linux.EAGAIN)
                {
                    throw new BusException("the owner on " + where + " did not answer within " +
                        TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms", ex);
                }
                throw new BusException("receiving the topic from " + where + " failed: " + ex.getMessage(), ex);
            }
            final String message = new String(received.payload(), StandardCharsets.US_ASCII);
            if (!message.startsWith(TopicSharer.PROTOCOL + " "))
            {
                Linux.close(received.fd());
                throw new BusException("the peer on " + where + " does not speak the shmbus share protocol: '" +
                    printable(message) + "'");
            }
            final String rest = message.substring(TopicSharer.PROTOCOL.length() + 1);
            if (rest.startsWith("DENIED "))
            {
                Linux.close(received.fd());
                throw new BusException("refused by the owner on " + where + ": " + rest.substring(7));
            }
            if (!rest.startsWith("OK ") || received.fd() < 0)
            {
                Linux.close(received.fd());
                throw new BusException("the owner on " + where + " sent no descriptor: '" + printable(message) + "'");
            }
            final String label = rest.substring(3);
            try
            {
                io.shmbus.TopicOptions.validateName(label);
            }
            catch (final IllegalArgumentException ex)
            {
                Linux.close(received.fd());
                throw new BusException("the owner on " + where + " sent an invalid topic label: " + ex.getMessage(),
                    ex);
            }
            return AnonymousTopicFiles.mapReceived(received.fd(), label);
        }
        finally
        {
            Linux.close(socket);
        }
    }

    private static String printable(final String s)
    {
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
