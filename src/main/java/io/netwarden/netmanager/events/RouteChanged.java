package io.netwarden.netmanager.events;

import io.netwarden.platform.export.DomainEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Domain event, fired on a netmanager node: what it knows of a service's instances changed (an answer of the cluster
 * differs from the last one), so its tunnel now reaches the service at {@code instances} (namespace addresses).
 * Exported to {@code netwarden.netmanager.route-changed}, keyed by service name.
 */
@RegisterForReflection // serialised by Jackson for the Kafka export, also in a native image
public record RouteChanged(String node, String serviceName, List<String> instances, Instant at) implements DomainEvent {

    public RouteChanged {
        Objects.requireNonNull(serviceName, "serviceName");
        instances = List.copyOf(instances);
        Objects.requireNonNull(at, "at");
    }

    @Override
    public String role() {
        return "netmanager";
    }

    @Override
    public String type() {
        return "route-changed";
    }

    @Override
    public String key() {
        return serviceName;
    }
}
