package io.netwarden.platform.http;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The size limits of a request, answered with the JSON error every other failure gets. Vert.x and Quarkus answer their
 * own limits (414, 431, 413) with an empty body; their limits are therefore set above these (application.properties),
 * and this first route enforces the real ones:
 *
 * <pre>
 *   request line over 8 KiB           ─▶ 414 uri_too_long
 *   target that is not a URI          ─▶ 400 bad_request (see UriValidation)
 *   headers over 16 KiB in all        ─▶ 431 headers_too_large
 *   Content-Length over max-body-size ─▶ 413 body_too_large (connection closed: the body is not read)
 *   HTTP/1 body without Content-Length ─▶ 411 length_required (it could only be cut off half-way, answered empty)
 * </pre>
 *
 * A request beyond the Vert.x limits themselves (64 KiB of request line or headers) gets Vert.x' answer, given a JSON
 * body by {@link EmptyErrorBodies}. Thread safety: stateless after construction.
 */
@ApplicationScoped
public class RequestLimits {

    static final int MAX_URI = 8 * 1024;
    static final int MAX_HEADERS = 16 * 1024;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
    MemorySize maxBody;

    void routes(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(this::check);
    }

    private void check(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        if (request.uri().length() > MAX_URI) {
            refuse(rc, 414, "uri_too_long", "the request target is longer than " + MAX_URI + " characters", false);
            return;
        }
        if (!validUri(request.uri())) {
            // Quarkus' own check is switched off (UriValidation) so that this answer has a body on HTTP/2 too
            refuse(rc, 400, "bad_request", "the request target is not a valid URI (spaces, '%' not followed by two hex"
                    + " digits, control characters)", false);
            return;
        }
        int headerBytes = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            headerBytes += header.getKey().length() + header.getValue().length() + 4;
        }
        if (headerBytes > MAX_HEADERS) {
            refuse(rc, 431, "headers_too_large", "the request headers are larger than " + MAX_HEADERS + " bytes", false);
            return;
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && tooLong(length)) {
            refuse(rc, 413, "body_too_large", "the request body is larger than " + maxBody.asLongValue() + " bytes", true);
            return;
        }
        if (length == null && request.version() != HttpVersion.HTTP_2 && request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
            // a body of unknown length could only be refused half-way, with an empty 413; API bodies are small JSON
            refuse(rc, 411, "length_required", "send the request body with a Content-Length (chunked bodies are not taken)",
                    true);
            return;
        }
        rc.next();
    }

    private static boolean validUri(String uri) {
        try {
            new java.net.URI(uri);
            return true;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    private boolean tooLong(String contentLength) {
        try {
            return contentLength.length() > 19 || Long.parseLong(contentLength.strip()) > maxBody.asLongValue();
        } catch (NumberFormatException e) {
            return false; // Vert.x refuses a malformed Content-Length itself
        }
    }

    private static void refuse(RoutingContext rc, int status, String code, String message, boolean close) {
        var response = rc.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        if (close) {
            response.putHeader(HttpHeaders.CONNECTION, "close");
            response.endHandler(done -> rc.request().connection().close());
        }
        response.end(new JsonObject().put("error", code).put("message", message).encode());
    }
}
