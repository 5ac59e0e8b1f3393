package io.netwarden.edge.messages;

import io.netwarden.edge.EdgeError;
import io.netwarden.edge.methods.MethodResult;
import java.util.Optional;

/**
 * A node's answer to a message: for a command its output and exit code, for an event that it was handled; or why it
 * was not (refused, failed, expired, interrupted). A <em>receipt</em> is not an answer: the node says it has the
 * message and is running it (sent when a method runs longer than a moment), so the sender knows it was delivered and
 * from when to wait for the answer.
 */
public record EdgeAck(String messageId, String node, boolean ok, String output, int exitCode, boolean truncated,
        Optional<EdgeError> error, String errorText, boolean receipt) {

    public static EdgeAck of(EdgeMessage message, String node, MethodResult result) {
        return new EdgeAck(message.id(), node, result.succeeded(), result.output(), result.exitCode(), result.truncated(),
                result.error(), result.errorText(), false);
    }

    public static EdgeAck refused(String messageId, String node, EdgeError error, String text) {
        return new EdgeAck(messageId, node, false, "", -1, false, Optional.of(error), text, false);
    }

    /** "I have it and it runs": the message was delivered; the answer follows. */
    public static EdgeAck receipt(String messageId, String node) {
        return new EdgeAck(messageId, node, true, "", -1, false, Optional.empty(), "", true);
    }
}
