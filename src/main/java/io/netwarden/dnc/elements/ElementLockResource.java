package io.netwarden.dnc.elements;

import io.netwarden.platform.Role;
import io.netwarden.platform.api.ApiError;
import io.netwarden.platform.api.ApiException;
import io.netwarden.platform.api.Inputs;
import io.netwarden.platform.api.QueryParams;
import io.netwarden.platform.api.RoleEndpoint;
import io.netwarden.platform.api.Durations;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /api/v1/elements/{name}/lock}: operators take and release an element's lock (provisions wait for it). */
@Path("/api/v1/elements/{name}/lock")
@Produces(MediaType.APPLICATION_JSON)
@RoleEndpoint(Role.DISPATCHER)
@Tag(name = "elements")
public class ElementLockResource {

    /** Body of a lock request. */
    public record LockRequest(
            @Schema(description = "Who holds it, e.g. a user name", examples = "alice") String holder,
            @Schema(description = "How long, default 30m, at most 24h", examples = "30m") String duration,
            String reason) {
    }

    @Inject
    ElementLocks locks;

    @Inject
    Elements elements;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "lockElement", summary = "Lock an element for an operator; provisions wait until it is released or expires",
            description = "An operator's lease lock: provisions of the element wait (or fail, with onLocked fail) until it is "
                    + "released or its duration ends.")
    @APIResponse(responseCode = "201", description = "Locked", content = @Content(schema = @Schema(implementation = ElementLocks.Lease.class)))
    @APIResponse(responseCode = "409", description = "Held by someone else", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Response lock(@PathParam("name") String name, LockRequest request) {
        elements.get(name); // 404 for an unknown element
        if (request == null || request.holder() == null || !request.holder().matches("[A-Za-z0-9._@-]{1,64}")) {
            throw ApiException.badRequest("invalid_lock", "holder is required: 1-64 letters, digits, '.', '_', '@', '-'");
        }
        Duration duration;
        try {
            duration = Durations.parse(request.duration(), Duration.ofMinutes(30), Duration.ofSeconds(1), Duration.ofHours(24));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_lock", "duration: " + e.getMessage());
        }
        String reason = Inputs.text("invalid_lock", "reason", request.reason(), 500);
        ElementLocks.Attempt attempt = locks.tryAcquire(name, "operator:" + request.holder(), duration, reason);
        ElementLocks.Lease blocking = attempt.blocking().orElse(null);
        if (blocking != null) {
            throw ApiException.conflict("element_locked", "element '" + name + "' is locked by " + blocking.holder() + " until "
                    + blocking.expiresAt());
        }
        return Response.status(201).entity(attempt.acquired().orElseThrow()).build();
    }

    @GET
    @Operation(operationId = "getElementLock", summary = "The lock in force on an element",
            description = "Holder, fencing token, when it was taken and when it ends; 404 not_locked when there is none.")
    @APIResponse(responseCode = "200", description = "The lock", content = @Content(schema = @Schema(implementation = ElementLocks.Lease.class)))
    @APIResponse(responseCode = "404", description = "Not locked", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public ElementLocks.Lease get(@PathParam("name") String name) {
        elements.get(name);
        return locks.current(name).orElseThrow(() -> new ApiException(404, "not_locked", "element '" + name + "' is not locked"));
    }

    @DELETE
    @Operation(operationId = "unlockElement", summary = "Release an element's lock; a lock held by a job needs ?force=true",
            description = "Releasing a lock that a provision holds needs ?force=true: another provision may then interleave "
                    + "with it.")
    @APIResponse(responseCode = "204", description = "Released")
    public void unlock(@PathParam("name") String name,
            @Parameter(description = "true: release a lock held by a job too") @QueryParam("force") String forceParam) {
        boolean force = QueryParams.bool("force", forceParam, false);
        elements.get(name);
        ElementLocks.Lease lease = locks.current(name).orElseThrow(() -> new ApiException(404, "not_locked",
                "element '" + name + "' is not locked"));
        if (lease.holder().startsWith("job:") && !force) {
            throw ApiException.conflict("element_locked", "element '" + name + "' is locked by " + lease.holder()
                    + "; releasing a job's lock lets another provision interleave with it; add ?force=true to do it anyway");
        }
        if (lease.holder().startsWith("operator:")) {
            locks.release(name, lease.holder(), lease.token());
        } else {
            locks.forceRelease(name);
        }
    }
}
