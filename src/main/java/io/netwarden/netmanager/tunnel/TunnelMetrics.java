package io.netwarden.netmanager.tunnel;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The tunnel's meters, registered as the tunnel meets them: packets and bytes per peer and direction
 * ({@code netwarden.netmanager.tunnel.packets}, {@code .bytes}, tags {@code peer}, {@code direction=out|in}), packets
 * dropped or missed by reason ({@code netwarden.netmanager.tunnel.events}, tag {@code reason}), and gauges for the flows
 * and the table's size. The counts live in the tunnel; the meters read them (no second count per packet).
 */
public interface TunnelMetrics {

    /** A peer's counters: packets out, bytes out, packets in, bytes in. */
    void peer(InetSocketAddress peer, LongAdder[] counters);

    /** A drop or miss reason's counter. */
    void reason(String reason, AtomicLong counter);

    /** The gauges of a started tunnel. */
    void gauges(Supplier<Number> flows, Supplier<Number> tableSize);

    TunnelMetrics NONE = new TunnelMetrics() {
        @Override
        public void peer(InetSocketAddress peer, LongAdder[] counters) {
        }

        @Override
        public void reason(String reason, AtomicLong counter) {
        }

        @Override
        public void gauges(Supplier<Number> flows, Supplier<Number> tableSize) {
        }
    };

    /**
     * Meters in {@code registry}. Each meter is registered once and reads the counts it was last given, so that a tunnel
     * made again (the role restarted) is measured by the same meters.
     */
    static TunnelMetrics of(MeterRegistry registry) {
        Map<String, AtomicReference<LongAdder[]>> peers = new ConcurrentHashMap<>();
        Map<String, AtomicReference<AtomicLong>> reasons = new ConcurrentHashMap<>();
        AtomicReference<Supplier<Number>> flows = new AtomicReference<>(() -> 0);
        AtomicReference<Supplier<Number>> table = new AtomicReference<>(() -> 0);
        AtomicReference<Boolean> gauges = new AtomicReference<>(false);
        return new TunnelMetrics() {
            @Override
            public void peer(InetSocketAddress peer, LongAdder[] counters) {
                String name = peer.getAddress().getHostAddress() + ":" + peer.getPort();
                AtomicReference<LongAdder[]> known = peers.get(name);
                if (known != null) {
                    known.set(counters);
                    return;
                }
                AtomicReference<LongAdder[]> c = new AtomicReference<>(counters);
                peers.put(name, c);
                String[] meters = {"netwarden.netmanager.tunnel.packets", "netwarden.netmanager.tunnel.bytes"};
                for (int i = 0; i < 4; i++) {
                    int index = i;
                    FunctionCounter.builder(meters[i % 2], c, ref -> ref.get()[index].sum()).tag("peer", name)
                            .tag("direction", i < 2 ? "out" : "in").baseUnit(i % 2 == 0 ? "packets" : "bytes")
                            .description("Packets and bytes through the tunnel, per peer node").register(registry);
                }
            }

            @Override
            public void reason(String reason, AtomicLong counter) {
                AtomicReference<AtomicLong> known = reasons.get(reason);
                if (known != null) {
                    known.set(counter);
                    return;
                }
                AtomicReference<AtomicLong> c = new AtomicReference<>(counter);
                reasons.put(reason, c);
                FunctionCounter.builder("netwarden.netmanager.tunnel.events", c, ref -> ref.get().get()).tag("reason", reason)
                        .description("Packets the tunnel dropped or could not translate yet, by reason").register(registry);
            }

            @Override
            public void gauges(Supplier<Number> flowCount, Supplier<Number> tableSize) {
                flows.set(flowCount);
                table.set(tableSize);
                if (gauges.compareAndSet(false, true)) {
                    Gauge.builder("netwarden.netmanager.tunnel.flows", () -> flows.get().get())
                            .description("Translated flows kept").register(registry);
                    Gauge.builder("netwarden.netmanager.table.instances", () -> table.get().get())
                            .description("Instances this node knows of other services").register(registry);
                }
            }
        };
    }
}
