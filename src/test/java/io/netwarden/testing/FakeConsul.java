package io.netwarden.testing;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for a Consul agent's KV HTTP API (there is no Consul server package here): answers
 * {@code GET /v1/kv/<key>} the way Consul does and records the paths asked for.
 */
public class FakeConsul implements QuarkusTestResourceLifecycleManager {

    public static final String KEY = "netwarden/config";
    public static final String PROPERTIES = "netwarden.registry.tags.\"FromConsul\"=urn:netwarden:consul-test:1\n";
    public static final List<String> REQUESTS = new CopyOnWriteArrayList<>();

    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            REQUESTS.add(exchange.getRequestMethod() + " " + path);
            byte[] body;
            int status;
            if (path.equals("/v1/kv/" + KEY)) {
                String value = Base64.getEncoder().encodeToString(PROPERTIES.getBytes(StandardCharsets.UTF_8));
                body = ("[{\"LockIndex\":0,\"Key\":\"" + KEY + "\",\"Flags\":0,\"Value\":\"" + value
                        + "\",\"CreateIndex\":7,\"ModifyIndex\":7}]").getBytes(StandardCharsets.UTF_8);
                status = 200;
            } else {
                body = new byte[0];
                status = 404;
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("X-Consul-Index", "7");
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return Map.of(
                "quarkus.consul-config.enabled", "true",
                "quarkus.consul-config.agent.host-port", "127.0.0.1:" + server.getAddress().getPort(),
                "quarkus.consul-config.properties-value-keys", KEY);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
