package io.netwarden.platform.logging;

import io.netwarden.platform.export.DomainEvent;
import io.netwarden.proto.platform.v1.LogLevelChangedEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Objects;
import java.util.Optional;

/** Domain event: an operator changed a logger's level at run time. {@code level} null means "inherit". */
@RegisterForReflection // serialised by Jackson for the Kafka export, also in a native image
public record LogLevelChanged(String logger, String level, String previous, String node) implements DomainEvent {

    public LogLevelChanged {
        Objects.requireNonNull(logger, "logger");
        Objects.requireNonNull(node, "node");
    }

    @Override
    public String role() {
        return "platform";
    }

    @Override
    public String type() {
        return "log-level-changed";
    }

    @Override
    public String key() {
        return logger;
    }

    @Override
    public Optional<com.google.protobuf.Message> toProto() {
        return Optional.of(LogLevelChangedEvent.newBuilder().setLogger(logger)
                .setLevel(level == null ? "" : level).setPrevious(previous == null ? "" : previous).setNode(node).build());
    }
}
