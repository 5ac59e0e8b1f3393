package io.netwarden.platform.api;

import java.util.Objects;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The body of every API error: a stable machine code and a human sentence. */
@Schema(name = "Error", description = "Every error the API returns")
public record ApiError(
        @Schema(description = "Stable code, e.g. malformed_json, unauthorized, not_found") String error,
        @Schema(description = "What went wrong, for a human") String message) {

    public ApiError {
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(message, "message");
    }
}
