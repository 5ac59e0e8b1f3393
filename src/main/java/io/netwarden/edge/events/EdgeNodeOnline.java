package io.netwarden.edge.events;

import io.netwarden.platform.export.DomainEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.Objects;

/**
 * Domain event, fired on the central: a node said hello for the first time ({@code joined}) or again after it was
 * offline. Exported to {@code netwarden.edge.node-online}, keyed by node name.
 */
@RegisterForReflection // serialised by Jackson for the Kafka export, also in a native image
public record EdgeNodeOnline(String node, String version, String keyFingerprint, boolean joined, Instant at)
        implements DomainEvent {

    public EdgeNodeOnline {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(at, "at");
    }

    @Override
    public String role() {
        return "edge";
    }

    @Override
    public String type() {
        return "node-online";
    }

    @Override
    public String key() {
        return node;
    }
}
