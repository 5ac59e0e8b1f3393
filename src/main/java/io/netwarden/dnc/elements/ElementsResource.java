package io.netwarden.dnc.elements;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
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

    @Inject
    ObjectMapper json;

    @POST
    @Operation(operationId = "createElement", summary = "Add an element",
            description = "Stores an element after checking every field against what stores it. Credentials are write-only: "
                    + "they come back as <secret>.")
    @RequestBody(content = @Content(schema = @Schema(implementation = ElementSpec.class)))
    @APIResponse(responseCode = "201", description = "Created", content = @Content(schema = @Schema(implementation = ElementSpec.class)))
    @APIResponse(responseCode = "409", description = "Name taken", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Response create(JsonNode body) throws JsonProcessingException {
        ElementSpec created = elements.create(spec(body), cleared(body));
        return Response.created(URI.create("/api/v1/elements/" + created.name())).entity(created).build();
    }

    @GET
    @Operation(operationId = "listElements", summary = "List elements by name",
            description = "Elements ordered by name, paged with offset and limit; credentials show as <secret>.")
    public List<ElementSpec> list(@Parameter(description = "Elements to skip, default 0") @QueryParam("offset") String offset,
            @Parameter(description = "At most this many, 1-10000, default 1000") @QueryParam("limit") String limit) {
        return elements.list(QueryParams.integer("offset", offset, 0, 0, Integer.MAX_VALUE - 1),
                QueryParams.integer("limit", limit, 1000, 1, 10_000));
    }

    @GET
    @Path("{name}")
    @Operation(operationId = "getElement", summary = "One element; credentials show as <secret>",
            description = "The element as stored; credentials show as <secret>.")
    @APIResponse(responseCode = "200", description = "The element", content = @Content(schema = @Schema(implementation = ElementSpec.class)))
    @APIResponse(responseCode = "404", description = "No such element", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public ElementSpec get(@PathParam("name") String name) {
        return elements.get(name);
    }

    @PUT
    @Path("{name}")
    @Operation(operationId = "putElement", summary = "Create or replace an element",
            description = "Replaces the element, or creates it (201). A credential sent as <secret> or left out keeps the"
                    + " stored one; sent as null removes it. Switching to v3 removes the community, to v1/v2c the v3 user and"
                    + " passwords.")
    @RequestBody(content = @Content(schema = @Schema(implementation = ElementSpec.class)))
    @APIResponse(responseCode = "200", description = "Replaced", content = @Content(schema = @Schema(implementation = ElementSpec.class)))
    @APIResponse(responseCode = "201", description = "Created", content = @Content(schema = @Schema(implementation = ElementSpec.class)))
    public Response put(@PathParam("name") String name, JsonNode body) throws JsonProcessingException {
        Elements.Saved saved = elements.put(name, spec(body), cleared(body));
        return (saved.created() ? Response.created(URI.create("/api/v1/elements/" + name)) : Response.ok())
                .entity(saved.element()).build();
    }

    /** The body as an element; JSON null stays apart from a field left out (see {@link #cleared}). */
    private ElementSpec spec(JsonNode body) throws JsonProcessingException {
        if (body == null || body.isNull() || body.isMissingNode()) {
            throw ApiException.badRequest("invalid_element", "send the element as JSON");
        }
        return json.treeToValue(body, ElementSpec.class);
    }

    /** Credential fields the body sets to JSON null: the request removes them (left out, they are kept). */
    static Set<String> cleared(JsonNode body) {
        Set<String> cleared = new HashSet<>();
        for (String field : Elements.CLEARABLE) {
            String[] path = field.split("\\.");
            JsonNode parent = body.path(path[0]);
            if (parent.isObject() && parent.has(path[1]) && parent.get(path[1]).isNull()) {
                cleared.add(field);
            }
        }
        return cleared;
    }

    @DELETE
    @Path("{name}")
    @Operation(operationId = "deleteElement", summary = "Remove an element",
            description = "Removes the element, its lock and its polls.")
    @APIResponse(responseCode = "204", description = "Removed")
    public void delete(@PathParam("name") String name) {
        elements.delete(name);
    }
}
