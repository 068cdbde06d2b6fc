package io.shmbus.journal;

import java.nio.file.Path;

/**
 * A summary of a journal.
 *
 * @param directory             the journal's directory.
 * @param topicName             the topic recorded.
 * @param format                its format.
 * @param segments              segment files.
 * @param firstSegment          index of the first, or -1.
 * @param lastSegment           index of the last, or -1.
 * @param startPosition         journal position of the first record kept.
 * @param endPosition           journal position after the last whole record.
 * @param firstTimestampNs      timestamp of the first record (0 when empty).
 * @param lastTimestampNs       latest timestamp recorded (0 when empty).
 * @param sizeBytes             total size of the segment files (their blocks are allocated as they fill).
 * @param recordedTopicPosition the recorder's topic position after its last poll (-1 before its first).
 * @param recording             whether a recorder holds the lock now.
 * @param recorderPid           the pid the last recorder wrote.
 */
public record JournalInfo(
    Path directory,
    String topicName,
    JournalFormat format,
    int segments,
    long firstSegment,
    long lastSegment,
    long startPosition,
    long endPosition,
    long firstTimestampNs,
    long lastTimestampNs,
    long sizeBytes,
    long recordedTopicPosition,
    boolean recording,
    int recorderPid)
{
}
