package io.shmbus.bench.jmh;

import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The reference: Agrona's {@link OneToOneRingBuffer} over direct memory, the same operations as
 * {@link ShmbusBenchmark} (a ring cannot be written without being read, so only the pairs and the empty read).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class AgronaRingBenchmark
{
    private static final int LENGTH = 32;
    private static final int MSG_TYPE_ID = 1;

    private final OneToOneRingBuffer ring = new OneToOneRingBuffer(new UnsafeBuffer(
        ByteBuffer.allocateDirect((4 << 20) + RingBufferDescriptor.TRAILER_LENGTH)));
    private final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(LENGTH));
    private long sum;
    private final MessageHandler handler = (msgTypeId, buffer, index, length) -> sum += buffer.getLong(index);

    /**
     * @return messages read.
     */
    @Benchmark
    public int writeThenRead()
    {
        message.putLong(0, sum);
        ring.write(MSG_TYPE_ID, message, 0, LENGTH);
        return ring.read(handler, 1);
    }

    /**
     * @return messages read.
     */
    @Benchmark
    public int tryClaimCommitThenRead()
    {
        final int index = ring.tryClaim(MSG_TYPE_ID, LENGTH);
        if (index > 0)
        {
            ring.buffer().putLong(index, sum);
            ring.commit(index);
        }
        return ring.read(handler, 1);
    }

    /**
     * @param blackhole sink.
     */
    @Benchmark
    public void readEmpty(final Blackhole blackhole)
    {
        blackhole.consume(ring.read(handler, 1));
    }
}
