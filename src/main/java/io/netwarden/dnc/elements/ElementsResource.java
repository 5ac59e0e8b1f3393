package io.netwarden.dnc.elements;

import io.netwarden.platform.Role;
import io.netwarden.platform.api.ApiError;
import io.netwarden.platform.api.ApiException;
import io.netwarden.platform.api.RoleEndpoint;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /api/v1/elements}: the network elements jobs run against. */
@Path("/api/v1/elements")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RoleEndpoint(Role.DISPATCHER)
@Tag(name = "elements", description = "Network elements (credentials are write-only)")
public class ElementsResource {

    @Inject
    Elements elements;

    @POST
    @Operation(summary = "Add an element")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(schema = @Schema(implementation = ElementSpec.class)))
    @APIResponse(responseCode = "409", description = "Name taken", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Response create(ElementSpec spec) {
        ElementSpec created = elements.create(spec);
        return Response.created(URI.create("/api/v1/elements/" + created.name())).entity(created).build();
    }

    @GET
    @Operation(summary = "List elements by name")
    public List<ElementSpec> list(@QueryParam("offset") @DefaultValue("0") int offset,
            @QueryParam("limit") @DefaultValue("1000") int limit) {
        if (offset < 0 || limit < 1 || limit > 10_000) {
            throw ApiException.badRequest("invalid_paging", "offset must be >= 0 and limit 1-10000");
        }
        return elements.list(offset, limit);
    }

    @GET
    @Path("{name}")
    @Operation(summary = "One element; credentials show as <secret>")
    @APIResponse(responseCode = "404", description = "No such element", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public ElementSpec get(@PathParam("name") String name) {
        return elements.get(name);
    }

    @PUT
    @Path("{name}")
    @Operation(summary = "Create or replace an element; a credential sent as <secret> or left out keeps the stored one")
    public Response put(@PathParam("name") String name, ElementSpec spec) {
        Elements.Saved saved = elements.put(name, spec);
        return (saved.created() ? Response.created(URI.create("/api/v1/elements/" + name)) : Response.ok())
                .entity(saved.element()).build();
    }

    @DELETE
    @Path("{name}")
    @Operation(summary = "Remove an element")
    @APIResponse(responseCode = "204", description = "Removed")
    public void delete(@PathParam("name") String name) {
        elements.delete(name);
    }
}
