package io.netwarden.netmanager.tunnel;

import io.netwarden.netmanager.ipam.Ipv4Net;
import io.netwarden.netmanager.linux.TunDevice;
import io.netwarden.netmanager.table.TableClient;
import io.netwarden.netmanager.table.TranslationTable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The node's service-IP proxy: instances reach a service by its service IP; this node picks an instance, translates the
 * packet and carries it to the instance's node as UDP on the tunnel port; the answers come back the same way and are
 * translated back. Instances on this node are reached without the tunnel.
 *
 * <pre>
 *   TUN (route: service network ─▶ here), packet from instance c to service IP s:
 *     known flow ─▶ src ci (c's instance IP), dst i ─▶ i's node over UDP │ this node: back into the TUN
 *     new ─▶ s's service (table; unknown: asked, packet dropped) ─▶ an instance: round-robin │ closest (one on this
 *            node first) │ the one an instance IP names ─▶ flow recorded both ways ─▶ as above
 *     to ci of a flow made here (answer of a local instance) ─▶ src s, dst c ─▶ TUN
 *     to ci of a remote client (answer of a local instance) ─▶ ci's node over UDP
 *     to another node's instance address (the container network is routed here too) ─▶ that node over UDP, as it is
 *            (unknown: asked as the cluster answers for instance addresses, packet dropped)
 *   UDP from a peer:
 *     to a local instance, from ci or from another node's instance address ─ that one's node (cluster table) is the
 *            sender? ─▶ TUN │ else dropped (forged), asked
 *     to ci of a flow made here, from that flow's node ─▶ src s, dst c ─▶ TUN │ else dropped
 *   every rewrite updates the IPv4 and TCP/UDP checksums (Oakestra leaves them); ICMP echo passes (ping a service IP)
 *   encryption on ({@link PeerKeys}): every UDP packet to a peer sealed, every one from a peer opened first; one that
 *   does not open (no key yet, forged, replayed, plaintext) is dropped and counted
 * </pre>
 *
 * Thread safety: one thread reads the TUN, one the UDP socket; the flow table, the verified peers and the counters
 * are concurrent; the TUN's writes are serialised by the device.
 */
public final class ProxyTunnel implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ProxyTunnel.class);
    /** Table queries started by packets at once, at most (a flood to unknown addresses asks this many). */
    private static final int QUERIES = 64;

    private final TunDevice tun;
    private final DatagramChannel udp;
    private final TableClient tables;
    private final TranslationTable table;
    private final Ipv4Net serviceNetwork;
    private final Ipv4Net containerNetwork;
    private final Ipv4Net localSubnet;
    private final String localAddress;
    private final Map<Integer, InetSocketAddress> verified = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicLong> roundRobin = new ConcurrentHashMap<>();
    private final Set<String> asking = ConcurrentHashMap.newKeySet();
    private final Semaphore queries = new Semaphore(QUERIES);
    private final Flows flows = new Flows();
    private final Set<Integer> localInstances = ConcurrentHashMap.newKeySet();
    /** Table queries that packets from peers may start per second (a spoofed flood must not flood the cluster). */
    static final int PEER_QUERIES_PER_SECOND = 20;
    private final io.netwarden.platform.concurrent.PerSecondBudget peerQueries =
            new io.netwarden.platform.concurrent.PerSecondBudget(PEER_QUERIES_PER_SECOND);
    private final TunnelMetrics metrics;
    private final TunnelCounters counters;
    /** Null: encryption off. */
    private final PeerKeys keys;
    /** The sealed packet; used by the TUN reader only (the one thread that sends). */
    private final byte[] sealed = new byte[TunDevice.MAX_PACKET + PeerKeys.OVERHEAD];
    private volatile boolean closed;
    private Thread tunReader;
    private Thread udpReader;

    /**
     * @param udp the tunnel's socket, bound to the tunnel port
     * @param localSubnet this node's bridge subnet (its instances)
     * @param localAddress this node's public address (instances whose node address it is run here)
     * @param keys the peers' keys when the tunnel is encrypted; null when it is not
     * @param containerNetwork every node's bridge subnet is in it (instances reach each other's addresses directly)
     */
    public ProxyTunnel(TunDevice tun, DatagramChannel udp, TableClient tables, Ipv4Net serviceNetwork,
            Ipv4Net containerNetwork, Ipv4Net localSubnet, String localAddress, TunnelMetrics metrics, PeerKeys keys) {
        this.containerNetwork = containerNetwork;
        this.keys = keys;
        this.metrics = metrics;
        this.counters = new TunnelCounters(metrics);
        this.tun = tun;
        this.udp = udp;
        this.tables = tables;
        this.table = tables.table();
        this.serviceNetwork = serviceNetwork;
        this.localSubnet = localSubnet;
        this.localAddress = localAddress;
    }

    public synchronized void start() {
        metrics.gauges(flows::size, table::size);
        tunReader = Thread.ofPlatform().name("netmanager-tun").daemon().start(this::readTun);
        udpReader = Thread.ofPlatform().name("netmanager-tunnel").daemon().start(this::readUdp);
        Thread.ofVirtual().name("netmanager-flows").start(this::expireFlows);
    }

    // ------------------------------------------------------------------ from the instances of this node

    private void readTun() {
        byte[] packet = new byte[TunDevice.MAX_PACKET];
        while (!closed) {
            int length;
            try {
                length = tun.read(packet);
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.errorf("netmanager tunnel: the TUN device failed: %s", e.getMessage());
                }
                return;
            }
            if (length < 0) {
                return;
            }
            if (length > 0) {
                try {
                    fromInstance(packet, length);
                } catch (RuntimeException e) {
                    count("error");
                    LOG.debugf("netmanager tunnel: a packet from the TUN failed: %s", e.toString());
                }
            }
        }
    }

    void fromInstance(byte[] p, int length) {
        String bad = Ipv4.check(p, length);
        if (bad != null) {
            count("dropped: " + bad);
            return;
        }
        int protocol = Ipv4.protocol(p);
        int src = Ipv4.source(p);
        int dst = Ipv4.destination(p);
        int sport = Ipv4.sourcePort(p);
        int dport = Ipv4.destinationPort(p);
        if (sport < 0) {
            count("dropped: ICMP other than echo");
            return;
        }
        Flows.Flow flow = flows.forward(protocol, src, sport, dst, dport);
        if (flow != null) {
            forward(p, length, flow);
            return;
        }
        flow = flows.reverse(protocol, src, sport, dst, dport);
        if (flow != null && flow.node == null) { // an instance here answering a client here
            Ipv4.setSource(p, flow.serviceIp);
            Ipv4.setDestination(p, flow.client);
            toTun(p, length);
            return;
        }
        InetSocketAddress clientNode = verified.get(dst);
        if (clientNode != null) { // an instance here answering a client on another node
            send(p, length, clientNode);
            return;
        }
        if (localInstances.contains(src) && containerNetwork.contains(dst) && !localSubnet.contains(dst)) {
            toInstanceAddress(p, length, dst);
            return;
        }
        if (!localInstances.contains(src) || !serviceNetwork.contains(dst)) {
            count("dropped: not from an instance to a service IP or another node's instance");
            return;
        }
        newFlow(p, length, protocol, src, sport, dst, dport);
    }

    private void newFlow(byte[] p, int length, int protocol, int src, int sport, int dst, int dport) {
        String serviceIp = Ipv4Net.format(dst);
        Optional<String> service = table.serviceOf(serviceIp);
        Optional<String> clientIp = table.instanceIpOf(Ipv4Net.format(src));
        if (service.isEmpty()) {
            count("translation miss");
            ask(serviceIp, () -> tables.byIp(serviceIp));
            return;
        }
        if (clientIp.isEmpty()) {
            count("dropped: the client's instance IP is not known yet");
            return;
        }
        List<TranslationTable.Instance> instances = table.instances(service.get());
        TranslationTable.Instance chosen = choose(service.get(), serviceIp, dst, instances);
        if (chosen == null) {
            count("dropped: the service has no instance");
            return;
        }
        InetSocketAddress node = chosen.nodeAddress().equals(localAddress) ? null
                : new InetSocketAddress(chosen.nodeAddress(), chosen.nodePort());
        Flows.Flow flow = new Flows.Flow(protocol, src, sport, Ipv4Net.address(clientIp.get()), dst, dport,
                Ipv4Net.address(chosen.nsAddress()), node, System.nanoTime());
        switch (flows.add(flow)) {
            case FULL -> {
                count("dropped: the flow table is full");
                return;
            }
            case CLIENT_FULL -> {
                count("dropped: the client holds its most flows");
                return;
            }
            case CONFLICT -> {
                count("dropped: the client port answers for another flow");
                return;
            }
            case ADDED -> {
            }
        }
        forward(p, length, flows.forward(protocol, src, sport, dst, dport));
    }

    /** A packet to another node's instance by its namespace address: to that node, unchanged. */
    private void toInstanceAddress(byte[] p, int length, int dst) {
        String address = Ipv4Net.format(dst);
        Optional<TranslationTable.Instance> target = table.instanceAt(address);
        if (target.isEmpty()) {
            count("translation miss");
            ask(address, () -> tables.byIp(address));
            return;
        }
        if (target.get().nodeAddress().equals(localAddress)) {
            count("dropped: an address of this node outside its subnet");
            return;
        }
        send(p, length, new InetSocketAddress(target.get().nodeAddress(), target.get().nodePort()));
    }

    /** Round-robin, closest (an instance on this node first) or the instance an instance IP names. */
    private TranslationTable.Instance choose(String service, String serviceIp, int dst, List<TranslationTable.Instance> all) {
        if (all.isEmpty()) {
            return null;
        }
        String kind = all.getFirst().serviceIps().stream().filter(ip -> ip.address().equals(serviceIp))
                .map(TranslationTable.ServiceIp::kind).findFirst().orElse("instance");
        return switch (kind) {
            case "round_robin" -> all.get((int) Math.floorMod(roundRobin.computeIfAbsent(dst, k -> new AtomicLong())
                    .getAndIncrement(), (long) all.size()));
            case "closest" -> all.stream().filter(i -> i.nodeAddress().equals(localAddress)).findFirst()
                    .orElse(all.get((int) Math.floorMod(roundRobin.computeIfAbsent(dst, k -> new AtomicLong())
                            .getAndIncrement(), (long) all.size())));
            default -> table.instanceWithIp(serviceIp).filter(i -> i.service().equals(service)).orElse(null);
        };
    }

    private void forward(byte[] p, int length, Flows.Flow flow) {
        Ipv4.setSource(p, flow.clientInstanceIp);
        Ipv4.setDestination(p, flow.instance);
        if (flow.node == null) {
            toTun(p, length);
        } else {
            send(p, length, flow.node);
        }
    }

    // ------------------------------------------------------------------ from other nodes

    private void readUdp() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(TunDevice.MAX_PACKET + PeerKeys.OVERHEAD);
        byte[] received = new byte[TunDevice.MAX_PACKET + PeerKeys.OVERHEAD];
        byte[] packet = keys == null ? received : new byte[TunDevice.MAX_PACKET];
        while (!closed) {
            InetSocketAddress sender;
            try {
                buffer.clear();
                sender = (InetSocketAddress) udp.receive(buffer);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    LOG.warnf("netmanager tunnel: receiving failed: %s", e.getMessage());
                }
                continue;
            }
            buffer.flip();
            int length = buffer.remaining();
            buffer.get(received, 0, length);
            if (keys != null) {
                length = keys.open(sender, received, length, packet);
                if (length < 0) {
                    count("dropped from a peer: " + PeerKeys.Refusal.of(length).reason());
                    continue;
                }
            }
            try {
                fromPeer(packet, length, sender);
            } catch (RuntimeException e) {
                count("error");
                LOG.debugf("netmanager tunnel: a packet from %s failed: %s", sender, e.toString());
            }
        }
    }

    void fromPeer(byte[] p, int length, InetSocketAddress sender) {
        String bad = Ipv4.check(p, length);
        if (bad != null) {
            count("dropped from a peer: " + bad);
            return;
        }
        int src = Ipv4.source(p);
        int dst = Ipv4.destination(p);
        if (localSubnet.contains(dst) && !localInstances.contains(dst)) {
            count("dropped from a peer: not an instance here"); // the gateway, the broadcast address, a free address
            return;
        }
        if (localSubnet.contains(dst)) { // a client elsewhere, to an instance here: is the sender where the client is?
            InetSocketAddress known = verified.get(src);
            if (known == null || !known.equals(sender)) {
                String clientIp = Ipv4Net.format(src);
                Optional<TranslationTable.Instance> client = serviceNetwork.contains(src) ? table.instanceWithIp(clientIp)
                        : containerNetwork.contains(src) && !localSubnet.contains(src) ? table.instanceAt(clientIp)
                        : Optional.empty();
                if (client.isEmpty() || !sameNode(client.get(), sender)) {
                    count("dropped from a peer: the sender is not the client's node");
                    if (client.isEmpty() && (serviceNetwork.contains(src) || containerNetwork.contains(src))
                            && !localSubnet.contains(src) && peerQueryAllowed()) {
                        ask(clientIp, () -> tables.byIp(clientIp));
                    }
                    return;
                }
                if (verified.size() < Flows.MAX) {
                    verified.put(src, sender);
                }
            }
            received(sender, length);
            toTun(p, length);
            return;
        }
        if (serviceNetwork.contains(dst)) { // an instance elsewhere, answering a client here
            Flows.Flow flow = flows.reverse(Ipv4.protocol(p), src, Ipv4.sourcePort(p), dst, Ipv4.destinationPort(p));
            if (flow == null || !sender.equals(flow.node)) {
                count("dropped from a peer: no such flow from it");
                return;
            }
            received(sender, length);
            Ipv4.setSource(p, flow.serviceIp);
            Ipv4.setDestination(p, flow.client);
            toTun(p, length);
            return;
        }
        count("dropped from a peer: not for this node");
    }

    private static boolean sameNode(TranslationTable.Instance instance, InetSocketAddress sender) {
        try {
            return sender.getPort() == instance.nodePort()
                    && sender.getAddress().equals(InetAddress.getByName(instance.nodeAddress()));
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ plumbing

    /** An instance of this node at {@code nsAddress}: packets from peers may reach it, it may open flows. */
    public void addInstance(String nsAddress) {
        localInstances.add(Ipv4Net.address(nsAddress));
    }

    public void removeInstance(String nsAddress) {
        localInstances.remove(Ipv4Net.address(nsAddress));
    }

    private boolean peerQueryAllowed() {
        if (!peerQueries.take()) {
            count("not asked: too many queries started by peers' packets");
            return false;
        }
        return true;
    }

    private void toTun(byte[] p, int length) {
        if (!tun.write(p, 0, length)) {
            count("dropped: the kernel refused it");
        }
    }

    private void send(byte[] p, int length, InetSocketAddress node) {
        ByteBuffer datagram = ByteBuffer.wrap(p, 0, length);
        if (keys != null) {
            int sealedLength = keys.seal(node, p, length, sealed);
            if (sealedLength < 0) {
                count("dropped: " + PeerKeys.Refusal.of(sealedLength).reason());
                return;
            }
            datagram = ByteBuffer.wrap(sealed, 0, sealedLength);
        }
        try {
            udp.send(datagram, node);
            counters.sent(node, length);
        } catch (IOException e) {
            count("dropped: not sent to a peer");
        }
    }

    private void received(InetSocketAddress node, int length) {
        counters.received(node, length);
    }

    private void count(String what) {
        counters.count(what);
    }

    /** Asks the cluster off the packet path; at most {@link #QUERIES} at once, one per key. */
    private void ask(String key, Runnable query) {
        if (!asking.add(key)) {
            return;
        }
        if (!queries.tryAcquire()) {
            asking.remove(key);
            return;
        }
        Thread.ofVirtual().name("netmanager-query").start(() -> {
            try {
                query.run();
            } catch (RuntimeException e) {
                LOG.debugf("netmanager tunnel: a table query failed: %s", e.toString());
            } finally {
                asking.remove(key);
                queries.release();
            }
        });
    }

    private void expireFlows() {
        while (!closed) {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                return;
            }
            int removed = flows.expire(System.nanoTime());
            if (removed > 0) {
                LOG.debugf("netmanager tunnel: %d idle flow(s) expired", removed);
            }
        }
    }

    /** Counters for the API: flows, drops by reason, and packets/bytes per peer. */
    public Map<String, Object> state() {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("device", tun.name());
        out.put("port", ((InetSocketAddress) localPort()).getPort());
        out.put("flows", flows.size());
        out.put("flowsRefused", flows.refused());
        out.put("encryption", keys == null ? "off" : keys.suite().configName());
        if (keys != null) {
            out.put("keyedPeers", keys.size());
        }
        out.put("counters", counters.byReason());
        out.put("peers", counters.byPeer());
        return out;
    }

    private java.net.SocketAddress localPort() {
        try {
            return udp.getLocalAddress();
        } catch (IOException e) {
            return new InetSocketAddress(0);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            udp.close();
        } catch (IOException e) {
            LOG.debugf("netmanager tunnel: closing the socket: %s", e.getMessage());
        }
        tun.close();
        for (Thread reader : new Thread[] {tunReader, udpReader}) {
            if (reader != null) {
                try {
                    reader.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
