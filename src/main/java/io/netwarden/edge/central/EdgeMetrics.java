package io.netwarden.edge.central;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The edge role's metrics on {@code /q/metrics}:
 *
 * <pre>
 *   netwarden_edge_messages_total{node, method, outcome = sent | acked | failed | expired}
 *   netwarden_edge_delivery_seconds{method}     from stored to answered (histogram)
 *   netwarden_edge_nodes_online                 on the central
 * </pre>
 *
 * Node and method names are tags. Anyone with the API token may name any node or method, so the tags are bounded: the
 * first {@link #MAX_NODES} node names, {@link #MAX_METHODS} method names and {@link #MAX_PAIRS} pairs of them seen get
 * series of their own, the rest count under {@code other} (at most about 4,000 × 5 outcomes). Thread safety: Micrometer meters and the seen-sets are thread-safe.
 */
public final class EdgeMetrics {

    static final int MAX_NODES = 2000;
    static final int MAX_METHODS = 32;
    /** Node and method pairs with series of their own; the rest count under node {@code other}. */
    static final int MAX_PAIRS = 4000;
    static final String OTHER = "other";

    private final MeterRegistry registry;
    private final Set<String> nodes = ConcurrentHashMap.newKeySet();
    private final Set<String> methods = ConcurrentHashMap.newKeySet();
    private final Set<String> pairs = ConcurrentHashMap.newKeySet();

    public EdgeMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void count(String node, String method, String outcome) {
        String methodTag = bounded(methods, method, MAX_METHODS);
        String nodeTag = bounded(nodes, node, MAX_NODES);
        if (!nodeTag.equals(OTHER) && bounded(pairs, nodeTag + "\n" + methodTag, MAX_PAIRS).equals(OTHER)) {
            nodeTag = OTHER;
        }
        Counter.builder("netwarden.edge.messages").description("Edge messages sent from this node, and how they ended")
                .tag("node", nodeTag).tag("method", methodTag).tag("outcome", outcome).register(registry).increment();
    }

    private static String bounded(Set<String> seen, String value, int max) {
        if (seen.contains(value)) {
            return value;
        }
        if (seen.size() >= max) {
            return OTHER;
        }
        seen.add(value);
        return value;
    }

    public void answered(String method, Instant stored, Instant answered) {
        Timer.builder("netwarden.edge.delivery").description("Edge messages from stored to answered")
                .tag("method", bounded(methods, method, MAX_METHODS)).publishPercentileHistogram().register(registry)
                .record(Duration.between(stored, answered).isNegative() ? Duration.ZERO : Duration.between(stored, answered));
    }
}
