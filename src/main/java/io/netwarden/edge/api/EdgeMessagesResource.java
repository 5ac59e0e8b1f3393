package io.netwarden.edge.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.netwarden.edge.EdgeError;
import io.netwarden.edge.EdgeService;
import io.netwarden.edge.central.MessageLog;
import io.netwarden.edge.central.Submissions;
import io.netwarden.edge.messages.EdgeMessage;
import io.netwarden.platform.Role;
import io.netwarden.platform.api.ApiError;
import io.netwarden.platform.api.ApiException;
import io.netwarden.platform.api.Inputs;
import io.netwarden.platform.api.QueryParams;
import io.netwarden.platform.api.RoleEndpoint;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /api/v1/edge/messages}: send steward messages to nodes and follow each to its end. */
@Path("/api/v1/edge/messages")
@Produces(MediaType.APPLICATION_JSON)
@RoleEndpoint(Role.EDGE_NODE)
@Tag(name = "edge")
public class EdgeMessagesResource {

    private static final Set<String> STATUSES = Set.of("pending", "delivered", "acked", "failed", "expired");

    @Inject
    EdgeService edge;

    /** One stored message in the answer to a send. */
    public record Accepted(String id, String subject, String toNode, String status) {
    }

    /** The steward message, as the request body documents it. */
    @Schema(description = "A steward message; an array of them is taken too")
    public record SendRequest(
            @Schema(description = "The node to run it on; \"*\": every node the central knows", examples = "ship1") String toNode,
            @Schema(description = "More nodes; each gets its own copy, tracked separately") List<String> toNodes,
            @Schema(description = "For shellCommand the argument vector (no shell); for textLogging the lines")
            List<String> data,
            @Schema(enumeration = {"command", "event"}) String commandOrEvent,
            @Schema(description = "shellCommand, textLogging, ping, tailFile, …", examples = "shellCommand") String method,
            @Schema(description = "How long the method may run, default 30s, at most 24h", examples = "30s") String timeout,
            @Schema(description = "How long delivery is tried before it expires, default 1h", examples = "1h") String ttl,
            @Schema(description = "Deliveries after the first, 0-100, default 3") Integer retries) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "sendEdgeMessages", summary = "Send one or more messages to edge nodes",
            description = "Each recipient gets its own signed copy on <node>.<command|event>.<method>. 202 means the messages "
                    + "are stored; follow them with GET /api/v1/edge/messages/{id}.")
    @RequestBody(content = @Content(schema = @Schema(oneOf = {SendRequest.class, SendRequest[].class})))
    @APIResponse(responseCode = "202", description = "Stored, one entry per recipient",
            content = @Content(schema = @Schema(type = SchemaType.ARRAY, implementation = Accepted.class)))
    @APIResponse(responseCode = "400", description = "Not a valid message", content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "422", description = "The Idempotency-Key was used with another body",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Response send(JsonNode body,
            @Parameter(description = "Any 1-128 visible ASCII characters. The first request with a key stores its messages;"
                    + " a repeat with the same key and body gets the same messages (their status now, header"
                    + " Idempotent-Replayed: true) and sends nothing; with another body it is refused (422). Keys are kept"
                    + " as long as netwarden.edge.retention.") @HeaderParam("Idempotency-Key") String idempotencyKey,
            @jakarta.ws.rs.core.Context jakarta.ws.rs.core.HttpHeaders headers) {
        List<String> given = headers.getRequestHeader("Idempotency-Key");
        if (given != null && given.size() > 1) {
            throw ApiException.badRequest("invalid_parameter", "give one Idempotency-Key");
        }
        if (idempotencyKey == null && given != null && !given.isEmpty()) {
            idempotencyKey = given.getFirst(); // an empty value is a key too, and refused below
        }
        if (idempotencyKey != null) {
            Submissions.Outcome outcome = edge.submit(body, idempotencyKey(idempotencyKey));
            List<Accepted> copies = outcome.copies().stream().map(c -> new Accepted(c.id(), c.subject(), c.toNode(),
                    c.status())).toList();
            return Response.accepted(copies).header("Idempotent-Replayed", outcome.replayed() ? "true" : null).build();
        }
        List<Accepted> accepted = new ArrayList<>();
        for (EdgeMessage message : edge.submit(body)) {
            accepted.add(new Accepted(message.id(), message.subject(), message.toNode(), "pending"));
        }
        return Response.accepted(accepted).build();
    }

    /** 1–128 visible ASCII characters (what clients put there: UUIDs, ULIDs, their own request ids). */
    private static String idempotencyKey(String key) {
        if (key.isEmpty() || key.length() > 128 || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw ApiException.badRequest("invalid_parameter", "Idempotency-Key is 1-128 visible ASCII characters");
        }
        return key;
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getEdgeMessage", summary = "One message and how it ended",
            description = "Status pending, delivered, acked, failed or expired; for a command its output and exit code.")
    @APIResponse(responseCode = "200", description = "The message", content = @Content(schema = @Schema(implementation = MessageLog.Entry.class)))
    @APIResponse(responseCode = "404", description = "No such message", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public MessageLog.Entry get(@PathParam("id") String id) {
        String checked = Inputs.required(EdgeError.INVALID_MESSAGE.code(), "id", id, 64);
        return edge.sender().log().find(checked).orElseThrow(() -> ApiException.notFound("no edge message "
                + (Inputs.quotable(checked, 64) ? "'" + checked + "'" : "with that id")));
    }

    @GET
    @Operation(operationId = "listEdgeMessages", summary = "Messages sent from this node, newest first",
            description = "Filtered by recipient node, status and method.")
    @APIResponse(responseCode = "200", description = "The messages",
            content = @Content(schema = @Schema(type = SchemaType.ARRAY, implementation = MessageLog.Entry.class)))
    @APIResponse(responseCode = "400", description = "A filter is not valid", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public List<MessageLog.Entry> list(@QueryParam("node") String node, @QueryParam("status") String status,
            @QueryParam("method") String method,
            @Parameter(description = "Messages to skip, default 0") @QueryParam("offset") String offset,
            @Parameter(description = "At most this many, 1-1000, default 100") @QueryParam("limit") String limit) {
        int skip = QueryParams.integer("offset", offset, 0, 0, Integer.MAX_VALUE - 1);
        int most = QueryParams.integer("limit", limit, 100, 1, 1000);
        if (status != null && !STATUSES.contains(status)) {
            throw ApiException.badRequest("invalid_parameter", "status is one of " + STATUSES.stream().sorted().toList());
        }
        return edge.sender().log().list(QueryParams.token("node", node), Optional.ofNullable(status),
                QueryParams.token("method", method), skip, most);
    }
}
