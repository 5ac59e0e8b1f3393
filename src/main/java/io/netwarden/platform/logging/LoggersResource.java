package io.netwarden.platform.logging;

import io.netwarden.platform.api.ApiError;
import io.netwarden.platform.logging.LogLevels.LoggerLevel;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Runtime log levels: {@code GET /api/v1/loggers}, {@code GET|PUT /api/v1/loggers/{name}}. */
@Path("/api/v1/loggers")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "platform")
public class LoggersResource {

    /** Body of a PUT: the new level, or null to inherit the parent's. */
    public record LevelChange(
            @Schema(description = "OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE, ALL; null to inherit", examples = "DEBUG")
            String level) {
    }

    @Inject
    LogLevels levels;

    @GET
    @Operation(operationId = "listLoggers", summary = "Every logger with its own and its effective level",
            description = "The root logger first, then every logger by name, each with its own level (null: inherited) and the "
                    + "level in effect.")
    public List<LoggerLevel> list() {
        return levels.all();
    }

    @GET
    @Path("{name}")
    @Operation(operationId = "getLogger", summary = "One logger; ROOT is the root logger",
            description = "A logger not created yet is 404 not_found; a PUT sets a level for it anyway.")
    @APIResponse(responseCode = "200", description = "The logger", content = @Content(schema = @Schema(implementation = LoggerLevel.class)))
    @APIResponse(responseCode = "404", description = "No such logger yet",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public LoggerLevel get(@PathParam("name") String name) {
        return levels.get(name);
    }

    @PUT
    @Path("{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "setLoggerLevel", summary = "Set a logger's level; effective at once",
            description = "Takes effect at once on every thread; {\"level\": null} makes the logger inherit again. Loggers that "
                    + "can print credentials (SQL parameter values) keep a fixed level: 400 protected_logger.")
    @APIResponse(responseCode = "200", description = "The level in force now", content = @Content(schema = @Schema(implementation = LoggerLevel.class)))
    @APIResponse(responseCode = "400", description = "Unknown level or bad name",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public LoggerLevel put(@PathParam("name") String name, LevelChange change) {
        if (change == null) {
            throw io.netwarden.platform.api.ApiException.badRequest("malformed_json", "send {\"level\":\"DEBUG\"}");
        }
        return levels.set(name, change.level());
    }
}
