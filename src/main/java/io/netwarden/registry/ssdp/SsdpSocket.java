package io.netwarden.registry.ssdp;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;

/**
 * The registry's SSDP network edge: datagrams in (advertisements on 239.255.255.250, answers to its searches), searches
 * out. Narrow, so that the listener's logic can be tested with a fake; {@link MulticastSsdpSocket} is the real one.
 */
public interface SsdpSocket extends AutoCloseable {

    /**
     * One datagram as received; {@code data} is the datagram's own copy.
     *
     * @param answer true when it came to the registry's own answer port (unicast, where answers to its M-SEARCH go),
     *     false when it came to the multicast group
     */
    record Datagram(byte[] data, int length, InetAddress source, boolean answer) {

        /** A datagram to the multicast group. */
        public Datagram(byte[] data, int length, InetAddress source) {
            this(data, length, source, false);
        }
    }

    /**
     * Waits for the next datagram. Longer datagrams than {@link SsdpParser#MAX_PACKET} arrive cut to one byte more, so
     * that the parser still sees them as too large.
     *
     * @throws java.nio.channels.ClosedChannelException once closed
     */
    Datagram receive() throws IOException;

    /** Sends {@code packet} to 239.255.255.250 on the SSDP port out of every interface. */
    void search(byte[] packet) throws IOException;

    /** The interfaces it listens and searches on, for the log. */
    List<String> interfaces();

    @Override
    void close();
}
