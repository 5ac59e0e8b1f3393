package io.netwarden.dnc.polls;

import io.netwarden.platform.Role;
import io.netwarden.platform.api.ApiError;
import io.netwarden.platform.api.RoleEndpoint;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /api/v1/polls}: scheduled SNMP polling. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@RoleEndpoint(Role.DISPATCHER)
@Tag(name = "polls", description = "Scheduled SNMP polling and its samples")
public class PollsResource {

    @Inject
    Polls polls;

    @POST
    @Path("polls")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "createPoll", summary = "Poll OIDs of an element every interval; each run is a job, its varbinds become samples",
            description = "Polls the OIDs of an element every interval; each run is a job, and its varbinds are kept as "
                    + "samples.")
    @APIResponse(responseCode = "201", description = "Scheduled; the first run is due at once",
            content = @Content(schema = @Schema(implementation = PollSpec.class)))
    @APIResponse(responseCode = "400", description = "Bad OID, interval or operation", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Response create(PollSpec spec) {
        PollSpec created = polls.create(spec);
        return Response.created(URI.create("/api/v1/polls/" + created.id())).entity(created).build();
    }

    @GET
    @Path("polls")
    @Operation(operationId = "listPolls", summary = "Every poll with its last run",
            description = "Every poll with the status and time of its last run.")
    public List<PollSpec> list() {
        return polls.list();
    }

    @GET
    @Path("polls/{id}")
    @Operation(operationId = "getPoll", summary = "One poll",
            description = "One poll with the status and time of its last run.")
    public PollSpec get(@PathParam("id") String id) {
        return polls.get(id);
    }

    @DELETE
    @Path("polls/{id}")
    @Operation(operationId = "deletePoll", summary = "Stop a poll (its samples stay until they age out)",
            description = "Stops the poll; its samples stay until they age out (sample-retention).")
    @APIResponse(responseCode = "204", description = "Stopped")
    public void delete(@PathParam("id") String id) {
        polls.delete(id);
    }
}
