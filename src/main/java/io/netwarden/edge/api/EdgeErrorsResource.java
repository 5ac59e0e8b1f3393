package io.netwarden.edge.api;

import io.netwarden.edge.EdgeService;
import io.netwarden.edge.errors.ErrorLog;
import io.netwarden.platform.Role;
import io.netwarden.platform.api.ApiError;
import io.netwarden.platform.api.QueryParams;
import io.netwarden.platform.api.RoleEndpoint;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /api/v1/edge/errors}: the central's error log. */
@Path("/api/v1/edge/errors")
@Produces(MediaType.APPLICATION_JSON)
@RoleEndpoint(Role.EDGE_NODE)
@Tag(name = "edge")
public class EdgeErrorsResource {

    @Inject
    EdgeService edge;

    @GET
    @Operation(operationId = "listEdgeErrors", summary = "What failed on the nodes, newest first",
            description = "Refused, failed and expired messages: node, message id, method, error code and text, when."
                    + " 409 not_central on other nodes.")
    @APIResponse(responseCode = "200", description = "The entries",
            content = @Content(schema = @Schema(type = SchemaType.ARRAY, implementation = ErrorLog.Entry.class)))
    @APIResponse(responseCode = "400", description = "A filter is not valid", content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "409", description = "Not the central", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public List<ErrorLog.Entry> list(@Parameter(description = "Only this node's") @QueryParam("node") String node,
            @Parameter(description = "Entries to skip, default 0") @QueryParam("offset") String offset,
            @Parameter(description = "At most this many, 1-1000, default 100") @QueryParam("limit") String limit) {
        int skip = QueryParams.integer("offset", offset, 0, 0, Integer.MAX_VALUE - 1);
        int most = QueryParams.integer("limit", limit, 100, 1, 1000);
        return edge.errorLog().list(QueryParams.token("node", node), skip, most);
    }
}
