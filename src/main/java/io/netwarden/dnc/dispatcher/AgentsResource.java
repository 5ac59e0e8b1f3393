package io.netwarden.dnc.dispatcher;

import io.netwarden.platform.Role;
import io.netwarden.platform.api.RoleEndpoint;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /api/v1/agents}: the agents this dispatcher hears. */
@Path("/api/v1/agents")
@Produces(MediaType.APPLICATION_JSON)
@RoleEndpoint(Role.DISPATCHER)
@Tag(name = "jobs")
public class AgentsResource {

    /** An agent: last heartbeat, whether it counts as alive, the elements it reached lately. */
    public record AgentView(String name, String pool, String node, Instant lastHeartbeat, boolean alive,
            List<String> reachableElements, int runningJobs) {
    }

    @Inject
    AgentDirectory directory;

    @Inject
    DispatcherConfig config;

    @GET
    @Operation(operationId = "listAgents", summary = "Every agent with its last heartbeat and the elements it reaches",
            description = "Every agent heard of lately: last heartbeat, whether it is alive, its running jobs and the elements "
                    + "it reached lately.")
    public List<AgentView> list() {
        Instant aliveSince = Instant.now().minus(config.agentTimeout());
        return directory.all().stream().map(a -> new AgentView(a.name(), a.pool(), a.node(), a.lastHeartbeat(),
                a.lastHeartbeat().isAfter(aliveSince), a.reachableElements(), a.runningJobs())).toList();
    }
}
