package io.netwarden.platform.auth;

import io.grpc.Status;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Authenticates gRPC calls on the HTTP router, before gRPC looks up the method: a call to a method that does not exist
 * would otherwise be answered UNIMPLEMENTED without a token, telling a stranger which services and methods are there.
 *
 * <pre>
 *   request ─▶ content-type application/grpc… ? ─ no ─▶ next route (REST: BearerAuthFilter)
 *                                              └ yes ─▶ GrpcAuthInterceptor.refusal ─ refused ─▶ grpc-status, no call
 *                                                                                   └ right token ─▶ gRPC (interceptor
 *                                                                                                    checks it again)
 * </pre>
 *
 * Thread safety: stateless; the limiter it consults is thread-safe.
 */
@ApplicationScoped
public class GrpcAuthRoute {

    @Inject
    GrpcAuthInterceptor interceptor;

    void routes(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 3).handler(this::check);
    }

    private void check(RoutingContext rc) {
        String type = rc.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/grpc")) {
            rc.next();
            return;
        }
        Status refusal = interceptor.refusal(rc.request().headers().getAll(HttpHeaders.AUTHORIZATION),
                source(rc.request().remoteAddress()));
        if (refusal == null) {
            rc.next();
            return;
        }
        // a trailers-only gRPC answer: HTTP 200, the status in the headers, no message
        rc.response().setStatusCode(200)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/grpc")
                .putHeader("grpc-status", Integer.toString(refusal.getCode().value()))
                .putHeader("grpc-message", URLEncoder.encode(refusal.getDescription(), StandardCharsets.UTF_8).replace("+", "%20"))
                .end();
    }

    private static InetAddress source(SocketAddress address) {
        if (address == null || address.hostAddress() == null) {
            return null;
        }
        try {
            return InetAddress.ofLiteral(address.hostAddress());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
