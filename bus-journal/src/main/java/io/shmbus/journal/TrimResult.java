package io.shmbus.journal;

/**
 * What {@link Journal#trim} did.
 *
 * @param removedSegments segments removed.
 * @param startPosition   the journal position the journal starts at now.
 * @param keptBecauseRead true when it stopped early at a segment a reader has open (that segment and the
 *                        later ones are kept).
 */
public record TrimResult(int removedSegments, long startPosition, boolean keptBecauseRead)
{
}
