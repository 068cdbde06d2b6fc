package io.shmbus.bench.child;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The resident-memory reading of the journal scenario.
 */
class JournalChildTest
{
    @Test
    void aStatusLineGivesItsNumberOfKibibytes()
    {
        assertEquals(12_345, JournalChild.parseKb("VmRSS:\t   12345 kB"));
        assertEquals(7, JournalChild.parseKb("VmHWM: 7"));
    }

    @Test
    void thisProcessHasAResidentSet()
    {
        final long rss = JournalChild.vmRss();
        assertTrue(rss > 1 << 20, "more than a MiB: " + rss);
        assertEquals(0, rss % 1024, "whole kibibytes");
    }
}
