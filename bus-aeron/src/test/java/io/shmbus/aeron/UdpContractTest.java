package io.shmbus.aeron;

/**
 * The contract of {@link AeronContractTest} over {@code aeron:udp} on loopback: every topic a stream of one
 * unicast endpoint.
 */
class UdpContractTest extends AeronContractTest
{
    private static final int PORT = TestDirs.freeUdpPort();

    @Override
    String channelForClass()
    {
        return "aeron:udp?endpoint=127.0.0.1:" + PORT;
    }
}
