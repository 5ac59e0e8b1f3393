package io.netwarden.edge.messages;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The JSON of an {@link EdgeMessage} between nodes:
 * {@code {"id","fromNode","toNode","commandOrEvent","method","data":[…],"timeoutMs","expiresAt","keyId","signature"}}
 * (the steward fields plus what delivery and signing need). Reading is strict: unknown or duplicate fields, wrong types
 * and oversized data are refused with a message that names the field and never quotes a value. Thread safety:
 * stateless.
 */
public final class EdgeWire {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Set<String> FIELDS = Set.of("id", "fromNode", "toNode", "commandOrEvent", "method", "data",
            "timeoutMs", "expiresAt", "keyId", "signature");
    /** Items in {@code data} and their total size. */
    public static final int MAX_ITEMS = 4096;
    public static final int MAX_DATA_CHARS = 900_000;

    /** Longest timeout a message may carry (the API allows 24 h). */
    static final java.time.Duration MAX_TIMEOUT = java.time.Duration.ofDays(1);
    /** Expiry times outside these are not real (and far ones would overflow the signed millisecond form). */
    private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private EdgeWire() {
    }

    public static byte[] write(EdgeMessage message) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", message.id());
        node.put("fromNode", message.fromNode());
        node.put("toNode", message.toNode());
        node.put("commandOrEvent", message.kind().name());
        node.put("method", message.method());
        ArrayNode data = node.putArray("data");
        message.data().forEach(data::add);
        node.put("timeoutMs", message.timeout().toMillis());
        node.put("expiresAt", message.expiresAt().toString());
        message.keyId().ifPresent(k -> node.put("keyId", k));
        message.signature().ifPresent(s -> node.put("signature", Base64.getEncoder().encodeToString(s)));
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @throws IllegalArgumentException saying what is wrong (the field), never quoting the input
     */
    public static EdgeMessage read(byte[] bytes) {
        JsonNode root = object(JSON, bytes);
        root.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) {
                throw new IllegalArgumentException("unknown field (allowed: " + FIELDS.stream().sorted().toList() + ")");
            }
        });
        EdgeMessage.Kind kind = switch (text(root, "commandOrEvent")) {
            case "command" -> EdgeMessage.Kind.command;
            case "event" -> EdgeMessage.Kind.event;
            default -> throw new IllegalArgumentException("commandOrEvent must be \"command\" or \"event\"");
        };
        List<String> items = data(root.get("data"));
        JsonNode timeout = root.get("timeoutMs");
        if (timeout == null || !timeout.canConvertToLong() || !timeout.isIntegralNumber() || timeout.longValue() <= 0
                || timeout.longValue() > MAX_TIMEOUT.toMillis()) {
            throw new IllegalArgumentException("timeoutMs must be a whole number 1-" + MAX_TIMEOUT.toMillis());
        }
        Instant expiresAt;
        try {
            expiresAt = Instant.parse(text(root, "expiresAt"));
            if (expiresAt.isBefore(EARLIEST) || expiresAt.isAfter(LATEST)) {
                throw new IllegalArgumentException("expiresAt must be between the years 2000 and 9999");
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException("expiresAt must be an ISO-8601 instant");
        }
        Optional<byte[]> signature = optionalText(root, "signature").map(s -> {
            try {
                return Base64.getDecoder().decode(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("signature must be base64");
            }
        });
        String id = text(root, "id");
        if (id.length() > 64 || id.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("id must be 1-64 printable ASCII characters");
        }
        return new EdgeMessage(id, text(root, "fromNode"), text(root, "toNode"), kind, text(root, "method"), items,
                Duration.ofMillis(timeout.longValue()), expiresAt, optionalText(root, "keyId"), signature);
    }

    /** {@code bytes} as one JSON object (nothing after it), read by {@code json}. */
    static JsonNode object(ObjectMapper json, byte[] bytes) {
        JsonNode root;
        try {
            root = json.readTree(bytes);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a JSON object");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        return root;
    }

    /**
     * A message's {@code data}: an array of at most {@link #MAX_ITEMS} strings of at most {@link #MAX_DATA_CHARS}
     * characters in all — on the wire and in the API alike.
     *
     * @throws IllegalArgumentException saying which rule it breaks
     */
    public static List<String> data(JsonNode data) {
        if (data == null || !data.isArray() || data.size() > MAX_ITEMS) {
            throw new IllegalArgumentException("data is an array of at most " + MAX_ITEMS + " strings");
        }
        List<String> items = new ArrayList<>();
        int chars = 0;
        for (JsonNode item : data) {
            if (!item.isTextual()) {
                throw new IllegalArgumentException("data holds strings only");
            }
            chars += item.textValue().length();
            if (chars > MAX_DATA_CHARS) {
                throw new IllegalArgumentException("data is larger than " + MAX_DATA_CHARS + " characters");
            }
            items.add(item.textValue());
        }
        return items;
    }

    private static String text(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
            throw new IllegalArgumentException(field + " must be a non-empty string");
        }
        return value.textValue();
    }

    private static Optional<String> optionalText(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual() || value.textValue().length() > 200) {
            throw new IllegalArgumentException(field + " must be a string of at most 200 characters");
        }
        return Optional.of(value.textValue());
    }
}
