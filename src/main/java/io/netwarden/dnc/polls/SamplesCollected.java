package io.netwarden.dnc.polls;

import io.netwarden.platform.export.DomainEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** Domain event: a poll run collected samples. Exported to {@code netwarden.dnc.samples}, keyed by element. */
@RegisterForReflection // serialised by Jackson for the Kafka export, also in a native image
public record SamplesCollected(String pollId, String element, Instant at, List<Sample> samples) implements DomainEvent {

    /** One collected value. */
    public record Sample(String oid, String type, String value) {
    }

    public SamplesCollected {
        Objects.requireNonNull(pollId, "pollId");
        Objects.requireNonNull(element, "element");
        samples = List.copyOf(samples);
    }

    @Override
    public String role() {
        return "dnc";
    }

    @Override
    public String type() {
        return "samples";
    }

    @Override
    public String key() {
        return element;
    }
}
