package io.shmbus.journal;

import io.shmbus.impl.platform.Linux;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * {@link Journal#trim}: the removal of old segments with no recorder running.
 */
final class JournalTrim
{
    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);

    private JournalTrim()
    {
    }

    static TrimResult trim(final Path directory, final long beforePosition)
    {
        Linux.ensureUsable();
        final MetaFile meta = MetaFile.open(directory, true);
        try
        {
            if (!meta.tryLock())
            {
                final int pid = meta.recorderPid();
                throw new JournalLockedException("journal " + directory + " is being recorded by process " + pid +
                    " (it holds the lock on " + meta.path().getFileName() + "): a trim needs the journal to itself; " +
                    "stop the recorder, or record with a retention", pid);
            }
            SegmentRemover.removeLeftovers(directory, meta);
            final long endPosition;
            try (Journal journal = Journal.open(directory, JournalWriter.DEFAULT_CHUNK_LENGTH_BYTES))
            {
                endPosition = journal.endPosition();
            }
            final JournalFormat format = meta.format();
            final long[] indices = MetaFile.segmentIndices(directory, meta::startSegment);
            if (0 == indices.length)
            {
                return new TrimResult(0, format.segmentBasePosition(meta.startSegment()), false);
            }
            // never the segment the journal ends in (a recorder appends there next), nor the last file
            final long limit = Math.min(indices[indices.length - 1],
                format.segmentIndex(Math.max(format.basePosition(), endPosition)));
            final int removed = SegmentRemover.removeOldest(directory, meta, limit,
                index -> format.segmentBasePosition(index + 1) <= beforePosition);
            final long start = meta.startSegment();
            final boolean held = start < limit && format.segmentBasePosition(start + 1) <= beforePosition;
            LOG.info("journal {}: trim before position {} removed {} segment(s); it starts at position {}{}", directory,
                beforePosition, removed, format.segmentBasePosition(start), held ? " (a reader holds segment " +
                start + ")" : "");
            return new TrimResult(removed, format.segmentBasePosition(start), held);
        }
        finally
        {
            meta.close();
        }
    }
}
