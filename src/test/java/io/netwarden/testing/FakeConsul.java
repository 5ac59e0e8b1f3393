package io.netwarden.testing;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for a Consul agent's KV HTTP API (there is no Consul server package here): answers
 * {@code GET /v1/kv/<key>} (JSON with base64 values) and {@code GET /v1/kv/<key>?raw} the way Consul does, from
 * {@link #VALUES}, and records the requests. Used as a Quarkus test resource (config source and
 * {@code netwarden.consul.url}) or on its own.
 */
public class FakeConsul implements QuarkusTestResourceLifecycleManager, AutoCloseable {

    public static final String KEY = "netwarden/config";
    public static final String PROPERTIES = "netwarden.registry.tags.\"FromConsul\"=urn:netwarden:consul-test:1\n";
    /** Key → value; tests may add and remove keys while the server runs. */
    public static final Map<String, String> VALUES = new ConcurrentHashMap<>(Map.of(KEY, PROPERTIES));
    public static final List<String> REQUESTS = new CopyOnWriteArrayList<>();

    private final Map<String, String> values;
    private HttpServer server;

    public FakeConsul() {
        this(VALUES);
    }

    public FakeConsul(Map<String, String> values) {
        this.values = values;
    }

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getRawPath();
            boolean raw = "raw".equals(exchange.getRequestURI().getRawQuery());
            REQUESTS.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + (raw ? "?raw" : ""));
            String key = path.startsWith("/v1/kv/") ? URLDecoder.decode(path.substring(7), StandardCharsets.UTF_8) : null;
            String value = key == null ? null : values.get(key);
            byte[] body;
            int status;
            if (value == null) {
                body = new byte[0];
                status = 404;
            } else if (raw) {
                body = value.getBytes(StandardCharsets.UTF_8);
                status = 200;
            } else {
                String encoded = Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
                body = ("[{\"LockIndex\":0,\"Key\":\"" + key + "\",\"Flags\":0,\"Value\":\"" + encoded
                        + "\",\"CreateIndex\":7,\"ModifyIndex\":7}]").getBytes(StandardCharsets.UTF_8);
                status = 200;
            }
            exchange.getResponseHeaders().add("Content-Type", raw ? "application/octet-stream" : "application/json");
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
                "quarkus.consul-config.properties-value-keys", KEY,
                "netwarden.consul.url", url());
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
