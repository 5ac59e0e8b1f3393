package io.netwarden.dnc.jobs;

import io.netwarden.dnc.dispatcher.DispatcherService;
import io.netwarden.platform.Role;
import io.netwarden.platform.api.ApiError;
import io.netwarden.platform.api.ApiException;
import io.netwarden.platform.api.QueryParams;
import io.netwarden.platform.api.RoleEndpoint;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /api/v1/jobs}: SNMP and telnet work on network elements. */
@Path("/api/v1/jobs")
@Produces(MediaType.APPLICATION_JSON)
@RoleEndpoint(Role.DISPATCHER)
@Tag(name = "jobs", description = "SNMP and telnet jobs run by agents")
public class JobsResource {

    @Inject
    DispatcherService dispatcher;

    @Inject
    JobStore store;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "submitJob", summary = "Submit a job; with ?wait=10s, answer when it has finished (or the wait is over)",
            description = "Stores the job and hands it to an agent of its pool: 202 with the queued job, or with ?wait= 200 "
                    + "with the finished job (202 when the wait ends first).")
    @APIResponse(responseCode = "202", description = "Queued (or still running after the wait)",
            content = @Content(schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "200", description = "Finished within the wait", content = @Content(schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "400", description = "Unknown operation, malformed OID …", content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "404", description = "Unknown element", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public CompletionStage<Response> submit(JobSubmission submission,
            @Parameter(description = "How long to wait for the result, e.g. 10s (at most 5m)") @QueryParam("wait") String wait,
            @Context UriInfo uri) {
        // runs on the event loop: no thread is held while the job is stored and run (see DispatcherService#submitAsync);
        // the answer is built on whichever thread finishes it, where the request is not at hand: take its address now
        java.time.Duration limit = wait == null ? java.time.Duration.ZERO : DispatcherService.waitLimit(wait);
        URI jobs = uri.getBaseUri().resolve("api/v1/jobs/");
        return dispatcher.submitAsync(submission, limit).thenApply(job -> Response.status(job.finished() ? 200 : 202)
                .location(jobs.resolve(job.id())).entity(job).build());
    }

    @GET
    @Path("{id}")
    @Operation(operationId = "getJob", summary = "A job with its result and every status change",
            description = "Status, agent, result or error, and every status change with its time.")
    @APIResponse(responseCode = "200", description = "The job", content = @Content(schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "404", description = "No such job", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public JobView get(@PathParam("id") String id) {
        return store.view(id, true).orElseThrow(() -> JobStore.notFound(id));
    }

    @DELETE
    @Path("{id}")
    @Operation(operationId = "cancelJob", summary = "Cancel a job",
            description = "A queued job ends at once, failed with code cancelled (200). A running one is stopped by its agent,"
                    + " which reports it failed with code cancelled (202 now; a provision's lock is released when it has stopped).")
    @APIResponse(responseCode = "200", description = "Cancelled before an agent ran it", content = @Content(schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "202", description = "Its agent is stopping it", content = @Content(schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "409", description = "Already finished", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Response cancel(@PathParam("id") String id) {
        DispatcherService.Cancelled cancelled = dispatcher.cancel(id);
        return Response.status(cancelled.stopping() ? 202 : 200).entity(cancelled.job()).build();
    }

    @GET
    @Operation(operationId = "listJobs", summary = "Jobs, newest first, optionally of one element and/or status",
            description = "Jobs newest first, filtered by element and status, paged with offset and limit.")
    public List<JobView> list(@QueryParam("element") String element, @QueryParam("status") String status,
            @Parameter(description = "Jobs to skip, default 0") @QueryParam("offset") String offset,
            @Parameter(description = "At most this many, 1-1000, default 100") @QueryParam("limit") String limit) {
        int skip = QueryParams.integer("offset", offset, 0, 0, Integer.MAX_VALUE - 1);
        int most = QueryParams.integer("limit", limit, 100, 1, 1000);
        JobStatus wanted;
        try {
            wanted = status == null ? null : JobStatus.parse(status.length() > 16 ? "?" : status);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_status", "status must be one of queued, running, succeeded, failed, timed_out");
        }
        if (element != null && element.length() > 128) {
            return List.of();
        }
        return store.list(element, wanted, skip, most);
    }
}
