/**
 * The journal's commands: {@link io.shmbus.journal.tools.RecordCommand},
 * {@link io.shmbus.journal.tools.ReplayCommand}, {@link io.shmbus.journal.tools.JournalInfoCommand} and
 * {@link io.shmbus.journal.tools.JournalTrimCommand}.
 */
package io.shmbus.journal.tools;
