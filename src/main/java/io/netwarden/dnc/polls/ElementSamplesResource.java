package io.netwarden.dnc.polls;

import io.netwarden.dnc.elements.Elements;
import io.netwarden.platform.Role;
import io.netwarden.platform.api.ApiException;
import io.netwarden.platform.api.QueryParams;
import io.netwarden.platform.api.RoleEndpoint;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /api/v1/elements/{name}/samples}: what scheduled polls collected from an element. */
@Path("/api/v1/elements/{name}/samples")
@Produces(MediaType.APPLICATION_JSON)
@RoleEndpoint(Role.DISPATCHER)
@Tag(name = "polls")
public class ElementSamplesResource {

    @Inject
    Polls polls;

    @Inject
    Elements elements;

    @GET
    @Operation(operationId = "listSamples", summary = "Samples of an element, newest first",
            description = "What polls collected for the element, newest first, filtered by OID and by time (since).")
    public List<Polls.SampleView> samples(@PathParam("name") String element, @QueryParam("oid") String oid,
            @QueryParam("since") String since,
            @Parameter(description = "At most this many, 1-100000, default 1000") @QueryParam("limit") String limitParam) {
        int limit = QueryParams.integer("limit", limitParam, 1000, 1, 100_000);
        elements.get(element); // 404 for an unknown element, not an empty list
        Instant from;
        try {
            from = since == null ? null : Instant.parse(since);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("invalid_since", "since must be an ISO-8601 instant like 2026-11-22T10:00:00Z");
        }
        String normalised;
        try {
            normalised = oid == null ? null : io.netwarden.dnc.snmp.Oid.of(oid).dotted();
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("malformed_oid", e.getMessage());
        }
        return polls.samples(element, normalised, from, limit);
    }
}
