package io.netwarden.edge.messages;

import com.fasterxml.jackson.databind.JsonNode;
import io.netwarden.edge.EdgeError;
import io.netwarden.platform.api.ApiException;
import io.netwarden.platform.api.Durations;
import io.netwarden.platform.messaging.Subjects;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Reads the steward JSON — one object or an array of them — into messages, one per recipient:
 * {@code {"toNode","toNodes":[…],"data":[…],"commandOrEvent","method","timeout","ttl","retries"}}. Every problem is a
 * 400 {@code invalid_message} naming the entry and the field, never quoting a value.
 */
public final class EdgeRequests {

    static final int MAX_ENTRIES = 1000;
    static final int MAX_RECIPIENTS = 10_000;
    static final int MAX_MESSAGES = 20_000;
    static final int MAX_RETRIES = 100;
    /** {@code toNode} for every node the central knows. */
    static final String BROADCAST = "*";
    private static final Set<String> FIELDS = Set.of("toNode", "toNodes", "data", "commandOrEvent", "method", "timeout",
            "ttl", "retries");

    /** What one entry asks for, per recipient. */
    public record Parsed(List<EdgeMessage> messages, int retries) {
    }

    private EdgeRequests() {
    }

    /**
     * @param known the node list for {@code "*"}: present on the central only
     */
    public static List<Parsed> parse(JsonNode body, String self, Duration defaultTimeout, Duration defaultTtl, Duration maxTtl,
            Instant now, java.util.function.Supplier<Optional<List<String>>> known) {
        if (body == null || !(body.isObject() || body.isArray())) {
            throw invalid("the body is a message object or an array of them");
        }
        List<JsonNode> entries = new ArrayList<>();
        if (body.isObject()) {
            entries.add(body);
        } else {
            body.forEach(entries::add);
        }
        if (entries.isEmpty() || entries.size() > MAX_ENTRIES) {
            throw invalid("give 1-" + MAX_ENTRIES + " messages");
        }
        List<Parsed> parsed = new ArrayList<>();
        int total = 0;
        for (int i = 0; i < entries.size(); i++) {
            Parsed one = entry(entries.get(i), entries.size() == 1 ? "" : "[" + i + "] ", self, defaultTimeout, defaultTtl,
                    maxTtl, now, known);
            total += one.messages().size();
            if (total > MAX_MESSAGES) {
                throw invalid("at most " + MAX_MESSAGES + " messages (entries × recipients) per request");
            }
            parsed.add(one);
        }
        return parsed;
    }

    private static Parsed entry(JsonNode entry, String where, String self, Duration defaultTimeout, Duration defaultTtl,
            Duration maxTtl, Instant now, java.util.function.Supplier<Optional<List<String>>> known) {
        if (!entry.isObject()) {
            throw invalid(where + "is not a JSON object");
        }
        entry.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) {
                throw invalid(where + "has an unknown field (fields: " + FIELDS.stream().sorted().toList() + ")");
            }
        });
        Set<String> recipients = new LinkedHashSet<>();
        JsonNode toNode = entry.get("toNode");
        if (toNode != null && !toNode.isNull()) {
            recipients.add(node(where + "toNode", toNode));
        }
        JsonNode toNodes = entry.get("toNodes");
        if (toNodes != null && !toNodes.isNull()) {
            if (!toNodes.isArray() || toNodes.size() > MAX_RECIPIENTS) {
                throw invalid(where + "toNodes is an array of at most " + MAX_RECIPIENTS + " node names");
            }
            toNodes.forEach(n -> recipients.add(node(where + "toNodes", n)));
        }
        if (recipients.remove(BROADCAST)) {
            List<String> everyone = known.get().orElseThrow(() -> invalid(where
                    + "broadcast (\"*\") is sent from the central, which keeps the node list"));
            if (everyone.isEmpty()) {
                throw invalid(where + "broadcast (\"*\"): no node has said hello yet");
            }
            recipients.addAll(everyone);
        }
        if (recipients.isEmpty()) {
            throw invalid(where + "toNode (or toNodes) is required");
        }
        if (recipients.size() > MAX_RECIPIENTS) {
            throw invalid(where + "at most " + MAX_RECIPIENTS + " recipients");
        }
        EdgeMessage.Kind kind = switch (text(entry, where, "commandOrEvent")) {
            case "command" -> EdgeMessage.Kind.command;
            case "event" -> EdgeMessage.Kind.event;
            default -> throw invalid(where + "commandOrEvent is \"command\" or \"event\"");
        };
        String method = token(where + "method", text(entry, where, "method"));
        JsonNode data = entry.get("data");
        List<String> items = List.of();
        if (data != null && !data.isNull()) {
            try {
                items = EdgeWire.data(data);
            } catch (IllegalArgumentException e) {
                throw invalid(where + e.getMessage());
            }
        }
        Duration timeout = duration(entry, where, "timeout", defaultTimeout, Duration.ofHours(24));
        Duration ttl = duration(entry, where, "ttl", defaultTtl, maxTtl);
        int retries = 3;
        JsonNode retriesNode = entry.get("retries");
        if (retriesNode != null && !retriesNode.isNull()) {
            if (!retriesNode.isIntegralNumber() || retriesNode.asLong() < 0 || retriesNode.asLong() > MAX_RETRIES) {
                throw invalid(where + "retries is a whole number 0-" + MAX_RETRIES);
            }
            retries = retriesNode.asInt();
        }
        List<EdgeMessage> messages = new ArrayList<>();
        for (String recipient : recipients) {
            messages.add(new EdgeMessage(UUID.randomUUID().toString(), self, recipient, kind, method, items, timeout,
                    now.plus(ttl), Optional.empty(), Optional.empty()));
        }
        return new Parsed(messages, retries);
    }

    private static String node(String field, JsonNode value) {
        if (!value.isTextual()) {
            throw invalid(field + " holds node names (strings)");
        }
        if (value.textValue().equals(BROADCAST)) {
            return BROADCAST;
        }
        return token(field, value.textValue());
    }

    private static String token(String field, String value) {
        try {
            return Subjects.requireToken(field, value);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    private static String text(JsonNode entry, String where, String field) {
        JsonNode value = entry.get(field);
        if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
            throw invalid(where + field + " is required (a string)");
        }
        return value.textValue();
    }

    private static Duration duration(JsonNode entry, String where, String field, Duration fallback, Duration max) {
        JsonNode value = entry.get(field);
        if (value != null && !value.isNull() && !value.isTextual()) {
            throw invalid(where + field + " is a duration string like \"30s\"");
        }
        try {
            return Durations.parse(value == null || value.isNull() ? null : value.textValue(), fallback, Duration.ofSeconds(1), max);
        } catch (IllegalArgumentException e) {
            throw invalid(where + field + ": " + e.getMessage());
        }
    }

    private static ApiException invalid(String message) {
        return ApiException.badRequest(EdgeError.INVALID_MESSAGE.code(), message);
    }
}
