package io.shmbus.impl.process;

import io.shmbus.Subscriber;
import io.shmbus.WaitStrategy;
import io.shmbus.impl.layout.SubscriberSlotDescriptor;
import io.shmbus.impl.ring.Ring;
import io.shmbus.impl.ring.RingSubscriber;
import io.shmbus.impl.signal.Sleeper;
import io.shmbus.impl.signal.Waiter;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * What the children of the signalling tests share: wait strategies by name, the calling thread's kernel id (so the
 * parent can watch that thread in /proc), and the layout of their small test messages.
 *
 * <p>A test message is {@value #MESSAGE_LENGTH} bytes: a sequence number at {@value #SEQUENCE_OFFSET} and a
 * {@link System#nanoTime()} (CLOCK_MONOTONIC, the same clock in every process) at {@value #NANOS_OFFSET}.
 */
public final class WaitChildSupport
{
    /** Length of a test message. */
    public static final int MESSAGE_LENGTH = 32;
    /** Offset of the sequence number. */
    public static final int SEQUENCE_OFFSET = 0;
    /** Offset of the time stamp. */
    public static final int NANOS_OFFSET = 8;

    private WaitChildSupport()
    {
    }

    /**
     * @param name {@code busySpin}, {@code yielding}, {@code backoff}, {@code spinYieldFutex}, {@code futex}, or
     *             {@code spinYieldFutex:<spins>:<yields>}.
     * @return the strategy.
     */
    public static WaitStrategy strategy(final String name)
    {
        if (name.startsWith("spinYieldFutex:"))
        {
            final String[] parts = name.split(":");
            return WaitStrategy.spinYieldFutex(Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
        }
        return switch (name)
        {
            case "busySpin" -> WaitStrategy.busySpin();
            case "yielding" -> WaitStrategy.yielding();
            case "backoff" -> WaitStrategy.backoff();
            case "spinYieldFutex" -> WaitStrategy.spinYieldFutex();
            case "futex" -> WaitStrategy.futex();
            default -> throw new IllegalArgumentException("unknown wait strategy " + name);
        };
    }

    /**
     * @return the kernel thread id of the calling thread ({@code /proc/thread-self} links to {@code PID/task/TID}).
     */
    public static int currentTid()
    {
        try
        {
            return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Change the longest single futex sleep of a subscriber's waits (normally 100 ms while a claim is outstanding
     * at its position and 1 s otherwise, so that a sleeping subscriber looks for a dead publisher's claim now and
     * then). {@link Long#MAX_VALUE}: sleep until woken or timed out, so a
     * lost wake-up shows as a timeout instead of a late wake-up. Call before the subscriber's first wait.
     *
     * @param subscriber a subscriber of a shared-memory bus.
     * @param sliceNs    the longest sleep.
     */
    public static void setSleepSlice(final Subscriber subscriber, final long sliceNs)
    {
        try
        {
            final Field slice = Waiter.class.getDeclaredField("sliceNs");
            slice.setAccessible(true);
            slice.set(waiter(subscriber), (java.util.function.LongSupplier)() -> sliceNs);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException("cannot change the sleep slice of " + subscriber, ex);
        }
    }

    /**
     * @param subscriber a subscriber of a shared-memory bus.
     * @return true when its sleeps are cut into short slices because the kernel lacks membarrier.
     */
    public static boolean isSliced(final Subscriber subscriber)
    {
        try
        {
            final Field sliced = Sleeper.class.getDeclaredField("sliced");
            sliced.setAccessible(true);
            return sliced.getBoolean(waiter(subscriber).sleeper());
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException("cannot read the sleeper of " + subscriber, ex);
        }
    }

    /**
     * @param subscriber a subscriber of a shared-memory bus.
     * @return reads its slot's count of futex waits, as the topic's status shows it.
     */
    public static LongSupplier waitsCounter(final Subscriber subscriber)
    {
        try
        {
            final Field ringField = RingSubscriber.class.getDeclaredField("ring");
            ringField.setAccessible(true);
            final Field slotField = RingSubscriber.class.getDeclaredField("slotOffset");
            slotField.setAccessible(true);
            final UnsafeBuffer control = ((Ring)ringField.get(subscriber)).control();
            final int offset = slotField.getInt(subscriber) + SubscriberSlotDescriptor.WAITS_OFFSET;
            return () -> control.getLongVolatile(offset);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException("cannot reach the slot of " + subscriber, ex);
        }
    }

    private static Waiter waiter(final Subscriber subscriber) throws ReflectiveOperationException
    {
        final Field waiter = RingSubscriber.class.getDeclaredField("waiter");
        waiter.setAccessible(true);
        return (Waiter)waiter.get(subscriber);
    }
}
