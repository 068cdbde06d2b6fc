package io.shmbus.aeron;

import io.shmbus.Bus;
import io.shmbus.BusException;
import io.shmbus.BusOptions;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.SubscriberOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM of {@link AeronNetworkTest}, run inside a network namespace, using the Aeron transport through
 * bus-api only. Exits 0 when its check held, 1 (with the reason on stdout) when not, 3 when the network refused
 * what was asked (the message says what).
 *
 * <pre>
 *   NetworkChild unreachable BUS CHANNEL
 *   NetworkChild publish BUS CHANNEL COUNT GO_FILE
 *   NetworkChild subscribe BUS CHANNEL COUNT READY_FILE
 * </pre>
 */
public final class NetworkChild
{
    static final TopicOptions OPTIONS = TopicOptions.builder().capacityBytes(1 << 20).maxMessageLength(4096).build();

    private NetworkChild()
    {
    }

    /**
     * @param args the mode and its arguments.
     */
    public static void main(final String[] args)
    {
        final String mode = args[0];
        final Path busDirectory = Path.of(args[1]);
        final String channel = args[2];
        int exitCode;
        try (Bus bus = Bus.open(BusOptions.builder().directory(busDirectory).transport("aeron")
            .property(AeronSettings.CHANNEL, channel).build()))
        {
            final Topic topic = bus.topic("wide", OPTIONS);
            exitCode = switch (mode)
            {
                case "unreachable" -> unreachable(topic);
                case "publish" -> publish(topic, Long.parseLong(args[3]), Path.of(args[4]));
                case "subscribe" -> subscribe(topic, Long.parseLong(args[3]), Path.of(args[4]));
                default -> throw new IllegalArgumentException("mode " + mode);
            };
        }
        catch (final BusException ex)
        {
            System.out.println("REFUSED: " + ex.getMessage());
            ex.printStackTrace(System.out);
            exitCode = 3;
        }
        catch (final Throwable ex)
        {
            System.out.println("FAILED: " + ex);
            ex.printStackTrace(System.out);
            exitCode = 1;
        }
        System.out.flush();
        System.exit(exitCode);
    }

    private static int unreachable(final Topic topic)
    {
        try
        {
            topic.publisher(PublisherOptions.shared());
            System.out.println("FAILED: a publisher to an unreachable endpoint was made");
            return 1;
        }
        catch (final BusException ex)
        {
            System.out.println("OK: " + ex.getMessage());
            return ex.getMessage().contains("unreachable") ? 0 : 1;
        }
    }

    private static int publish(final Topic topic, final long count, final Path goFile) throws Exception
    {
        final Publisher publisher = topic.publisher(PublisherOptions.exclusive());
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(goFile))
        {
            if (System.nanoTime() > deadlineNs)
            {
                System.out.println("FAILED: no go within 60 s");
                return 1;
            }
            Thread.sleep(20);
        }
        final long published = CheckedStream.publish(publisher, 0, count, deadlineNs, () -> false);
        System.out.println("published " + published);
        // Stay for retransmissions until the test ends this process.
        Thread.sleep(TimeUnit.SECONDS.toMillis(60));
        return published == count ? 0 : 1;
    }

    private static int subscribe(final Topic topic, final long count, final Path readyFile) throws Exception
    {
        final AeronSubscriber subscriber = (AeronSubscriber)topic.subscriber(SubscriberOptions.tethered());
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (subscriber.subscription().imageCount() == 0)
        {
            if (System.nanoTime() > deadlineNs)
            {
                System.out.println("REFUSED: no image of the multicast publication within 60 s");
                return 3;
            }
            Thread.sleep(10);
        }
        Files.writeString(readyFile, "ready");
        final CheckedStream.Verifier verifier = new CheckedStream.Verifier();
        while (verifier.next < count && System.nanoTime() < deadlineNs && verifier.errors == 0)
        {
            subscriber.poll(verifier, 256, TimeUnit.MILLISECONDS.toNanos(10));
        }
        subscriber.poll(verifier, 256, TimeUnit.MILLISECONDS.toNanos(200));
        System.out.println("subscriber: " + verifier.describe());
        return verifier.errors == 0 && verifier.next == count ? 0 : 1;
    }

}
