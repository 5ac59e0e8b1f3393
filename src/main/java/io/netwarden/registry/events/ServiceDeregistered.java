package io.netwarden.registry.events;

import io.netwarden.platform.export.DomainEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.Objects;

/**
 * Domain event: a service left the registry. Exported to {@code netwarden.registry.service-deregistered}, keyed by USN.
 *
 * @param reason {@code byebye}, {@code expired} (no renewal within its max-age) or {@code term-removed} (its URN left
 *     the whitelist)
 */
@RegisterForReflection // serialised by Jackson for the Kafka export, also in a native image
public record ServiceDeregistered(String usn, String urn, String tag, String reason, Instant at) implements DomainEvent {

    public ServiceDeregistered {
        Objects.requireNonNull(usn, "usn");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(at, "at");
    }

    @Override
    public String role() {
        return "registry";
    }

    @Override
    public String type() {
        return "service-deregistered";
    }

    @Override
    public String key() {
        return usn;
    }
}
