package io.netwarden.platform.consul;

import io.netwarden.platform.auth.Secret;
import io.netwarden.platform.config.NetwardenConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads keys from a Consul agent's KV store over its HTTP API ({@code GET /v1/kv/<key>?raw}), for settings that change
 * while Netwarden runs (the config source at start is quarkus-config-consul). Off unless {@code netwarden.consul.url}
 * is set. Thread-safe: the HTTP client is shared and holds no per-call state.
 */
@Singleton
public class ConsulKv {

    private static final Pattern SEGMENT = Pattern.compile("[^/]+");

    private final Optional<URI> base;
    private final Optional<Secret> token;
    private final Duration timeout;
    private final HttpClient http;

    @Inject
    ConsulKv(NetwardenConfig config) {
        this(config.consul().url(), config.consul().token(), config.consul().timeout());
    }

    public ConsulKv(Optional<URI> base, Optional<Secret> token, Duration timeout) {
        base.ifPresent(ConsulKv::requireHttp);
        this.base = base.map(u -> URI.create(u.toString().replaceAll("/+$", "") + "/"));
        this.token = token;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    private static void requireHttp(URI url) {
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
            throw new IllegalArgumentException("netwarden.consul.url must be an http(s) URL of a Consul agent, like "
                    + "http://127.0.0.1:8500; got one with scheme '" + url.getScheme() + "' and host '" + url.getHost() + "'");
        }
    }

    /** Whether a Consul agent is configured. */
    public boolean enabled() {
        return base.isPresent();
    }

    /** Where the agent is, for log lines: scheme, host and port only (never the token or user info). */
    public String describe() {
        return base.map(u -> u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort())).orElse("off");
    }

    /**
     * The value stored under {@code key} as text; empty when the key does not exist.
     *
     * @throws ConsulException when Consul cannot be reached or answers with an error
     * @throws IllegalStateException when no Consul agent is configured
     */
    public Optional<String> get(String key) throws ConsulException {
        URI agent = base.orElseThrow(() -> new IllegalStateException("netwarden.consul.url is not set"));
        HttpRequest.Builder request = HttpRequest.newBuilder(agent.resolve("v1/kv/" + encode(key) + "?raw"))
                .timeout(timeout).GET();
        token.ifPresent(t -> request.header("X-Consul-Token", t.reveal()));
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ConsulException("Consul at " + describe() + " cannot be reached: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConsulException("interrupted while reading '" + key + "' from Consul");
        }
        return switch (response.statusCode()) {
            case 200 -> Optional.of(response.body());
            case 404 -> Optional.empty();
            case 401, 403 -> throw new ConsulException("Consul at " + describe() + " refused to read '" + key
                    + "' (HTTP " + response.statusCode() + "): check netwarden.consul.token");
            default -> throw new ConsulException("Consul at " + describe() + " answered HTTP " + response.statusCode()
                    + " for '" + key + "'");
        };
    }

    /** Keeps the slashes of a KV path, escapes everything else in each segment. */
    private static String encode(String key) {
        // dots too: a "." or ".." segment would otherwise be resolved away by the HTTP client, out of the key's folder
        return SEGMENT.matcher(key).replaceAll(m -> URLEncoder.encode(m.group(), StandardCharsets.UTF_8).replace("+", "%20")
                .replace(".", "%2E"));
    }

    /** Consul could not be asked, or said no. */
    public static final class ConsulException extends Exception {
        public ConsulException(String message) {
            super(message);
        }
    }
}
