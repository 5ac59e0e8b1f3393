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
 *   searcher  0.0.0.0:&lt;ephemeral&gt; ─ M-SEARCH out of each interface (IP_MULTICAST_IF, TTL 2) ─▶ answers, unicast
 *   receive   one selector over both, one datagram at a time
 * </pre>
 *
 * Answers come to a port of its own, so another SSDP stack on the host bound to 1900 does not take them. Thread safety:
 * {@link #receive} from one thread; {@link #search} from another is fine (the searcher channel serialises sends);
 * {@link #close} from any.
 */
public final class MulticastSsdpSocket implements SsdpSocket {

    private static final Logger LOG = Logger.getLogger(MulticastSsdpSocket.class);
    public static final InetAddress GROUP = InetAddress.ofLiteral("239.255.255.250");

    private final int port;
    private final List<NetworkInterface> interfaces;
    private final DatagramChannel listener;
    private final DatagramChannel searcher;
    private final Selector selector;
    private final ByteBuffer buffer = ByteBuffer.allocate(SsdpParser.MAX_PACKET + 1);

    private MulticastSsdpSocket(int port, List<NetworkInterface> interfaces, DatagramChannel listener,
            DatagramChannel searcher, Selector selector) {
        this.port = port;
        this.interfaces = interfaces;
        this.listener = listener;
        this.searcher = searcher;
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
        DatagramChannel searcher = null;
        Selector selector = null;
        try {
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.bind(new InetSocketAddress(GROUP, port)); // the group only: unicast to the port is not taken
            for (NetworkInterface nif : chosen) {
                listener.join(GROUP, nif);
            }
            searcher = DatagramChannel.open(StandardProtocolFamily.INET);
            searcher.bind(new InetSocketAddress(0));
            searcher.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 2);
            listener.configureBlocking(false);
            searcher.configureBlocking(false);
            selector = Selector.open();
            listener.register(selector, SelectionKey.OP_READ);
            searcher.register(selector, SelectionKey.OP_READ);
            return new MulticastSsdpSocket(port, chosen, listener, searcher, selector);
        } catch (IOException | RuntimeException e) {
            listener.close();
            if (searcher != null) {
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
                    return new Datagram(data, data.length, from.getAddress());
                }
            }
        }
    }

    @Override
    public void search(byte[] packet) throws IOException {
        InetSocketAddress group = new InetSocketAddress(GROUP, port);
        for (NetworkInterface nif : interfaces) {
            try {
                searcher.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
                searcher.send(ByteBuffer.wrap(packet), group);
            } catch (IOException e) {
                LOG.warnf("M-SEARCH out of %s failed: %s", nif.getName(), e.getMessage());
            }
        }
    }

    @Override
    public List<String> interfaces() {
        return interfaces.stream().map(NetworkInterface::getName).toList();
    }

    @Override
    public void close() {
        for (AutoCloseable open : new AutoCloseable[] {selector, listener, searcher}) {
            try {
                open.close();
            } catch (Exception e) {
                LOG.debugf("closing the SSDP socket: %s", e.getMessage());
            }
        }
    }
}
