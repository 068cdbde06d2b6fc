/**
 * A topic journal on disk: {@link io.shmbus.journal.Recorder} records a topic into segment files mapped in
 * chunks, {@link io.shmbus.journal.Journal} and {@link io.shmbus.journal.JournalReader} read it back by position
 * or time, {@link io.shmbus.journal.Replayer} replays it at full speed or recorded pace, and
 * {@link io.shmbus.journal.ReplayMerge} switches from the journal to the live topic with no gap and no
 * duplicate. The file format, recovery rules and durability options are in docs/JOURNAL.md.
 */
package io.shmbus.journal;
