package io.netwarden.edge.messages;

import io.netwarden.edge.EdgeError;
import java.util.Optional;

/**
 * A node's answer to a message: for a command its output and exit code, for an event that it was handled; or why it
 * was not (refused, failed, expired, interrupted); signed by the node's key over {@link #signingBytes()}. A <em>receipt</em> is not an answer: the node says it has the
 * message and is running it (sent when a method runs longer than a moment), so the sender knows it was delivered and
 * from when to wait for the answer.
 */
public record EdgeAck(String messageId, String node, boolean ok, String output, int exitCode, boolean truncated,
        Optional<EdgeError> error, String errorText, boolean receipt, Optional<String> keyId, Optional<byte[]> signature) {

    public EdgeAck {
        keyId = keyId == null ? Optional.empty() : keyId;
        signature = signature == null ? Optional.empty() : signature;
    }

    public static EdgeAck refused(String messageId, String node, EdgeError error, String text) {
        return new EdgeAck(messageId, node, false, "", -1, false, Optional.of(error), text, false, Optional.empty(),
                Optional.empty());
    }

    /** "I have it and it runs": the message was delivered; the answer follows. */
    public static EdgeAck receipt(String messageId, String node) {
        return new EdgeAck(messageId, node, true, "", -1, false, Optional.empty(), "", true, Optional.empty(), Optional.empty());
    }

    /** The same answer, signed by the node. */
    public EdgeAck signed(String keyFingerprint, byte[] signatureBytes) {
        return new EdgeAck(messageId, node, ok, output, exitCode, truncated, error, errorText, receipt,
                Optional.of(keyFingerprint), Optional.of(signatureBytes.clone()));
    }

    /** The bytes the node's signature covers: every field, each length-prefixed, under a version tag of its own. */
    public byte[] signingBytes() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (String field : new String[] {"netwarden-edge-ack-v1", messageId, node, Boolean.toString(ok), output,
                Integer.toString(exitCode), Boolean.toString(truncated), error.map(EdgeError::code).orElse(""), errorText,
                Boolean.toString(receipt)}) {
            byte[] bytes = field.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeBytes((bytes.length + ":").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.writeBytes(bytes);
            out.write('\n');
        }
        return out.toByteArray();
    }
}
