package io.shmbus.aeron;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Publisher;
import io.shmbus.PublisherOptions;
import io.shmbus.Subscriber;
import io.shmbus.SubscriberOptions;
import io.shmbus.TopicOptions;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two buses share one external media driver named by {@code shmbus.aeron.dir}: a topic on {@code aeron:ipc}
 * goes from one to the other, and closing the buses leaves the driver's directory to its owner.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExternalDriverTest
{
    @Test
    void twoBusesShareAnExternalDriver()
    {
        final Path work = TestDirs.newBusDirectory("external");
        final Path driverDir = work.resolve("driver");
        final MediaDriver.Context context = new MediaDriver.Context()
            .aeronDirectoryName(driverDir.toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1_000, 1_000_000))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true);
        try (MediaDriver driver = MediaDriver.launch(context))
        {
            final BusOptions.Builder options = BusOptions.builder().transport("aeron")
                .property(AeronSettings.DIR, driver.aeronDirectoryName())
                .property(AeronSettings.CHANNEL, "aeron:ipc");
            try (Bus one = Bus.open(options.directory(work.resolve("one")).build());
                Bus two = Bus.open(options.directory(work.resolve("two")).build()))
            {
                assertFalse(((AeronBus)one).isDriverEmbedded());
                final Subscriber subscriber = two.topic("shared", TopicOptions.defaults())
                    .subscriber(SubscriberOptions.tethered());
                final Publisher publisher = one.topic("shared", TopicOptions.defaults())
                    .publisher(PublisherOptions.exclusive());
                AeronContractTest.awaitConnected(publisher);
                AeronContractTest.offerUntilPublished(publisher, AeronContractTest.text("across buses"), 12, 9);
                final StringBuilder received = new StringBuilder();
                AeronContractTest.pollUntil(subscriber, (buffer, offset, length, header) ->
                    received.append(buffer.getStringWithoutLengthAscii(offset, length)).append('/')
                        .append(header.type()), 1);
                assertEquals("across buses/9", received.toString());
            }
            assertTrue(Files.exists(driverDir), "an external driver's directory is its owner's");
        }
        finally
        {
            TestDirs.delete(work);
        }
    }
}
