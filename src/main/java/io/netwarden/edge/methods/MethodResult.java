package io.netwarden.edge.methods;

import io.netwarden.edge.EdgeError;
import java.util.Optional;

/**
 * What a method answers: its output (for commands, what the ACK carries), an exit code, whether the output was cut at
 * the cap, and, when it did not do its work, why.
 */
public record MethodResult(String output, int exitCode, boolean truncated, Optional<EdgeError> error, String errorText) {

    public static MethodResult ok(String output, int exitCode, boolean truncated) {
        return new MethodResult(output, exitCode, truncated, Optional.empty(), "");
    }

    public static MethodResult failed(EdgeError error, String text) {
        return new MethodResult("", -1, false, Optional.of(error), text);
    }

    public static MethodResult failed(EdgeError error, String text, String output, boolean truncated) {
        return new MethodResult(output, -1, truncated, Optional.of(error), text);
    }

    public boolean succeeded() {
        return error.isEmpty();
    }
}
