package io.netwarden.netmanager.tunnel;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the tunnel counts: packets and bytes per peer and direction, and events (drops, misses) by reason; each new
 * counter handed to the {@link TunnelMetrics} once, which reads it from then on.
 *
 * <pre>
 *   sent(peer, bytes) │ received(peer, bytes) ─▶ the peer's four adders (one map lookup per packet, no string built;
 *                                                 beyond 10,000 peers, one shared set)
 *   count(reason) ─▶ the reason's counter
 * </pre>
 *
 * Thread safety: concurrent maps of adders; any thread.
 */
final class TunnelCounters {

    /** Peers counted each on their own, at most. */
    private static final int MAX_PEERS = 10_000;

    private final TunnelMetrics metrics;
    private final Map<String, AtomicLong> reasons = new ConcurrentHashMap<>();
    private final Map<InetSocketAddress, LongAdder[]> peers = new ConcurrentHashMap<>();
    /** Where packets of peers beyond the counted ones are counted (together). */
    private final LongAdder[] uncounted = {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()};

    TunnelCounters(TunnelMetrics metrics) {
        this.metrics = metrics;
    }

    void sent(InetSocketAddress peer, int bytes) {
        LongAdder[] c = peer(peer);
        c[0].increment();
        c[1].add(bytes);
    }

    void received(InetSocketAddress peer, int bytes) {
        LongAdder[] c = peer(peer);
        c[2].increment();
        c[3].add(bytes);
    }

    private LongAdder[] peer(InetSocketAddress node) {
        LongAdder[] c = peers.get(node);
        if (c == null) {
            c = peers.size() < MAX_PEERS ? peers.computeIfAbsent(node, k -> {
                LongAdder[] made = {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()};
                metrics.peer(k, made);
                return made;
            }) : uncounted;
        }
        return c;
    }

    void count(String reason) {
        AtomicLong counter = reasons.get(reason);
        if (counter == null) {
            counter = reasons.computeIfAbsent(reason, k -> {
                AtomicLong made = new AtomicLong();
                metrics.reason(k, made);
                return made;
            });
        }
        counter.incrementAndGet();
    }

    /** The events by reason, for the API. */
    Map<String, Long> byReason() {
        Map<String, Long> out = new TreeMap<>();
        reasons.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** Packets and bytes per peer ({@code address:port}), for the API. */
    Map<String, Map<String, Long>> byPeer() {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        peers.forEach((k, c) -> out.put(k.getAddress().getHostAddress() + ":" + k.getPort(), Map.of("packetsOut", c[0].sum(),
                "bytesOut", c[1].sum(), "packetsIn", c[2].sum(), "bytesIn", c[3].sum())));
        return out;
    }
}
