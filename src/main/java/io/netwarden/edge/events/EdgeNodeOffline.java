package io.netwarden.edge.events;

import io.netwarden.platform.export.DomainEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.Objects;

/**
 * Domain event, fired on the central: a node missed its hellos and is offline. Exported to
 * {@code netwarden.edge.node-offline}, keyed by node name.
 */
@RegisterForReflection // serialised by Jackson for the Kafka export, also in a native image
public record EdgeNodeOffline(String node, Instant at) implements DomainEvent {

    public EdgeNodeOffline {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(at, "at");
    }

    @Override
    public String role() {
        return "edge";
    }

    @Override
    public String type() {
        return "node-offline";
    }

    @Override
    public String key() {
        return node;
    }
}
