package io.netwarden.registry.api;

import io.netwarden.platform.Role;
import io.netwarden.platform.api.RoleEndpoint;
import io.netwarden.registry.whitelist.SearchTerm;
import io.netwarden.registry.whitelist.SearchTerms;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /api/v1/registry/search-terms}: the URN whitelist. */
@Path("/api/v1/registry/search-terms")
@Produces(MediaType.APPLICATION_JSON)
@RoleEndpoint(Role.REGISTRY)
@Tag(name = "registry")
public class SearchTermsResource {

    @Inject
    SearchTerms searchTerms;

    @GET
    @Operation(operationId = "listSearchTerms", summary = "Whitelisted URNs and their tags",
            description = "The registry's URN whitelist: each URN with the tag it registers services under.")
    public List<SearchTerm> list() {
        return searchTerms.list();
    }
}
