package io.netwarden.edge.events;

import io.netwarden.platform.export.DomainEvent;

/**
 * Where the edge classes that are not CDI beans (one node, the sender, the hellos) hand their domain events; the role
 * service fires them as CDI events, so that {@code KafkaExport} and observers in the process see them. A fleet
 * benchmark passes one that drops them.
 */
@FunctionalInterface
public interface EdgeEvents {

    void fire(DomainEvent event);

    /** Drops every event. */
    EdgeEvents NONE = event -> {
    };
}
