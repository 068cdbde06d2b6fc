/**
 * The journal's commands: {@link io.shmbus.journal.tools.RecordCommand},
 * {@link io.shmbus.journal.tools.ReplayCommand} and {@link io.shmbus.journal.tools.JournalInfoCommand}.
 */
package io.shmbus.journal.tools;
