package io.netwarden.registry.ssdp;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * SSDP over IPv4 multicast:
 *
 * <pre>
 *   listener  239.255.255.250:&lt;port&gt; (SO_REUSEADDR), the group joined on each interface ─▶ NOTIFYs (bound to the
 *             group address, so unicast datagrams to the port are not taken)
 *   searcher  one per interface, bound to its IPv4 address and an ephemeral port ─ M-SEARCH out of that interface
 *             (IP_MULTICAST_IF, TTL 2) ─▶ answers, unicast (marked as answers: the listener takes only solicited ones)
 *   receive   one selector over all, one datagram at a time; receive buffers of RECEIVE_BUFFER (capped by the kernel's
 *             net.core.rmem_max), so that a burst of answers to ssdp:all is not lost
 * </pre>
 *
 * Answers come to a port of its own, so another SSDP stack on the host bound to 1900 does not take them; the searchers
 * are bound to the chosen interfaces' addresses, so nothing sent to the host's other addresses reaches them.
 * Thread safety: {@link #receive} from one thread; {@link #search} from another is fine (each searcher channel
 * serialises its sends); {@link #close} from any.
 */
public final class MulticastSsdpSocket implements SsdpSocket {

    private static final Logger LOG = Logger.getLogger(MulticastSsdpSocket.class);
    public static final InetAddress GROUP = InetAddress.ofLiteral("239.255.255.250");

    private final int port;
    private final List<NetworkInterface> interfaces;
    private final DatagramChannel listener;
    private final List<DatagramChannel> searchers;
    private final Selector selector;
    /** The receive buffer asked for: about 4,000 datagrams of a typical 1 KB. */
    static final int RECEIVE_BUFFER = 4 * 1024 * 1024;
    private final ByteBuffer buffer = ByteBuffer.allocate(SsdpParser.MAX_PACKET + 1);

    private MulticastSsdpSocket(int port, List<NetworkInterface> interfaces, DatagramChannel listener,
            List<DatagramChannel> searchers, Selector selector) {
        this.port = port;
        this.interfaces = interfaces;
        this.listener = listener;
        this.searchers = searchers;
        this.selector = selector;
    }

    /**
     * Opens the sockets on {@code names} (empty: every eligible interface).
     *
     * @throws IllegalArgumentException naming what is wrong: an unknown or unfit interface, none at all
     */
    public static MulticastSsdpSocket open(Optional<List<String>> names, int port) throws IOException {
        List<NetworkInterface> chosen = choose(names);
        DatagramChannel listener = DatagramChannel.open(StandardProtocolFamily.INET);
        List<DatagramChannel> searchers = new ArrayList<>();
        Selector selector = null;
        try {
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
            listener.bind(new InetSocketAddress(GROUP, port)); // the group only: unicast to the port is not taken
            for (NetworkInterface nif : chosen) {
                listener.join(GROUP, nif);
            }
            int granted = listener.getOption(StandardSocketOptions.SO_RCVBUF);
            if (granted < RECEIVE_BUFFER) {
                LOG.infof("SSDP receive buffer: %d bytes (asked for %d; raise net.core.rmem_max for more room for bursts)",
                        granted, RECEIVE_BUFFER);
            }
            selector = Selector.open();
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_READ, Boolean.FALSE);
            for (NetworkInterface nif : chosen) {
                DatagramChannel searcher = DatagramChannel.open(StandardProtocolFamily.INET);
                searchers.add(searcher);
                searcher.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
                searcher.bind(new InetSocketAddress(ipv4(nif).orElseThrow(), 0));
                searcher.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
                searcher.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 2);
                searcher.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, false); // its own searches are not news
                searcher.configureBlocking(false);
                searcher.register(selector, SelectionKey.OP_READ, Boolean.TRUE);
            }
            return new MulticastSsdpSocket(port, chosen, listener, List.copyOf(searchers), selector);
        } catch (IOException | RuntimeException e) {
            listener.close();
            for (DatagramChannel searcher : searchers) {
                searcher.close();
            }
            if (selector != null) {
                selector.close();
            }
            throw e;
        }
    }

    private static List<NetworkInterface> choose(Optional<List<String>> names) throws SocketException {
        List<NetworkInterface> chosen = new ArrayList<>();
        if (names.isPresent() && !names.get().isEmpty()) {
            for (String name : names.get()) {
                NetworkInterface nif = NetworkInterface.getByName(name.strip());
                if (nif == null) {
                    throw new IllegalArgumentException("netwarden.registry.interfaces: no interface '" + name.strip() + "'");
                }
                if (!nif.isUp() || !nif.supportsMulticast() || ipv4(nif).isEmpty()) {
                    throw new IllegalArgumentException("netwarden.registry.interfaces: '" + name.strip() + "' is down, has"
                            + " no multicast or no IPv4 address");
                }
                chosen.add(nif);
            }
        } else {
            for (NetworkInterface nif : NetworkInterface.networkInterfaces().toList()) {
                if (nif.isUp() && nif.supportsMulticast() && !nif.isLoopback() && ipv4(nif).isPresent()) {
                    chosen.add(nif);
                }
            }
            if (chosen.isEmpty()) {
                throw new IllegalArgumentException("no interface is up, multicast-capable, not loopback and with an IPv4"
                        + " address; name one in netwarden.registry.interfaces");
            }
        }
        return chosen;
    }

    private static Optional<InetAddress> ipv4(NetworkInterface nif) {
        return nif.inetAddresses().filter(Inet4Address.class::isInstance).findFirst();
    }

    @Override
    public Datagram receive() throws IOException {
        try {
            return next();
        } catch (java.nio.channels.ClosedSelectorException e) {
            throw new ClosedChannelException();
        }
    }

    private Datagram next() throws IOException {
        while (true) {
            if (!selector.isOpen()) {
                throw new ClosedChannelException();
            }
            selector.select();
            Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
            while (ready.hasNext()) {
                SelectionKey key = ready.next();
                ready.remove();
                buffer.clear();
                InetSocketAddress from = (InetSocketAddress) ((DatagramChannel) key.channel()).receive(buffer);
                if (from != null) {
                    buffer.flip();
                    byte[] data = new byte[buffer.remaining()];
                    buffer.get(data);
                    return new Datagram(data, data.length, from.getAddress(), (Boolean) key.attachment());
                }
            }
        }
    }

    @Override
    public void search(byte[] packet) throws IOException {
        InetSocketAddress group = new InetSocketAddress(GROUP, port);
        for (int i = 0; i < searchers.size(); i++) {
            try {
                searchers.get(i).send(ByteBuffer.wrap(packet), group);
            } catch (IOException e) {
                LOG.warnf("M-SEARCH out of %s failed: %s", interfaces.get(i).getName(), e.getMessage());
            }
        }
    }

    @Override
    public List<String> interfaces() {
        return interfaces.stream().map(NetworkInterface::getName).toList();
    }

    @Override
    public void close() {
        List<AutoCloseable> all = new ArrayList<>(List.of(selector, listener));
        all.addAll(searchers);
        for (AutoCloseable open : all) {
            try {
                open.close();
            } catch (Exception e) {
                LOG.debugf("closing the SSDP socket: %s", e.getMessage());
            }
        }
    }
}
