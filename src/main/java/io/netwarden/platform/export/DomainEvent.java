package io.netwarden.platform.export;

import java.util.Optional;

/**
 * Something that happened in a role ({@code JobFinished}, {@code EdgeNodeOnline} …). Fired as a CDI event; roles in the
 * same process observe it directly and, when Kafka is configured, {@link KafkaExport} forwards it to the topic
 * {@code <prefix>.<role>.<type>} keyed by {@link #key()}. Implementations are immutable records.
 */
public interface DomainEvent {

    /** The role (or {@code platform}) the event belongs to; the middle part of the topic. */
    String role();

    /** Kebab-case event name, e.g. {@code node-started}; the last part of the topic. */
    String type();

    /** Id of the entity the event is about; the Kafka record key, so one entity's events stay in order. */
    String key();

    /** The protobuf form, used when {@code netwarden.export.format=protobuf}; events without one go out as JSON. */
    default Optional<com.google.protobuf.Message> toProto() {
        return Optional.empty();
    }
}
