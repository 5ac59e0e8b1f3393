package io.netwarden.edge.central;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Whoever holds the API token names nodes and methods; the series they make stay bounded. */
class EdgeMetricsTest {

    @Test
    void nodeAndMethodTagsAreBoundedTheRestCountsAsOther() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EdgeMetrics metrics = new EdgeMetrics(registry);
        for (int i = 0; i < EdgeMetrics.MAX_NODES + 500; i++) {
            metrics.count("node" + i, "method" + (i % 100), "sent");
            metrics.answered("method" + (i % 100), Instant.EPOCH, Instant.EPOCH.plusMillis(5));
        }
        long nodes = registry.find("netwarden.edge.messages").counters().stream().map(c -> c.getId().getTag("node"))
                .distinct().count();
        long methods = registry.find("netwarden.edge.messages").counters().stream().map(c -> c.getId().getTag("method"))
                .distinct().count();
        assertEquals(EdgeMetrics.MAX_NODES + 1, nodes, "the first ones and other");
        long pairs = registry.find("netwarden.edge.messages").counters().stream()
                .map(c -> c.getId().getTag("node") + "/" + c.getId().getTag("method")).distinct().count();
        assertTrue(pairs <= EdgeMetrics.MAX_PAIRS + EdgeMetrics.MAX_METHODS + 1, "pairs bounded: " + pairs);
        assertEquals(EdgeMetrics.MAX_METHODS + 1, methods);
        assertTrue(registry.find("netwarden.edge.delivery").timers().size() <= EdgeMetrics.MAX_METHODS + 1);
        double total = registry.find("netwarden.edge.messages").counters().stream().mapToDouble(c -> c.count()).sum();
        assertEquals(EdgeMetrics.MAX_NODES + 500, total, 0.0, "nothing lost, only pooled");
    }
}
