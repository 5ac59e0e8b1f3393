package io.netwarden.edge.central;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;

/**
 * The edge role's metrics on {@code /q/metrics}:
 *
 * <pre>
 *   netwarden_edge_messages_total{node, method, outcome = sent | acked | failed | expired}
 *   netwarden_edge_delivery_seconds{method}     from stored to answered (histogram)
 *   netwarden_edge_nodes_online                 on the central
 * </pre>
 *
 * Node names are tags: their number is the fleet's size, bounded by what the operator runs (names are subject tokens
 * of at most 64 characters). Thread safety: Micrometer meters are thread-safe.
 */
public final class EdgeMetrics {

    private final MeterRegistry registry;

    public EdgeMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void count(String node, String method, String outcome) {
        Counter.builder("netwarden.edge.messages").description("Edge messages sent from this node, and how they ended")
                .tag("node", node).tag("method", method).tag("outcome", outcome).register(registry).increment();
    }

    public void answered(String method, Instant stored, Instant answered) {
        Timer.builder("netwarden.edge.delivery").description("Edge messages from stored to answered")
                .tag("method", method).publishPercentileHistogram().register(registry)
                .record(Duration.between(stored, answered).isNegative() ? Duration.ZERO : Duration.between(stored, answered));
    }
}
