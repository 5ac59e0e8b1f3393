package io.netwarden.platform.lifecycle;

import io.netwarden.platform.export.DomainEvent;
import io.netwarden.proto.platform.v1.NodeStartedEvent;
import java.util.List;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Objects;
import java.util.Optional;

/** Domain event: this process finished starting its roles. Exported to {@code netwarden.platform.node-started}. */
@RegisterForReflection // serialised by Jackson for the Kafka export, also in a native image
public record NodeStarted(String name, String instance, List<String> roles, String version) implements DomainEvent {

    public NodeStarted {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(instance, "instance");
        roles = List.copyOf(roles);
        Objects.requireNonNull(version, "version");
    }

    @Override
    public String role() {
        return "platform";
    }

    @Override
    public String type() {
        return "node-started";
    }

    @Override
    public String key() {
        return instance;
    }

    @Override
    public Optional<com.google.protobuf.Message> toProto() {
        return Optional.of(NodeStartedEvent.newBuilder()
                .setName(name).setInstance(instance).addAllRoles(roles).setVersion(version).build());
    }
}
