package io.netwarden.netmanager.tunnel;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The tunnel's connection table: each translated flow under two keys — as the client sends it (to the service IP) and as
 * the instance answers it (to the client's instance IP) — so that both directions find the same translation.
 *
 * <pre>
 *   client c:cp ─▶ service s:sp        forward key (proto, c, cp, s, sp)   ─▶ src ci, dst i   (to node n)
 *   instance i:sp ─▶ client ci:cp      reverse key (proto, i, sp, ci, cp)  ─▶ src s,  dst c
 * </pre>
 *
 * Idle flows expire (TCP after {@link #TCP_IDLE_NANOS}, others after {@link #OTHER_IDLE_NANOS}); at most {@link #MAX}
 * flows are kept — a flood of new ones beyond is refused and counted, established ones go on. Thread safety: a
 * concurrent map; a flow's last-seen time is a volatile long written by whichever thread sees a packet.
 */
public final class Flows {

    static final long TCP_IDLE_NANOS = 600_000_000_000L;
    static final long OTHER_IDLE_NANOS = 60_000_000_000L;
    public static final int MAX = 200_000;

    /**
     * A flow's key: protocol and both ends, addresses as ints, and which way: a local client's request and a local
     * instance's answer may carry the same five values (client and instance on one node), and must not be taken for
     * each other.
     */
    record Key(int protocol, int srcAddress, int srcPort, int dstAddress, int dstPort, boolean answer) {
    }

    /** A translation. {@code node} is where the instance runs (null: this node). */
    public static final class Flow {
        final int protocol;
        final int client;
        final int clientPort;
        final int clientInstanceIp;
        final int serviceIp;
        final int servicePort;
        final int instance;
        final InetSocketAddress node;
        volatile long lastSeen;

        Flow(int protocol, int client, int clientPort, int clientInstanceIp, int serviceIp, int servicePort, int instance,
                InetSocketAddress node, long now) {
            this.protocol = protocol;
            this.client = client;
            this.clientPort = clientPort;
            this.clientInstanceIp = clientInstanceIp;
            this.serviceIp = serviceIp;
            this.servicePort = servicePort;
            this.instance = instance;
            this.node = node;
            this.lastSeen = now;
        }

        Key forward() {
            return new Key(protocol, client, clientPort, serviceIp, servicePort, false);
        }

        Key reverse() {
            return new Key(protocol, instance, servicePort, clientInstanceIp, clientPort, true);
        }
    }

    /** Flows one client address may hold at once: one instance cannot fill the table for the others. */
    public static final int MAX_PER_CLIENT = 20_000;

    private final Map<Key, Flow> flows = new ConcurrentHashMap<>();
    private final Map<Integer, java.util.concurrent.atomic.AtomicInteger> perClient = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();

    /** What {@link #add} did. */
    enum Added {
        ADDED, FULL, CLIENT_FULL, CONFLICT
    }

    /** The flow whose client sends this packet (to the service IP). */
    Flow forward(int protocol, int src, int srcPort, int dst, int dstPort) {
        return touch(flows.get(new Key(protocol, src, srcPort, dst, dstPort, false)));
    }

    /** The flow whose instance answers with this packet (to the client's instance IP). */
    Flow reverse(int protocol, int src, int srcPort, int dst, int dstPort) {
        return touch(flows.get(new Key(protocol, src, srcPort, dst, dstPort, true)));
    }

    private static Flow touch(Flow flow) {
        if (flow != null) {
            flow.lastSeen = System.nanoTime();
        }
        return flow;
    }

    /**
     * Adds a flow under both keys. Refused (and counted) when the table is full, when its client holds
     * {@link #MAX_PER_CLIENT} already, or when another flow answers under the same key (one client port to two service
     * IPs that chose the same instance: the answers could not be told apart).
     */
    Added add(Flow flow) {
        if (flows.size() >= 2 * MAX) {
            refused.incrementAndGet();
            return Added.FULL;
        }
        java.util.concurrent.atomic.AtomicInteger held = perClient.computeIfAbsent(flow.client,
                k -> new java.util.concurrent.atomic.AtomicInteger());
        if (held.incrementAndGet() > MAX_PER_CLIENT) {
            held.decrementAndGet();
            refused.incrementAndGet();
            return Added.CLIENT_FULL;
        }
        if (flows.putIfAbsent(flow.forward(), flow) != null) {
            held.decrementAndGet();
            return Added.ADDED; // the same flow, added by a packet just before
        }
        Flow other = flows.putIfAbsent(flow.reverse(), flow);
        if (other != null) {
            flows.remove(flow.forward(), flow);
            held.decrementAndGet();
            return Added.CONFLICT;
        }
        return Added.ADDED;
    }

    /** Removes flows idle for longer than their protocol's time; how many. */
    public int expire(long now) {
        int removed = 0;
        for (Map.Entry<Key, Flow> entry : flows.entrySet()) {
            Flow flow = entry.getValue();
            long idle = flow.protocol == Ipv4.TCP ? TCP_IDLE_NANOS : OTHER_IDLE_NANOS;
            if (now - flow.lastSeen > idle && flows.remove(entry.getKey(), flow)) {
                removed++;
                if (!entry.getKey().answer()) {
                    perClient.computeIfPresent(flow.client, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
                }
            }
        }
        return removed / 2;
    }

    /** Flows kept now. */
    public int size() {
        return flows.size() / 2;
    }

    /** New flows refused because the table was full. */
    public long refused() {
        return refused.get();
    }
}
