package io.shmbus.bench.child;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.FragmentHandler;
import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Claim;
import io.shmbus.MessageHandler;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.TopicOptions;
import io.shmbus.WaitStrategy;
import io.shmbus.bench.Variant;
import io.shmbus.bench.link.AeronLink;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The topics of the trading pipeline over one transport: a market data topic, one order topic that every
 * strategy publishes to (shared publishers: fan-in), and one report topic per strategy. Messages are
 * encoded in place: {@link Out#claim(int)}, then the SBE encoder wrapped over {@link Out#buffer()} at
 * {@link Out#offset()}, then {@link Out#commit(int)}. Each JVM loads one implementation only.
 */
abstract class TradingTransport implements AutoCloseable
{
    /** The market data topic. */
    static final String MARKET_DATA = "md";
    /** The order topic, shared by every strategy. */
    static final String ORDERS = "orders";

    /**
     * Receives each message; the buffer is valid only during the call.
     */
    @FunctionalInterface
    interface Sink
    {
        void onMessage(DirectBuffer buffer, int offset, int length);
    }

    /**
     * A publishing end.
     */
    abstract static class Out
    {
        /**
         * @param length the message's length.
         * @return true when claimed; false when the transport pushed back or has no reader yet (try again).
         */
        abstract boolean claim(int length);

        abstract MutableDirectBuffer buffer();

        abstract int offset();

        /**
         * @param templateId the SBE template of the message (shmbus keeps it as the message type).
         */
        abstract void commit(int templateId);

        /**
         * @return whether a reader is connected: for Aeron, as the publication says; for shmbus, false only after
         *         a claim was refused for want of a subscriber (a tethered subscriber made before has joined).
         */
        abstract boolean connected();
    }

    /**
     * A reading end.
     */
    abstract static class In
    {
        /**
         * @param limit the most messages to deliver.
         * @return how many were delivered.
         */
        abstract int poll(int limit);

        /**
         * @return whether the transport has joined this reader to a publisher.
         */
        abstract boolean connected();
    }

    /**
     * @param strategy a strategy's number.
     * @return its report topic.
     */
    static String reports(final int strategy)
    {
        return "exec-" + strategy;
    }

    abstract In subscribe(String topic, Sink sink);

    abstract Out publish(String topic, boolean shared);

    @Override
    public abstract void close();

    /**
     * @param variant   {@link Variant#TRADING_SHMBUS} or {@link Variant#TRADING_AERON}.
     * @param dir       the run's directory under /dev/shm.
     * @param host      whether this JVM hosts the Aeron media driver.
     * @param capacity   shmbus's ring length.
     * @param maxLength  shmbus's maximum message length.
     * @param termLength Aeron's IPC term length (set by the JVM that hosts the driver).
     * @return the transport.
     */
    static TradingTransport open(
        final Variant variant,
        final String dir,
        final boolean host,
        final int capacity,
        final int maxLength,
        final int termLength)
    {
        return switch (variant)
        {
            case TRADING_SHMBUS -> new Shmbus(Path.of(dir, "bus"), TopicOptions.builder()
                .capacityBytes(capacity).maxMessageLength(maxLength).build());
            case TRADING_AERON -> new AeronIpc(dir + "/aeron", host, termLength);
            default -> throw new IllegalArgumentException(variant.id() + " is not a trading variant");
        };
    }

    // ------------------------------------------------------------------------------------------------ shmbus

    private static final class Shmbus extends TradingTransport
    {
        private final Bus bus;
        private final TopicOptions options;
        private final List<AutoCloseable> ends = new ArrayList<>();

        Shmbus(final Path directory, final TopicOptions options)
        {
            this.bus = Bus.open(BusOptions.builder().directory(directory).build());
            this.options = options;
        }

        @Override
        In subscribe(final String topic, final Sink sink)
        {
            final Subscriber subscriber = bus.topic(topic, options)
                .subscriber(SubscriberOptions.tethered().waitStrategy(WaitStrategy.busySpin()));
            ends.add(subscriber);
            final MessageHandler handler = (buffer, offset, length, header) -> sink.onMessage(buffer, offset, length);
            return new In()
            {
                @Override
                int poll(final int limit)
                {
                    return subscriber.poll(handler, limit);
                }

                @Override
                boolean connected()
                {
                    return true; // a tethered subscriber has joined once made
                }
            };
        }

        @Override
        Out publish(final String topic, final boolean shared)
        {
            final Publisher publisher = bus.topic(topic, options)
                .publisher(shared ? PublisherOptions.shared() : PublisherOptions.exclusive());
            ends.add(publisher);
            final Claim claim = new Claim();
            return new Out()
            {
                private long lastResult;

                @Override
                boolean claim(final int length)
                {
                    lastResult = publisher.tryClaim(length, claim);
                    if (lastResult == Publisher.CLOSED)
                    {
                        throw new IllegalStateException("publisher of " + topic + " closed");
                    }
                    return lastResult > 0;
                }

                @Override
                MutableDirectBuffer buffer()
                {
                    return claim.buffer();
                }

                @Override
                int offset()
                {
                    return claim.offset();
                }

                @Override
                void commit(final int templateId)
                {
                    claim.type(templateId).commit();
                }

                @Override
                boolean connected()
                {
                    return lastResult != Publisher.NOT_CONNECTED;
                }
            };
        }

        @Override
        public void close()
        {
            for (int i = ends.size() - 1; i >= 0; i--)
            {
                CloseHelper.quietClose(ends.get(i));
            }
            bus.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ Aeron

    private static final class AeronIpc extends TradingTransport
    {
        private static final String CHANNEL = "aeron:ipc";
        private final MediaDriver driver;
        private final Aeron aeron;
        private final List<AutoCloseable> ends = new ArrayList<>();

        AeronIpc(final String directory, final boolean host, final int termLength)
        {
            // As in the other Aeron runs: an embedded driver, shared threading with its default backoff idle.
            driver = host ? MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(directory)
                .threadingMode(ThreadingMode.SHARED)
                .ipcTermBufferLength(termLength)
                .ipcMtuLength(AeronLink.IPC_MTU)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)) : null;
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(directory));
        }

        private static int stream(final String topic)
        {
            return switch (topic)
            {
                case MARKET_DATA -> 3001;
                case ORDERS -> 3002;
                default -> 3100 + Integer.parseInt(topic.substring(topic.indexOf('-') + 1));
            };
        }

        @Override
        In subscribe(final String topic, final Sink sink)
        {
            final Subscription subscription = aeron.addSubscription(CHANNEL, stream(topic));
            ends.add(subscription);
            final FragmentHandler handler = (buffer, offset, length, header) -> sink.onMessage(buffer, offset, length);
            return new In()
            {
                @Override
                int poll(final int limit)
                {
                    return subscription.poll(handler, limit);
                }

                @Override
                boolean connected()
                {
                    return subscription.isConnected();
                }
            };
        }

        @Override
        Out publish(final String topic, final boolean shared)
        {
            final Publication publication = shared ? aeron.addPublication(CHANNEL, stream(topic)) :
                aeron.addExclusivePublication(CHANNEL, stream(topic));
            ends.add(publication);
            final BufferClaim claim = new BufferClaim();
            // One class for both kinds: a JVM publishes through one kind only (the feed and the gateway
            // exclusive publications, a strategy a concurrent one), so each call site sees one receiver type.
            return new Out()
            {
                @Override
                boolean claim(final int length)
                {
                    return claimed(publication.tryClaim(length, claim), topic);
                }

                @Override
                MutableDirectBuffer buffer()
                {
                    return claim.buffer();
                }

                @Override
                int offset()
                {
                    return claim.offset();
                }

                @Override
                void commit(final int templateId)
                {
                    claim.commit();
                }

                @Override
                boolean connected()
                {
                    return publication.isConnected();
                }
            };
        }

        private static boolean claimed(final long result, final String topic)
        {
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
            {
                throw new IllegalStateException("publication of " + topic + " failed: " +
                    Publication.errorString(result));
            }
            return result > 0;
        }

        @Override
        public void close()
        {
            for (int i = ends.size() - 1; i >= 0; i--)
            {
                CloseHelper.quietClose(ends.get(i));
            }
            CloseHelper.closeAll(aeron, driver);
        }
    }
}
