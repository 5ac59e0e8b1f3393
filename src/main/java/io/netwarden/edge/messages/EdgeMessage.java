package io.netwarden.edge.messages;

import io.netwarden.platform.messaging.Subjects;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One steward message as it travels to a node, on subject {@code <toNode>.<command|event>.<method>}.
 *
 * <pre>
 *   id, fromNode, toNode, kind (command|event), method, data [argv or lines], timeout, expiresAt
 *   └──────────────────────── signed (Ed25519, signingBytes()) ────────────────────────┘  keyId, signature
 * </pre>
 *
 * What is signed is everything that decides what runs where and until when, so a signed message cannot be changed,
 * sent to another node or run after it expired. Immutable.
 *
 * @param keyId fingerprint of the signing key ({@code SHA256:…}), empty when unsigned
 * @param signature the Ed25519 signature over {@link #signingBytes()}, empty when unsigned
 */
public record EdgeMessage(String id, String fromNode, String toNode, Kind kind, String method, List<String> data,
        Duration timeout, Instant expiresAt, Optional<String> keyId, Optional<byte[]> signature) {

    /** Longest method name; a method is one subject token. */
    public static final int MAX_METHOD = 64;

    /** Command (run, answer with output) or event (deliver, confirm). */
    public enum Kind {
        command, event
    }

    public EdgeMessage {
        Objects.requireNonNull(id, "id");
        Subjects.requireToken("fromNode", fromNode);
        Subjects.requireToken("toNode", toNode);
        Objects.requireNonNull(kind, "kind");
        Subjects.requireToken("method", method);
        data = List.copyOf(data);
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(expiresAt, "expiresAt");
        keyId = keyId == null ? Optional.empty() : keyId;
        signature = signature == null ? Optional.empty() : signature;
    }

    /** {@code <toNode>.<command|event>.<method>}, as in the steward seed. */
    public String subject() {
        return toNode + "." + kind + "." + method;
    }

    /** The same message, signed. */
    public EdgeMessage signed(String keyFingerprint, byte[] signatureBytes) {
        return new EdgeMessage(id, fromNode, toNode, kind, method, data, timeout, expiresAt, Optional.of(keyFingerprint),
                Optional.of(signatureBytes.clone()));
    }

    /**
     * The bytes the signature covers: a version tag and every field that matters, each length-prefixed, so no two
     * different messages give the same bytes.
     */
    public byte[] signingBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        field(out, "netwarden-edge-v1");
        field(out, id);
        field(out, fromNode);
        field(out, toNode);
        field(out, kind.name());
        field(out, method);
        field(out, Long.toString(timeout.toMillis()));
        field(out, Long.toString(expiresAt.toEpochMilli()));
        field(out, Integer.toString(data.size()));
        data.forEach(item -> field(out, item));
        return out.toByteArray();
    }

    private static void field(ByteArrayOutputStream out, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeBytes((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(bytes);
        out.write('\n');
    }

    @Override
    public String toString() {
        return "EdgeMessage[" + id + " " + subject() + (keyId.isPresent() ? " signed by " + keyId.get() : " unsigned") + "]";
    }
}
