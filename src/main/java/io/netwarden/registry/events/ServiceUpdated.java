package io.netwarden.registry.events;

import io.netwarden.platform.export.DomainEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.Objects;

/**
 * Domain event: a whitelisted service was seen at a new LOCATION or with a new BOOTID (it moved or restarted). Exported to
 * {@code netwarden.registry.service-updated}, keyed by USN.
 */
@RegisterForReflection // serialised by Jackson for the Kafka export, also in a native image
public record ServiceUpdated(String usn, String urn, String tag, String location, String seenBy, Instant at)
        implements DomainEvent {

    public ServiceUpdated {
        Objects.requireNonNull(usn, "usn");
        Objects.requireNonNull(at, "at");
    }

    @Override
    public String role() {
        return "registry";
    }

    @Override
    public String type() {
        return "service-updated";
    }

    @Override
    public String key() {
        return usn;
    }
}
