package io.netwarden.platform.http;

import io.netwarden.platform.persistence.DatabaseErrors;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Failures and misses of the router itself — a request without {@code Host}, a path no route takes, a route that
 * failed — answered with the same JSON error as the API ({@code {"error","message"}}), instead of Quarkus' error page
 * ({@code {"details","stack"}}) or an empty body. A client's mistake is logged at DEBUG only, so nobody can fill the log
 * by sending them; a failure of the server is logged once with an incident id the answer repeats.
 *
 * <p>Thread safety: stateless.
 */
@ApplicationScoped
public class RouterErrors {

    private static final Logger LOG = Logger.getLogger(RouterErrors.class);

    void routes(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 2).failureHandler(this::failed);
        router.errorHandler(404, rc -> answer(rc, 404, "not_found", "no such resource"));
        router.errorHandler(405, rc -> answer(rc, 405, "method_not_allowed", "method not allowed on this resource"));
    }

    private void failed(RoutingContext rc) {
        int status = rc.statusCode();
        Throwable failure = rc.failure();
        if (status >= 400 && status < 500) {
            LOG.debugf("request to %s refused with %d: %s", rc.normalizedPath(), status, failure == null ? "" : failure.toString());
            answer(rc, status, switch (status) {
                case 400 -> "bad_request";
                case 401 -> "unauthorized";
                case 403 -> "forbidden";
                case 404 -> "not_found";
                case 405 -> "method_not_allowed";
                case 413 -> "body_too_large";
                default -> "http_" + status;
            }, status == 404 ? "no such resource"
                    : status == 400 && failure != null && String.valueOf(failure.getMessage()).contains("'Host' header")
                            ? "an HTTP/1.1 request needs a Host header" : "the request cannot be taken");
            return;
        }
        String incident = UUID.randomUUID().toString();
        LOG.errorf(failure == null ? null : DatabaseErrors.loggable(failure), "request to %s failed (incident %s)",
                rc.normalizedPath(), incident);
        answer(rc, 500, "internal_error", "unexpected failure; the server log has details under incident " + incident);
    }

    private static void answer(RoutingContext rc, int status, String code, String message) {
        if (rc.response().headWritten() || rc.response().ended()) {
            return;
        }
        rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(new JsonObject().put("error", code).put("message", message).encode());
    }
}
