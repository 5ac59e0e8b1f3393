package io.netwarden.platform.messaging.durable;

import io.netwarden.platform.messaging.Subjects;
import java.util.Map;
import java.util.Optional;

/**
 * A message to store.
 *
 * @param subject where it goes; must be one of its stream's subjects
 * @param headers small text headers (ASCII names)
 * @param data the body
 * @param id deduplication id: publishing the same id again (a retry after a lost answer) stores it once
 */
public record Outgoing(String subject, Map<String, String> headers, byte[] data, Optional<String> id) {

    /** Largest body: under NATS' default max payload (1 MiB) with room for headers; larger content is sent in chunks. */
    public static final int MAX_DATA = 1_000_000;

    public Outgoing {
        Subjects.requireValidSubject(subject);
        headers = Map.copyOf(headers);
        id = id == null ? Optional.empty() : id;
        data = data == null ? new byte[0] : data;
        if (data.length > MAX_DATA) {
            throw new IllegalArgumentException("a durable message body is at most " + MAX_DATA + " bytes; this one has "
                    + data.length + " (send large content in chunks)");
        }
        if (id.isPresent() && (id.get().isEmpty() || id.get().length() > 200)) {
            throw new IllegalArgumentException("a message id has 1-200 characters");
        }
    }

    public static Outgoing of(String subject, byte[] data, String id) {
        return new Outgoing(subject, Map.of(), data, Optional.ofNullable(id));
    }
}
