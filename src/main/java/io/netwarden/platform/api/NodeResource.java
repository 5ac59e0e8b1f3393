package io.netwarden.platform.api;

import io.netwarden.platform.NodeIdentity;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /api/v1/node}: who answers. */
@Path("/api/v1/node")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "platform")
public class NodeResource {

    /** The node as JSON. */
    public record NodeView(String name, String instance, List<String> roles, String version) {
    }

    @Inject
    NodeIdentity node;

    @GET
    @Operation(operationId = "getNode", summary = "This node's name, instance id, active roles and version",
            description = "Who answers: the node name (netwarden.node.name), the instance id of this process, the roles it runs "
                    + "and the version.")
    public NodeView get() {
        return new NodeView(node.name(), node.instance(), node.roles().ids(), node.version());
    }
}
