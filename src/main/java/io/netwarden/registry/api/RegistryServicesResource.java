package io.netwarden.registry.api;

import io.netwarden.platform.Role;
import io.netwarden.platform.api.ApiError;
import io.netwarden.platform.api.ApiException;
import io.netwarden.platform.api.Inputs;
import io.netwarden.platform.api.QueryParams;
import io.netwarden.platform.api.RoleEndpoint;
import io.netwarden.registry.RegistryService;
import io.netwarden.registry.store.RegisteredService;
import io.netwarden.registry.store.ServiceStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /api/v1/registry/services}: the services the registry admitted from SSDP advertisements. */
@Path("/api/v1/registry/services")
@Produces(MediaType.APPLICATION_JSON)
@RoleEndpoint(Role.REGISTRY)
@Tag(name = "registry")
public class RegistryServicesResource {

    private static final Set<String> STATUSES = Set.of("passing", "critical");

    @Inject
    RegistryService registry;

    @GET
    @Operation(operationId = "listRegistryServices", summary = "Registered services",
            description = "Every whitelisted service an instance of the registry sees, by tag, URN and USN; filtered by tag,"
                    + " URN, health status and the registry instance that sees it.")
    @APIResponse(responseCode = "200", description = "The services",
            content = @Content(schema = @Schema(type = SchemaType.ARRAY, implementation = RegisteredService.class)))
    @APIResponse(responseCode = "400", description = "A filter is not valid", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public List<RegisteredService> list(@QueryParam("tag") String tag, @QueryParam("urn") String urn,
            @QueryParam("status") String status, @QueryParam("seenBy") String seenBy,
            @Parameter(description = "Services to skip, default 0") @QueryParam("offset") String offset,
            @Parameter(description = "At most this many, 1-1000, default 100") @QueryParam("limit") String limit) {
        int skip = QueryParams.integer("offset", offset, 0, 0, Integer.MAX_VALUE - 1);
        int most = QueryParams.integer("limit", limit, 100, 1, 1000);
        if (status != null && !STATUSES.contains(status)) {
            throw ApiException.badRequest("invalid_parameter", "status is one of " + STATUSES.stream().sorted().toList());
        }
        return registry.registrations().store().list(new ServiceStore.Filter(text("tag", tag, 128), text("urn", urn, 255),
                Optional.ofNullable(status), text("seenBy", seenBy, 128)), skip, most);
    }

    @GET
    @Path("/{usn}")
    @Operation(operationId = "getRegistryService", summary = "One registered service by its USN",
            description = "The service with that USN (uuid:…::urn:…, as it is or URL-encoded), with the registry instances"
                    + " that see it and when its last sighting lapses.")
    @APIResponse(responseCode = "200", description = "The service", content = @Content(schema = @Schema(implementation = RegisteredService.class)))
    @APIResponse(responseCode = "404", description = "No such service", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public RegisteredService get(@PathParam("usn") String usn) {
        String checked = Inputs.required("invalid_parameter", "usn", usn, 512);
        return registry.registrations().store().find(checked).orElseThrow(() -> ApiException.notFound("no registered service "
                + (Inputs.quotable(checked, 120) ? "'" + checked + "'" : "with that USN")));
    }

    /** A filter value: printable, no spaces, bounded. */
    private static Optional<String> text(String name, String value, int max) {
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        if (value.length() > max || !value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw ApiException.badRequest("invalid_parameter", name + " is 1-" + max + " printable characters without spaces");
        }
        return Optional.of(value);
    }
}
