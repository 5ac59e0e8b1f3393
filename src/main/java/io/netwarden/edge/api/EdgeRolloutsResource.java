package io.netwarden.edge.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.netwarden.edge.EdgeError;
import io.netwarden.edge.EdgeService;
import io.netwarden.edge.rollouts.RolloutStore;
import io.netwarden.platform.Role;
import io.netwarden.platform.api.ApiError;
import io.netwarden.platform.api.ApiException;
import io.netwarden.platform.api.Inputs;
import io.netwarden.platform.api.QueryParams;
import io.netwarden.platform.api.RoleEndpoint;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /api/v1/edge/rollouts}: one message to many nodes in waves, stopping when too many fail. */
@Path("/api/v1/edge/rollouts")
@Produces(MediaType.APPLICATION_JSON)
@RoleEndpoint(Role.EDGE_NODE)
@Tag(name = "edge")
public class EdgeRolloutsResource {

    @Inject
    EdgeService edge;

    /** A rollout and where each node stands. */
    public record RolloutView(String id, String status, String method, String commandOrEvent, int waveSize, int maxFailures,
            int waves, int wave, int failures, String reason, Instant createdAt, Instant finishedAt, List<NodeView> nodes) {
    }

    /** One node of a rollout: {@code waiting} until its wave, then its message's status ({@code skipped} if never sent). */
    public record NodeView(String node, int wave, String messageId, String status, String error) {
    }

    /** The request body, as documented. */
    @Schema(description = "A staged rollout")
    public record RolloutRequestDoc(
            @Schema(description = "The steward message, without toNode/toNodes") EdgeMessagesResource.SendRequest message,
            @Schema(description = "Node names, or \"*\" for every node the central knows") List<String> nodes,
            @Schema(description = "Nodes per wave, 1-1000, default 10") Integer waveSize,
            @Schema(description = "Failed or expired nodes tolerated before it stops, default 0") Integer maxFailures) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "startEdgeRollout", summary = "Send a message to many nodes in waves",
            description = "Wave n+1 goes out when every message of wave n has ended and the failures so far are within "
                    + "maxFailures; past the budget the rollout fails and sends nothing more.")
    @RequestBody(content = @Content(schema = @Schema(implementation = RolloutRequestDoc.class)))
    @APIResponse(responseCode = "202", description = "Stored; the first wave follows", content = @Content(schema = @Schema(implementation = RolloutView.class)))
    @APIResponse(responseCode = "400", description = "Not a valid rollout", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Response start(JsonNode body) {
        RolloutStore.Rollout rollout = edge.startRollout(body);
        return Response.accepted(view(rollout)).build();
    }

    @GET
    @Operation(operationId = "listEdgeRollouts", summary = "Rollouts started on this node, newest first",
            description = "Each with its status, wave and failures; the per-node states are in GET /api/v1/edge/rollouts/{id}.")
    @APIResponse(responseCode = "200", description = "The rollouts",
            content = @Content(schema = @Schema(type = SchemaType.ARRAY, implementation = RolloutView.class)))
    public List<RolloutView> list(@Parameter(description = "Rollouts to skip, default 0") @QueryParam("offset") String offset,
            @Parameter(description = "At most this many, 1-1000, default 100") @QueryParam("limit") String limit) {
        int skip = QueryParams.integer("offset", offset, 0, 0, Integer.MAX_VALUE - 1);
        int most = QueryParams.integer("limit", limit, 100, 1, 1000);
        return edge.rollouts().store().list(skip, most).stream().map(r -> summary(r, List.of())).toList();
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getEdgeRollout", summary = "One rollout with every node's state",
            description = "Per node: waiting (its wave has not come), its message's status once sent, or skipped (never sent"
                    + " because the rollout ended).")
    @APIResponse(responseCode = "200", description = "The rollout", content = @Content(schema = @Schema(implementation = RolloutView.class)))
    @APIResponse(responseCode = "404", description = "No such rollout", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public RolloutView get(@PathParam("id") String id) {
        return view(find(id));
    }

    @POST
    @Path("/{id}/abort")
    @Operation(operationId = "abortEdgeRollout", summary = "Stop a rollout",
            description = "Nodes not sent to yet are skipped; messages already sent go on. 409 when it already ended.")
    @APIResponse(responseCode = "200", description = "Aborted", content = @Content(schema = @Schema(implementation = RolloutView.class)))
    @APIResponse(responseCode = "404", description = "No such rollout", content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "409", description = "Already ended", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public RolloutView abort(@PathParam("id") String id) {
        RolloutStore.Rollout rollout = find(id);
        if (!edge.rollouts().abort(rollout.id())) {
            throw ApiException.conflict("rollout_ended", "the rollout already ended (" + find(id).status() + ")");
        }
        return view(find(id));
    }

    private RolloutStore.Rollout find(String id) {
        String checked = Inputs.required(EdgeError.INVALID_MESSAGE.code(), "id", id, 64);
        return edge.rollouts().store().find(checked).orElseThrow(() -> ApiException.notFound("no rollout "
                + (Inputs.quotable(checked, 64) ? "'" + checked + "'" : "with that id")));
    }

    private RolloutView view(RolloutStore.Rollout rollout) {
        boolean ended = !rollout.status().equals("running");
        List<NodeView> nodes = edge.rollouts().store().nodes(rollout.id(), -1).stream()
                .map(n -> new NodeView(n.node(), n.wave() + 1, n.messageId(),
                        ended && n.messageId() == null ? "skipped" : n.status(), n.error()))
                .toList();
        return summary(rollout, nodes);
    }

    private RolloutView summary(RolloutStore.Rollout rollout, List<NodeView> nodes) {
        return new RolloutView(rollout.id(), rollout.status(), rollout.method(), rollout.kind(), rollout.waveSize(),
                rollout.maxFailures(), rollout.waves(), rollout.wave() + 1, edge.rollouts().store().failures(rollout.id()),
                rollout.reason(), rollout.createdAt(), rollout.finishedAt(), nodes);
    }
}
