package io.netwarden.registry.api;

import io.netwarden.platform.Role;
import io.netwarden.platform.api.ApiError;
import io.netwarden.platform.api.ApiException;
import io.netwarden.platform.api.Inputs;
import io.netwarden.platform.api.RoleEndpoint;
import io.netwarden.registry.RegistryService;
import io.netwarden.registry.services.Whitelist;
import io.netwarden.registry.whitelist.SearchTerm;
import io.netwarden.registry.whitelist.SearchTerms;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code /api/v1/registry/search-terms}: the URN whitelist (the seed's GetSearchTerms, AddSearchTerm, RemoveSearchTerm).
 * Changes are stored and shared by every registry instance on the same database.
 */
@Path("/api/v1/registry/search-terms")
@Produces(MediaType.APPLICATION_JSON)
@RoleEndpoint(Role.REGISTRY)
@Tag(name = "registry")
public class SearchTermsResource {

    @Inject
    SearchTerms searchTerms;

    @Inject
    RegistryService registry;

    /** A term as a client sends it; checked here, so that a missing or bad field is a clear 400. */
    public record TermRequest(String urn, String tag) {
    }

    @GET
    @Operation(operationId = "listSearchTerms", summary = "Whitelisted URNs and their tags",
            description = "The registry's URN whitelist in force: the configuration's terms with the changes made through"
                    + " this API, each URN with the tag it registers services under.")
    @APIResponse(responseCode = "200", description = "The terms, by tag and URN",
            content = @Content(schema = @Schema(type = SchemaType.ARRAY, implementation = SearchTerm.class)))
    public List<SearchTerm> list() {
        return searchTerms.list();
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "putSearchTerm", summary = "Whitelist a URN under a tag, or re-tag it",
            description = "Stored, so it survives a restart, and applied by every registry instance on the same database"
                    + " (within seconds). A new URN is searched for at once; a re-tagged URN's services carry the new tag.")
    @APIResponse(responseCode = "200", description = "The term in force", content = @Content(schema = @Schema(implementation = SearchTerm.class)))
    @APIResponse(responseCode = "400", description = "Missing or invalid urn or tag", content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "409", description = "The whitelist is full", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public SearchTerm put(TermRequest request) {
        if (request == null) {
            throw ApiException.badRequest("malformed_json", "send {\"urn\":\"urn:…\",\"tag\":\"…\"}");
        }
        SearchTerm term;
        try {
            term = new SearchTerm(request.urn(), request.tag());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_search_term", e.getMessage());
        }
        try {
            registry.whitelist().put(term);
        } catch (Whitelist.Full e) {
            throw ApiException.conflict("whitelist_full", e.getMessage());
        }
        return term;
    }

    @DELETE
    @Path("/{urn}")
    @Operation(operationId = "deleteSearchTerm", summary = "Take a URN off the whitelist",
            description = "Stored and shared like a PUT, also for a URN from the configuration. The services it admitted are"
                    + " deregistered, for every instance.")
    @APIResponse(responseCode = "204", description = "Taken off")
    @APIResponse(responseCode = "404", description = "The URN is not whitelisted", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Response delete(@PathParam("urn") String urn) {
        String checked = Inputs.required("invalid_parameter", "urn", urn, 255);
        if (!registry.whitelist().remove(checked)) {
            throw ApiException.notFound("the URN " + (Inputs.quotable(checked, 120) ? "'" + checked + "' " : "")
                    + "is not whitelisted");
        }
        return Response.noContent().build();
    }
}
