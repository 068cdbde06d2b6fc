/**
 * The public surface of shmbus, an interprocess shared-memory message bus for the JVM.
 *
 * <p>A {@link io.shmbus.Bus} is a directory of topics. A {@link io.shmbus.Topic} is one shared-memory ring
 * with fixed settings. {@link io.shmbus.Publisher}s write into it, {@link io.shmbus.Subscriber}s read from it,
 * in the same or in other processes on the same host. Nothing is copied between the two sides: a publisher
 * writes straight into the ring, a subscriber's {@link io.shmbus.MessageHandler} reads straight out of it.
 *
 * <pre>{@code
 * try (Bus bus = Bus.open();
 *      Topic topic = bus.topic("prices", TopicOptions.builder().capacityBytes(1 << 20).build());
 *      Publisher publisher = topic.publisher(PublisherOptions.exclusive());
 *      Subscriber subscriber = topic.subscriber(SubscriberOptions.tethered()))
 * {
 *     UnsafeBuffer message = new UnsafeBuffer(new byte[32]);
 *     while (publisher.offer(message, 0, 32) < 0) { Thread.onSpinWait(); }
 *     subscriber.poll((buffer, offset, length, header) -> System.out.println(length), 10);
 * }
 * }</pre>
 *
 * <p>Implementations are found with {@link java.util.ServiceLoader} through {@link io.shmbus.spi.BusProvider}.
 */
package io.shmbus;
