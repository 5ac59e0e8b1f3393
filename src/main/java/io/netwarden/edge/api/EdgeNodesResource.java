package io.netwarden.edge.api;

import io.netwarden.edge.EdgeService;
import io.netwarden.edge.nodes.NodeRegistry;
import io.netwarden.platform.Role;
import io.netwarden.platform.api.ApiError;
import io.netwarden.platform.api.ApiException;
import io.netwarden.platform.api.QueryParams;
import io.netwarden.platform.api.RoleEndpoint;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /api/v1/edge/nodes}: the nodes the central has heard from. */
@Path("/api/v1/edge/nodes")
@Produces(MediaType.APPLICATION_JSON)
@RoleEndpoint(Role.EDGE_NODE)
@Tag(name = "edge")
public class EdgeNodesResource {

    @Inject
    EdgeService edge;

    @GET
    @Operation(operationId = "listEdgeNodes", summary = "The nodes the central knows, by name",
            description = "Online while their hellos come; offline after three missed. The key fingerprint is the key pinned"
                    + " at the node's first hello. 409 not_central on other nodes.")
    @APIResponse(responseCode = "200", description = "The nodes",
            content = @Content(schema = @Schema(type = SchemaType.ARRAY, implementation = NodeRegistry.Node.class)))
    @APIResponse(responseCode = "409", description = "Not the central", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public List<NodeRegistry.Node> list() {
        return edge.registry().list();
    }

    @DELETE
    @Path("/{name}")
    @Operation(operationId = "removeEdgeNode", summary = "Forget a node",
            description = "Its pinned key is forgotten too: the key of its next hello is pinned (after a reinstall).")
    @APIResponse(responseCode = "204", description = "Forgotten")
    @APIResponse(responseCode = "404", description = "Not known", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public void remove(@PathParam("name") String name) {
        String checked = QueryParams.token("name", name).orElseThrow();
        if (!edge.registry().remove(checked)) {
            throw ApiException.notFound("no edge node '" + checked + "'");
        }
    }
}
