package io.netwarden.platform.auth;

import io.netwarden.platform.api.ApiError;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.InetAddress;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Deny by default: every request that reaches the REST layer needs {@code Authorization: Bearer <token>}, whatever its
 * path. The decision never looks at the path, so no spelling of one (percent-encoded letters, dot segments, doubled
 * slashes, matrix parameters) can step around it. What is open without a token — {@code /q/health}, {@code /q/metrics},
 * {@code /q/openapi}, {@code /q/swagger-ui} — is served by Quarkus' own routes and never reaches this filter; gRPC is
 * checked by {@link GrpcAuthInterceptor}.
 *
 * <p>Runs before resource matching, so an unknown path, a wrong method or a wrong content type without a token is a
 * 401 as well and reveals nothing. Wrong tokens are slowed down per source by {@link FailedAuthLimiter}.
 */
public class BearerAuthFilter {

    private static final String SCHEME = "Bearer ";
    /** Longest Authorization header looked at; anything longer cannot be a token of ours. */
    static final int MAX_HEADER = 1024;

    @Inject
    ApiToken token;

    @Inject
    FailedAuthLimiter limiter;

    @ServerRequestFilter(preMatching = true, priority = Priorities.AUTHENTICATION)
    public Uni<Response> authenticate(ContainerRequestContext request, HttpServerRequest http) {
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String presented = bearer(header);
        if (presented == null) {
            return Uni.createFrom().item(unauthorized(header == null
                    ? "missing Authorization header; send 'Authorization: Bearer <token>'"
                    : "Authorization header must be 'Bearer <token>'"));
        }
        InetAddress source = sourceOf(http);
        return switch (limiter.admit(source)) {
            case EVALUATE -> Uni.createFrom().item(verdict(presented, source, false));
            case HOLD -> Uni.createFrom().voidItem()
                    .onItem().delayIt().by(limiter.delay())
                    .map(ignored -> verdict(presented, source, true))
                    .eventually(() -> limiter.released(source));
            case REFUSE -> {
                http.response().endHandler(ended -> http.connection().close());
                yield Uni.createFrom().item(tooMany());
            }
        };
    }

    /** Null (go on) for the right token; for a wrong one 401, or 429 when the source is being slowed down. */
    private Response verdict(String presented, InetAddress source, boolean held) {
        if (token.accepts(presented)) {
            return null;
        }
        limiter.failed(source);
        return held ? tooMany() : unauthorized("invalid API token");
    }

    /** The token of a {@code Bearer} header, or null. */
    public static String bearer(String header) {
        if (header == null || header.length() > MAX_HEADER || header.length() <= SCHEME.length()
                || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return null;
        }
        String value = header.substring(SCHEME.length()).strip();
        return value.isEmpty() ? null : value;
    }

    static InetAddress sourceOf(HttpServerRequest http) {
        if (http == null || http.remoteAddress() == null || http.remoteAddress().hostAddress() == null) {
            return null;
        }
        try {
            return InetAddress.ofLiteral(http.remoteAddress().hostAddress()); // never a name lookup
        } catch (IllegalArgumentException notAnAddress) {
            return null;
        }
    }

    private static Response unauthorized(String message) {
        return Response.status(401)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"netwarden\"")
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError("unauthorized", message))
                .build();
    }

    private Response tooMany() {
        return Response.status(429)
                .header(HttpHeaders.RETRY_AFTER, Math.max(1, limiter.delay().toSeconds()))
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError("too_many_failed_authentications",
                        "too many wrong API tokens from this address; its requests are slowed down"))
                .build();
    }
}
