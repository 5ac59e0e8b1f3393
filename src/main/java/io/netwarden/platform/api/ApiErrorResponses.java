package io.netwarden.platform.api;

import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Documents the errors every operation can answer, so that a client generator knows them without each resource
 * repeating them: 400 (a body or a parameter it cannot take), 401 (no or a wrong token), 404 (unknown, or the role is
 * not active on this node), 429 (too many wrong tokens), 500. A resource's own description of a status wins.
 * Registered with {@code mp.openapi.filter}.
 */
public class ApiErrorResponses implements OASFilter {

    private static final String ERROR_SCHEMA = "#/components/schemas/Error";

    private static final Map<String, String> COMMON = Map.of(
            "400", "The request cannot be taken: malformed JSON, a field or parameter out of its bounds (code and message say which)",
            "401", "No token, or a wrong one (Authorization: Bearer <token>)",
            "404", "No such resource, or its role is not active on this node (role_not_active)",
            "429", "Too many wrong tokens from this address; answers are slowed down",
            "500", "A failure of the server; the message gives an incident id the log repeats");

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        for (Map.Entry<String, PathItem> path : openAPI.getPaths().getPathItems().entrySet()) {
            if (!path.getKey().startsWith("/api/")) {
                continue;
            }
            for (Operation operation : path.getValue().getOperations().values()) {
                APIResponses responses = operation.getResponses();
                if (responses == null) {
                    responses = OASFactory.createAPIResponses();
                    operation.setResponses(responses);
                }
                for (Map.Entry<String, String> common : COMMON.entrySet()) {
                    if (!responses.hasAPIResponse(common.getKey())) {
                        responses.addAPIResponse(common.getKey(), error(common.getValue()));
                    }
                }
            }
        }
    }

    private static APIResponse error(String description) {
        return OASFactory.createAPIResponse().description(description)
                .content(OASFactory.createContent().addMediaType("application/json",
                        OASFactory.createMediaType().schema(OASFactory.createSchema().ref(ERROR_SCHEMA))));
    }
}
