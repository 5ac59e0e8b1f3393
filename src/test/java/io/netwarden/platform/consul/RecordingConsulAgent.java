package io.netwarden.platform.consul;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for a Consul agent's HTTP API on loopback (no Consul server installs here), answering the service and
 * check calls as the agent does — register, deregister, check update (TTL checks only), list — and recording every
 * call. It can refuse a wrong token (403), be down (503), and restart empty. Thread-safe.
 */
public final class RecordingConsulAgent implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One call as it arrived: the path decoded, the body as sent. */
    public record Call(String method, String path, String token, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public final List<Call> calls = new CopyOnWriteArrayList<>();
    /** Registered services by id, as registered. */
    public final Map<String, JsonNode> services = new ConcurrentHashMap<>();
    /** TTL check status by check id. */
    public final Map<String, String> checks = new ConcurrentHashMap<>();
    private final HttpServer server;
    private final String token;
    private volatile boolean down;

    public RecordingConsulAgent(String token) throws IOException {
        this.token = token;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** While down, every call is answered 503 (and recorded). */
    public void down(boolean down) {
        this.down = down;
    }

    /** An agent restarted without its state: every service and check gone. */
    public void restartEmpty() {
        services.clear();
        checks.clear();
    }

    /** A service some other tool registered. */
    public void registerForeign(String id, String name) {
        ObjectNode service = JSON.createObjectNode().put("ID", id).put("Name", name);
        services.put(id, service);
    }

    public List<Call> calls(String method, String pathPrefix) {
        return calls.stream().filter(c -> c.method().equals(method) && c.path().startsWith(pathPrefix)).toList();
    }

    private void answer(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = URLDecoder.decode(exchange.getRequestURI().getRawPath().replace("+", "%2B"), StandardCharsets.UTF_8);
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String given = exchange.getRequestHeaders().getFirst("X-Consul-Token");
        calls.add(new Call(method, path, given, body));
        if (down) {
            reply(exchange, 503, "Consul is down");
            return;
        }
        if (token != null && !token.equals(given)) {
            reply(exchange, 403, "Permission denied");
            return;
        }
        if (method.equals("PUT") && path.equals("/v1/agent/service/register")) {
            JsonNode service = JSON.readTree(body);
            String id = service.path("ID").asText(service.path("Name").asText());
            services.put(id, service);
            JsonNode check = service.path("Check");
            if (check.has("TTL")) {
                checks.put(check.path("CheckID").asText("service:" + id), "critical"); // TTL checks start critical
            }
            reply(exchange, 200, "");
        } else if (method.equals("PUT") && path.startsWith("/v1/agent/service/deregister/")) {
            String id = path.substring("/v1/agent/service/deregister/".length());
            if (services.remove(id) == null) {
                reply(exchange, 404, "Unknown service ID \"" + id + "\"");
                return;
            }
            checks.remove("service:" + id);
            reply(exchange, 200, "");
        } else if (method.equals("PUT") && path.startsWith("/v1/agent/check/update/")) {
            String id = path.substring("/v1/agent/check/update/".length());
            if (!checks.containsKey(id)) {
                reply(exchange, 404, "Unknown check ID \"" + id + "\"");
                return;
            }
            checks.put(id, JSON.readTree(body).path("Status").asText());
            reply(exchange, 200, "");
        } else if (method.equals("GET") && path.equals("/v1/agent/services")) {
            ObjectNode listing = JSON.createObjectNode();
            services.forEach((id, service) -> listing.putObject(id).put("ID", id).put("Service", service.path("Name").asText())
                    .put("Address", service.path("Address").asText()).put("Port", service.path("Port").asInt()));
            reply(exchange, 200, listing.toString());
        } else {
            reply(exchange, 405, "method not allowed");
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", status == 200 && !body.isEmpty() ? "application/json" : "text/plain");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
