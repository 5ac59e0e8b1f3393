package io.netwarden.netmanager.events;

import io.netwarden.platform.export.DomainEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.Objects;

/**
 * Domain event, fired on a netmanager node: an instance joined this node's network (POST /container/deploy). Exported to {@code netwarden.netmanager.instance-deployed}, keyed by
 * service name.
 */
@RegisterForReflection // serialised by Jackson for the Kafka export, also in a native image
public record InstanceDeployed(String node, String serviceName, int instanceNumber, String nsAddress, Instant at)
        implements DomainEvent {

    public InstanceDeployed {
        Objects.requireNonNull(serviceName, "serviceName");
        Objects.requireNonNull(at, "at");
    }

    @Override
    public String role() {
        return "netmanager";
    }

    @Override
    public String type() {
        return "instance-deployed";
    }

    @Override
    public String key() {
        return serviceName;
    }
}
