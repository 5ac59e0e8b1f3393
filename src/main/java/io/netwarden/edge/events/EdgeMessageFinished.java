package io.netwarden.edge.events;

import io.netwarden.platform.export.DomainEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.Objects;

/**
 * Domain event, fired by the sending node: a message it sent ended ({@code acked}, {@code failed} or {@code expired}).
 * Exported to {@code netwarden.edge.message-finished}, keyed by message id. Output is not carried (it may be large and
 * is in the message log); exit code and error are.
 */
@RegisterForReflection // serialised by Jackson for the Kafka export, also in a native image
public record EdgeMessageFinished(String id, String toNode, String method, String status, Integer exitCode, String error,
        int attempts, Instant createdAt, Instant finishedAt) implements DomainEvent {

    public EdgeMessageFinished {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(finishedAt, "finishedAt");
    }

    @Override
    public String role() {
        return "edge";
    }

    @Override
    public String type() {
        return "message-finished";
    }

    @Override
    public String key() {
        return id;
    }
}
