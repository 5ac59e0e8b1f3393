package io.netwarden.platform.auth;

import io.netwarden.platform.api.ApiError;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every {@code /api/v1} request needs {@code Authorization: Bearer <token>}. Runs before resource matching, so an
 * unknown path without a token is a 401 as well and reveals nothing.
 */
public class BearerAuthFilter {

    static final String API_PREFIX = "/api/v1";
    private static final String SCHEME = "Bearer ";

    @Inject
    ApiToken token;

    @ServerRequestFilter(preMatching = true, priority = Priorities.AUTHENTICATION)
    public Response authenticate(ContainerRequestContext request) {
        String path = request.getUriInfo().getRequestUri().getRawPath();
        if (!path.equals(API_PREFIX) && !path.startsWith(API_PREFIX + "/")) {
            return null;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String presented = bearer(header);
        if (presented == null) {
            return unauthorized(header == null ? "missing Authorization header; send 'Authorization: Bearer <token>'"
                    : "Authorization header must use the Bearer scheme");
        }
        if (!token.accepts(presented)) {
            return unauthorized("invalid API token");
        }
        return null;
    }

    /** The token of a {@code Bearer} header, or null. */
    public static String bearer(String header) {
        if (header == null || header.length() <= SCHEME.length() || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return null;
        }
        String value = header.substring(SCHEME.length()).strip();
        return value.isEmpty() ? null : value;
    }

    private static Response unauthorized(String message) {
        return Response.status(401)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"netwarden\"")
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError("unauthorized", message))
                .build();
    }
}
