package io.netwarden.platform.messaging;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One message on the bus, in NATS terms: a subject, an optional reply subject, single-valued headers and a payload.
 * The payload array is shared, not copied: treat it as read-only.
 */
public record BusMessage(String subject, Optional<String> replyTo, Map<String, String> headers, byte[] data) {

    public BusMessage {
        Subjects.requireValidSubject(subject);
        Objects.requireNonNull(replyTo, "replyTo");
        headers = Map.copyOf(headers);
        Objects.requireNonNull(data, "data");
    }

    public static BusMessage of(String subject, byte[] data) {
        return new BusMessage(subject, Optional.empty(), Map.of(), data);
    }
}
