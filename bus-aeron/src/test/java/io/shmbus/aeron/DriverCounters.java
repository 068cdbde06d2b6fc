package io.shmbus.aeron;

import io.aeron.CncFileDescriptor;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.MappedByteBuffer;

/**
 * Reads a running media driver's counters from its CnC file (another process's driver too).
 */
final class DriverCounters
{
    private DriverCounters()
    {
    }

    /**
     * @param aeronDirectory the driver's directory.
     * @param label          the counter's label, e.g. "NAKs sent".
     * @return the counter's value, or -1 when the driver or the counter is not there.
     */
    static long value(final File aeronDirectory, final String label)
    {
        final File cncFile = new File(aeronDirectory, CncFileDescriptor.CNC_FILE);
        if (!cncFile.exists())
        {
            return -1;
        }
        final MappedByteBuffer cnc = IoUtil.mapExistingFile(cncFile, "cnc");
        try
        {
            final UnsafeBuffer metaData = CncFileDescriptor.createMetaDataBuffer(cnc);
            final CountersReader counters = new CountersReader(
                CncFileDescriptor.createCountersMetaDataBuffer(cnc, metaData),
                CncFileDescriptor.createCountersValuesBuffer(cnc, metaData));
            final long[] value = {-1};
            counters.forEach((counterId, typeId, keyBuffer, counterLabel) ->
            {
                if (counterLabel.startsWith(label))
                {
                    value[0] = counters.getCounterValue(counterId);
                }
            });
            return value[0];
        }
        finally
        {
            IoUtil.unmap(cnc);
        }
    }
}
