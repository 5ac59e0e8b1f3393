package io.netwarden.platform.consul;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netwarden.platform.auth.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@link ConsulServices} over the Consul agent's HTTP API ({@code /v1/agent/…}), the token in {@code X-Consul-Token}.
 * Ids are escaped as one path segment. Errors name the call and the HTTP status, never the token. Thread-safe: the HTTP
 * client is shared and holds no per-call state.
 */
public final class HttpConsulServices implements ConsulServices {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The largest answer to GET /v1/agent/services taken (tens of thousands of services). */
    static final int MAX_LISTING = 32 * 1024 * 1024;

    private final URI base;
    private final Optional<Secret> token;
    private final Duration timeout;
    private final HttpClient http;

    public HttpConsulServices(URI base, Optional<Secret> token, Duration timeout) {
        if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme()) || base.getHost() == null) {
            throw new IllegalArgumentException("netwarden.consul.url must be an http(s) URL of a Consul agent, like"
                    + " http://127.0.0.1:8500");
        }
        this.base = URI.create(base.toString().replaceAll("/+$", "") + "/");
        this.token = token;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** Where the agent is, for log lines: scheme, host and port only. */
    public String describe() {
        return base.getScheme() + "://" + base.getHost() + (base.getPort() < 0 ? "" : ":" + base.getPort());
    }

    @Override
    public void register(Registration service) throws ConsulKv.ConsulException {
        ObjectNode body = JSON.createObjectNode();
        body.put("ID", service.id());
        body.put("Name", service.name());
        service.tags().forEach(body.putArray("Tags")::add);
        body.put("Address", service.address());
        body.put("Port", service.port());
        ObjectNode meta = body.putObject("Meta");
        service.meta().forEach(meta::put);
        ObjectNode check = body.putObject("Check");
        check.put("CheckID", service.checkId());
        check.put("Name", "SSDP advertisement and health probe");
        check.put("TTL", service.ttl().toSeconds() + "s");
        check.put("DeregisterCriticalServiceAfter", service.deregisterCriticalAfter().toSeconds() + "s");
        send("PUT", "v1/agent/service/register", body.toString(), "register " + service.id());
    }

    @Override
    public void deregister(String id) throws ConsulKv.ConsulException {
        send("PUT", "v1/agent/service/deregister/" + segment(id), null, "deregister " + id);
    }

    @Override
    public void updateTtl(String id, boolean passing, String note) throws ConsulKv.ConsulException {
        ObjectNode body = JSON.createObjectNode();
        body.put("Status", passing ? "passing" : "critical");
        body.put("Output", note);
        send("PUT", "v1/agent/check/update/" + segment("service:" + id), body.toString(), "update the check of " + id);
    }

    @Override
    public Map<String, String> services() throws ConsulKv.ConsulException {
        String body = send("GET", "v1/agent/services", null, "list services");
        if (body.length() > MAX_LISTING) {
            throw new ConsulKv.ConsulException("Consul at " + describe() + " listed more services than this client reads");
        }
        Map<String, String> services = new LinkedHashMap<>();
        try {
            JsonNode listing = JSON.readTree(body);
            if (listing == null || !listing.isObject()) {
                throw new ConsulKv.ConsulException("Consul at " + describe() + " answered the service list with no object");
            }
            listing.properties().forEach(e -> services.put(e.getKey(), e.getValue().path("Service").asText("")));
        } catch (IOException e) {
            throw new ConsulKv.ConsulException("Consul at " + describe() + " answered the service list with broken JSON");
        }
        return services;
    }

    private String send(String method, String path, String json, String what) throws ConsulKv.ConsulException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        token.ifPresent(t -> request.header("X-Consul-Token", t.reveal()));
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ConsulKv.ConsulException("Consul at " + describe() + " cannot be reached to " + what + ": "
                    + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConsulKv.ConsulException("interrupted while asking Consul to " + what);
        }
        int status = response.statusCode();
        if (status == 200) {
            return response.body();
        }
        if (status == 404 && path.startsWith("v1/agent/service/deregister/")) {
            return ""; // already gone
        }
        if (status == 401 || status == 403) {
            throw new ConsulKv.ConsulException("Consul at " + describe() + " refused to " + what + " (HTTP " + status
                    + "): check netwarden.consul.token");
        }
        throw new ConsulKv.ConsulException("Consul at " + describe() + " answered HTTP " + status + " to " + what);
    }

    /** One path segment: everything but unreserved characters escaped (dots too, so "." and ".." stay names). */
    static String segment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20").replace(".", "%2E").replace("*", "%2A");
    }
}
