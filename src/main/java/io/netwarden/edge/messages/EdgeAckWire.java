package io.netwarden.edge.messages;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netwarden.edge.EdgeError;
import java.util.Arrays;
import java.util.Optional;

/**
 * The JSON of an {@link EdgeAck}: {@code {"messageId","node","ok","output","exitCode","truncated","error","errorText","receipt","keyId","signature"}}
 * ({@code receipt} only when true).
 * Reading refuses anything else with a message naming the field. Thread safety: stateless.
 */
public final class EdgeAckWire {

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private EdgeAckWire() {
    }

    public static byte[] write(EdgeAck ack) {
        ObjectNode node = JSON.createObjectNode();
        node.put("messageId", ack.messageId());
        node.put("node", ack.node());
        node.put("ok", ack.ok());
        node.put("output", ack.output());
        node.put("exitCode", ack.exitCode());
        node.put("truncated", ack.truncated());
        ack.error().ifPresent(e -> node.put("error", e.code()));
        node.put("errorText", ack.errorText());
        if (ack.receipt()) {
            node.put("receipt", true);
        }
        ack.keyId().ifPresent(k -> node.put("keyId", k));
        ack.signature().ifPresent(sig -> node.put("signature", java.util.Base64.getEncoder().encodeToString(sig)));
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The answer with its output cut so that its JSON (with room for the signature) fits a durable message; marked
     * truncated when cut. An answer that cannot be stored would be retried forever and hold up the node.
     */
    public static EdgeAck fit(EdgeAck ack, int maxBytes) {
        EdgeAck fitted = ack;
        int size = write(fitted).length + SIGNATURE_ROOM;
        for (int round = 0; round < 8 && size > maxBytes; round++) {
            int keep = (int) Math.max(0, fitted.output().length() * ((double) maxBytes / size) * 0.95 - 64);
            String output = fitted.output().substring(0, Math.min(keep, fitted.output().length()));
            if (output.length() > 0 && Character.isHighSurrogate(output.charAt(output.length() - 1))) {
                output = output.substring(0, output.length() - 1);
            }
            fitted = new EdgeAck(ack.messageId(), ack.node(), ack.ok(), output, ack.exitCode(), true, ack.error(),
                    ack.errorText(), ack.receipt(), Optional.empty(), Optional.empty());
            size = write(fitted).length + SIGNATURE_ROOM;
        }
        return fitted;
    }

    private static final int SIGNATURE_ROOM = 512;

    /**
     * The stream's duplicate id of an answer: kind, message, node, recipient and a digest of the node's signature — which nobody
     * without the node's key can compute, so a forged answer cannot take the real one's id and have it dropped. The same
     * answer sent again (Ed25519 signatures are deterministic) keeps its id.
     */
    public static String dedupeId(EdgeAck ack, String recipient) {
        String digest = ack.signature().map(sig -> {
            try {
                return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(sig), 0, 8);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }).orElse("unsigned");
        return (ack.receipt() ? "rcpt-" : "ack-") + ack.messageId() + "-" + ack.node() + "-" + recipient + "-" + digest;
    }

    public static EdgeAck read(byte[] bytes) {
        JsonNode root = EdgeWire.object(JSON, bytes);
        Optional<EdgeError> error = Optional.ofNullable(root.get("error")).filter(JsonNode::isTextual)
                .flatMap(code -> Arrays.stream(EdgeError.values()).filter(e -> e.code().equals(code.textValue())).findFirst());
        return new EdgeAck(text(root, "messageId"), text(root, "node"), root.path("ok").asBoolean(false),
                root.path("output").asText(""), root.path("exitCode").asInt(-1), root.path("truncated").asBoolean(false), error,
                root.path("errorText").asText(""), root.path("receipt").asBoolean(false), optional(root, "keyId", 100),
                optional(root, "signature", 200).map(EdgeAckWire::base64));
    }

    private static Optional<String> optional(JsonNode root, String field, int max) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual() || value.textValue().isEmpty() || value.textValue().length() > max) {
            throw new IllegalArgumentException(field + " must be a string of 1-" + max + " characters");
        }
        return Optional.of(value.textValue());
    }

    private static byte[] base64(String text) {
        try {
            return java.util.Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("signature must be base64");
        }
    }

    private static String text(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || !value.isTextual() || value.textValue().isEmpty() || value.textValue().length() > 64) {
            throw new IllegalArgumentException(field + " must be a string of 1-64 characters");
        }
        return value.textValue();
    }
}
