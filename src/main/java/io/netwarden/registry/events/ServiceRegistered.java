package io.netwarden.registry.events;

import io.netwarden.platform.export.DomainEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.Objects;

/**
 * Domain event: a whitelisted service was registered for the first time. Exported to
 * {@code netwarden.registry.service-registered}, keyed by USN.
 */
@RegisterForReflection // serialised by Jackson for the Kafka export, also in a native image
public record ServiceRegistered(String usn, String urn, String tag, String location, String seenBy, Instant at)
        implements DomainEvent {

    public ServiceRegistered {
        Objects.requireNonNull(usn, "usn");
        Objects.requireNonNull(at, "at");
    }

    @Override
    public String role() {
        return "registry";
    }

    @Override
    public String type() {
        return "service-registered";
    }

    @Override
    public String key() {
        return usn;
    }
}
