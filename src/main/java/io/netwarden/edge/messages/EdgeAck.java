package io.netwarden.edge.messages;

import io.netwarden.edge.EdgeError;
import io.netwarden.edge.methods.MethodResult;
import java.util.Optional;

/**
 * A node's answer to a message: for a command its output and exit code, for an event that it was handled; or why it
 * was not (refused, failed, expired, interrupted).
 */
public record EdgeAck(String messageId, String node, boolean ok, String output, int exitCode, boolean truncated,
        Optional<EdgeError> error, String errorText) {

    public static EdgeAck of(EdgeMessage message, String node, MethodResult result) {
        return new EdgeAck(message.id(), node, result.succeeded(), result.output(), result.exitCode(), result.truncated(),
                result.error(), result.errorText());
    }

    public static EdgeAck refused(String messageId, String node, EdgeError error, String text) {
        return new EdgeAck(messageId, node, false, "", -1, false, Optional.of(error), text);
    }
}
