package io.netwarden.netmanager.dns;

import io.netwarden.netmanager.ipam.Ipv4Net;
import io.netwarden.netmanager.table.TableClient;
import io.netwarden.netmanager.table.TranslationTable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The node's {@code .local} DNS responder on the bridge gateway (beyond Oakestra, whose mDNS is "to be implemented"):
 * instances resolve {@code <service>.<servicens>.<app>.<appns>.local} to the service's round-robin IP.
 *
 * <pre>
 *   UDP gateway:53 ─ sender outside the node's subnet ─▶ dropped, counted
 *     ─▶ {@link DnsQuery#parse} ─ null ─▶ dropped      ─ FORMERR │ NOTIMP ─▶ answered so
 *     ─ not under .local ─▶ REFUSED (not a recursive resolver: the instance's next nameserver is asked)
 *     ─ class not IN ─▶ REFUSED     ─ not five labels, or not a valid service ─▶ NXDOMAIN
 *     ─ the service known ─▶ A: its round-robin IP (TTL {@value #TTL} s); AAAA and other types: NOERROR, no record
 *     ─ unknown ─▶ the cluster asked off this thread (at most {@value #LOOKUPS} at once and {@value #LOOKUPS_PER_SECOND}
 *       a second, so that an instance asking for random names cannot flood the cluster; more ─▶ SERVFAIL) ─▶ as above,
 *       or NXDOMAIN (remembered as a miss for a while by the table)
 * </pre>
 *
 * Thread safety: one thread reads the socket (non-blocking: an answer that cannot be sent at once is dropped and
 * counted); lookups of unknown services run on virtual threads; the socket's sends are thread-safe; the counters are
 * concurrent.
 */
public final class DnsResponder implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DnsResponder.class);
    static final int TTL = 30;
    static final int LOOKUPS = 32;
    static final int LOOKUPS_PER_SECOND = 20;
    private static final int MAX_QUERY = 512;

    private final DatagramChannel socket;
    private final TableClient tables;
    private final Ipv4Net subnet;
    private final Semaphore lookups = new Semaphore(LOOKUPS);
    private final io.netwarden.platform.concurrent.PerSecondBudget lookupsPerSecond =
            new io.netwarden.platform.concurrent.PerSecondBudget(LOOKUPS_PER_SECOND);
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private Thread reader;

    /**
     * @param socket bound to the bridge gateway's port 53
     * @param subnet the node's bridge subnet: only its instances are answered
     */
    public DnsResponder(DatagramChannel socket, TableClient tables, Ipv4Net subnet) {
        this.socket = socket;
        this.tables = tables;
        this.subnet = subnet;
    }

    public synchronized void start() {
        reader = Thread.ofPlatform().name("netmanager-dns").daemon().start(this::read);
    }

    private void read() {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_QUERY + 1);
        // non-blocking both ways: an answer the kernel cannot take now (a full send buffer, an address that never
        // answers ARP) is dropped, never waited for, so that no query can stop the others
        try (java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
            socket.configureBlocking(false);
            socket.register(selector, java.nio.channels.SelectionKey.OP_READ);
            while (!closed) {
                selector.select(200);
                selector.selectedKeys().clear();
                InetSocketAddress sender;
                while (!closed && (sender = (InetSocketAddress) socket.receive(buffer.clear())) != null) {
                    try {
                        handle(buffer.array(), buffer.position(), sender);
                    } catch (RuntimeException e) {
                        count("error");
                        LOG.debugf("netmanager dns: a query from %s failed: %s", sender, e.toString());
                    }
                }
            }
        } catch (ClosedChannelException e) {
            // closed
        } catch (IOException e) {
            if (!closed) {
                LOG.errorf("netmanager dns: the responder stopped: %s", e.getMessage());
            }
        }
    }

    void handle(byte[] packet, int length, InetSocketAddress sender) {
        byte[] address = sender.getAddress().getAddress();
        if (address.length != 4 || !subnet.contains(java.nio.ByteBuffer.wrap(address).getInt())) {
            count("dropped: not from an instance of this node");
            return;
        }
        if (length > MAX_QUERY) {
            count("dropped: longer than 512 bytes");
            return;
        }
        DnsQuery query = DnsQuery.parse(packet, length);
        if (query == null) {
            count("dropped: not a query");
            return;
        }
        if (query.problem() != null) {
            reply(query, query.answer(query.problem()), sender, query.problem().name());
            return;
        }
        if (!LocalNames.isLocal(query.labels())) {
            reply(query, query.answer(DnsQuery.Rcode.REFUSED), sender, "REFUSED: not .local");
            return;
        }
        if (query.qclass() != DnsQuery.CLASS_IN && query.qclass() != DnsQuery.CLASS_ANY) {
            reply(query, query.answer(DnsQuery.Rcode.REFUSED), sender, "REFUSED: class not IN");
            return;
        }
        Optional<String> service = LocalNames.serviceOf(query.labels());
        if (service.isEmpty()) {
            reply(query, query.answer(DnsQuery.Rcode.NXDOMAIN), sender, "NXDOMAIN");
            return;
        }
        List<TranslationTable.Instance> known = tables.table().instances(service.get());
        if (!known.isEmpty() || tables.table().recentlyMissed(service.get())) {
            answer(query, known, sender);
            return;
        }
        if (!lookupsPerSecond.take() || !lookups.tryAcquire()) {
            reply(query, query.answer(DnsQuery.Rcode.SERVFAIL), sender, "SERVFAIL: too many lookups at once");
            return;
        }
        Thread.ofVirtual().name("netmanager-dns-lookup").start(() -> {
            try {
                answer(query, tables.byName(service.get()), sender);
            } catch (RuntimeException e) {
                reply(query, query.answer(DnsQuery.Rcode.SERVFAIL), sender, "SERVFAIL: the lookup failed");
            } finally {
                lookups.release();
            }
        });
    }

    private void answer(DnsQuery query, List<TranslationTable.Instance> instances, InetSocketAddress sender) {
        Optional<String> roundRobin = instances.stream().flatMap(i -> i.serviceIps().stream())
                .filter(ip -> ip.kind().equals("round_robin")).map(TranslationTable.ServiceIp::address).findFirst();
        if (roundRobin.isEmpty()) {
            reply(query, query.answer(DnsQuery.Rcode.NXDOMAIN), sender, "NXDOMAIN");
        } else if (query.type() == DnsQuery.TYPE_A || query.type() == DnsQuery.TYPE_ANY) {
            reply(query, query.answer(DnsQuery.Rcode.NOERROR, Ipv4Net.address(roundRobin.get()), TTL), sender, "answered");
        } else {
            reply(query, query.answer(DnsQuery.Rcode.NOERROR), sender, "no record of that type");
        }
    }

    private void reply(DnsQuery query, byte[] answer, InetSocketAddress sender, String outcome) {
        try {
            if (socket.send(ByteBuffer.wrap(answer), sender) == 0) {
                count("not sent: the send queue is full");
                return;
            }
            count(outcome);
        } catch (IOException e) {
            count("not sent");
        }
    }

    private void count(String what) {
        counts.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    }

    /** Queries by outcome, for the node's state. */
    public Map<String, Long> counts() {
        Map<String, Long> out = new java.util.TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debugf("netmanager dns: closing: %s", e.getMessage());
        }
        Thread running = reader;
        if (running != null) {
            try {
                running.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
