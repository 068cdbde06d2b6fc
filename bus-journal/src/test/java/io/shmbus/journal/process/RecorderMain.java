package io.shmbus.journal.process;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Topic;
import io.shmbus.impl.process.ChildSupport;
import io.shmbus.journal.JournalFormat;
import io.shmbus.journal.JournalLockedException;
import io.shmbus.journal.Recorder;
import io.shmbus.journal.RecorderOptions;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;

/**
 * A child that records a topic until told {@code STOP} (or killed): prints {@code READY <pid>} once recording,
 * {@code LOCKED <holder pid>} when another recorder holds the journal, and {@code DONE <recorded> <skipped>}.
 */
public final class RecorderMain
{
    private RecorderMain()
    {
    }

    /**
     * @param args {@code bus=DIR topic=NAME journal=DIR segment=BYTES chunk=BYTES holdMs=MS}.
     */
    public static void main(final String[] args)
    {
        ChildSupport.main(args, 120, a ->
        {
            try (Bus bus = Bus.open(BusOptions.builder().directory(Path.of(a.get("bus"))).build()))
            {
                final Topic topic = bus.openTopic(a.get("topic"));
                final JournalFormat format = JournalFormat.builder()
                    .segmentLengthBytes(Long.parseLong(a.get("segment", "1048576")))
                    .maxMessageLength(topic.options().maxMessageLength()).indexIntervalBytes(16 * 1024).build();
                final Recorder recorder;
                try
                {
                    recorder = Recorder.start(topic, RecorderOptions.of(Path.of(a.get("journal"))).format(format)
                        .chunkLengthBytes(Long.parseLong(a.get("chunk", "65536"))).pollLimit(64)
                        .holdLimitNs(Long.parseLong(a.get("holdMs", "30000")) * 1_000_000L));
                }
                catch (final JournalLockedException ex)
                {
                    ChildSupport.out("LOCKED " + ex.holderPid() + " " + ex.getMessage());
                    return;
                }
                try (recorder)
                {
                    ChildSupport.out("READY " + ProcessHandle.current().pid());
                    final IdleStrategy idle = new BackoffIdleStrategy(1, 10, 1_000, 100_000);
                    while (!ChildSupport.pollCommand("STOP"))
                    {
                        idle.idle(recorder.poll());
                    }
                    ChildSupport.out("DONE " + recorder.recordedMessages() + " " + recorder.skippedMessages());
                }
            }
        });
    }
}
