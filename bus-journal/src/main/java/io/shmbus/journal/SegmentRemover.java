package io.shmbus.journal;

import io.shmbus.impl.platform.ErrnoException;
import io.shmbus.impl.platform.Linux;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongPredicate;

/**
 * Removes a journal's oldest segments, for retention and trims. The caller holds the journal's lock (the
 * exclusive OFD lock on {@code journal.meta}), so there is one remover at a time.
 *
 * <p>The protocol with readers, which take a shared OFD lock on each segment file they open and then check
 * that the journal's start segment is not past it: the remover takes an exclusive OFD lock on the segment
 * without waiting (a reader holds it: the segment is kept, and so is every later one, so the segments kept
 * stay one run); then it moves the start segment past it, then unlinks the file, then closes it (which
 * drops its lock). A reader that locks the file after the remover let it go sees the new start and gives the
 * segment up; a reader that locked it first keeps it. So no reader ever maps a segment that is removed under
 * it, and the start a reader sees never names a segment that is gone.
 */
final class SegmentRemover
{
    private static final Logger LOG = LoggerFactory.getLogger(SegmentRemover.class);

    private SegmentRemover()
    {
    }

    /**
     * Remove segments from the start segment on, oldest first, while {@code rule} holds and their index is
     * below {@code limitIndex}; stop at one a reader holds.
     *
     * @param directory  the journal's directory.
     * @param meta       its meta file, locked by the caller.
     * @param limitIndex the first segment never removed.
     * @param rule       whether the segment of that index is to go.
     * @return the segments removed.
     */
    static int removeOldest(final Path directory, final MetaFile meta, final long limitIndex, final LongPredicate rule)
    {
        int removed = 0;
        for (long index = meta.startSegment(); index < limitIndex && rule.test(index); index++)
        {
            switch (remove(directory, meta, index))
            {
                case REMOVED -> removed++;
                case ABSENT ->
                {
                    // already gone (by hand, or a remover died between unlink and its return): the start moves on
                }
                case HELD ->
                {
                    LOG.info("journal {}: segment {} is kept for now: a reader has it open", directory, index);
                    return removed;
                }
            }
        }
        return removed;
    }

    /**
     * Remove what an earlier remover left behind: files of segments before the start segment (it died between
     * moving the start and unlinking). One a reader still holds stays until a later call.
     */
    static void removeLeftovers(final Path directory, final MetaFile meta)
    {
        final long start = meta.startSegment();
        if (0 == start)
        {
            return;
        }
        for (final long index : MetaFile.segmentIndicesBefore(directory, start))
        {
            remove(directory, meta, index);
        }
    }

    private enum Outcome
    {
        REMOVED, ABSENT, HELD
    }

    private static Outcome remove(final Path directory, final MetaFile meta, final long index)
    {
        final Path path = directory.resolve(SegmentDescriptor.fileName(index));
        final int fd;
        try
        {
            fd = Linux.open(path.toString(), Linux.O_RDWR | Linux.O_CLOEXEC, 0);
        }
        catch (final ErrnoException ex)
        {
            if (ex.errno() == Linux.ENOENT)
            {
                if (meta.startSegment() <= index)
                {
                    meta.startSegment(index + 1);
                }
                return Outcome.ABSENT;
            }
            throw new JournalException("cannot open segment " + path + " to remove it: " + ex.getMessage(), ex);
        }
        try
        {
            if (!Linux.tryLock(fd, 0, 0, true))
            {
                return Outcome.HELD;
            }
            if (meta.startSegment() <= index)
            {
                meta.startSegment(index + 1);
            }
            Files.delete(path);
            return Outcome.REMOVED;
        }
        catch (final ErrnoException ex)
        {
            throw new JournalException("cannot lock segment " + path + " to remove it: " + ex.getMessage(), ex);
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot remove segment " + path + " (the journal already starts after it; " +
                "the next recorder removes it): " + ex, ex);
        }
        finally
        {
            Linux.close(fd);
        }
    }
}
