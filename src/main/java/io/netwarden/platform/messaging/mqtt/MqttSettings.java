package io.netwarden.platform.messaging.mqtt;

import io.netwarden.platform.auth.Secret;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where and how an {@link MqttLink} connects.
 *
 * @param host the broker's host
 * @param port its port (1883, or 8883 with TLS, when the URL gives none)
 * @param tls whether to speak TLS ({@code ssl://}, {@code mqtts://}, or a CA file given)
 * @param clientId the MQTT client id: unique per broker (a second connection with the same id drops the first)
 * @param username with {@code password}, for brokers that ask for them
 * @param caFile PEM CA certificate(s) the broker's certificate must chain to; empty: the JDK's trust store
 * @param certFile PEM client certificate, for brokers that verify clients (with {@code keyFile})
 * @param keyFile PEM private key of {@code certFile}
 * @param maxPayloadBytes a message larger than this is dropped (and counted), not handed to a handler
 */
public record MqttSettings(String host, int port, boolean tls, String clientId, Optional<String> username,
        Optional<Secret> password, Optional<Path> caFile, Optional<Path> certFile, Optional<Path> keyFile,
        Duration keepAlive, int maxPayloadBytes) {

    /** The longest client id MQTT 3.1.1 servers must take (23) is too short for node names; Mosquitto takes 65535. */
    static final int MAX_CLIENT_ID = 256;

    public MqttSettings {
        if (clientId.isEmpty() || clientId.length() > MAX_CLIENT_ID || !clientId.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("the MQTT client id must be 1-" + MAX_CLIENT_ID + " visible ASCII characters");
        }
        if (password.isPresent() && username.isEmpty()) {
            throw new IllegalArgumentException("an MQTT password needs a user name");
        }
        if (certFile.isPresent() != keyFile.isPresent()) {
            throw new IllegalArgumentException("an MQTT client certificate needs its key file, and the other way round");
        }
        if (maxPayloadBytes < 1) {
            throw new IllegalArgumentException("the largest MQTT payload must be at least 1 byte");
        }
    }

    /**
     * Reads a broker URL: {@code tcp://host:1883}, {@code mqtt://host}, {@code ssl://host:8883} or {@code mqtts://host}.
     *
     * @throws IllegalArgumentException naming what is wrong with it (never echoing a password in it)
     */
    public static MqttSettings of(String url, String clientId, Optional<String> username, Optional<Secret> password,
            Optional<Path> caFile, Optional<Path> certFile, Optional<Path> keyFile, Duration keepAlive, int maxPayloadBytes) {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("the MQTT URL is not a URL (tcp://host:1883)");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        boolean tls = switch (scheme) {
            case "tcp", "mqtt" -> false;
            case "ssl", "tls", "mqtts" -> true;
            default -> throw new IllegalArgumentException("the MQTT URL must start with tcp://, mqtt://, ssl:// or mqtts://");
        };
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("the MQTT URL names no host (tcp://host:1883)");
        }
        if (uri.getUserInfo() != null) {
            throw new IllegalArgumentException("put the MQTT user and password in their own settings, not in the URL");
        }
        if ((uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) || uri.getQuery() != null) {
            throw new IllegalArgumentException("the MQTT URL is scheme://host:port, nothing after it");
        }
        boolean secure = tls || caFile.isPresent() || certFile.isPresent();
        int port = uri.getPort() < 0 ? (secure ? 8883 : 1883) : uri.getPort();
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        return new MqttSettings(host, port, secure, clientId, username, password, caFile, certFile, keyFile, keepAlive,
                maxPayloadBytes);
    }

    /** host:port, and whether TLS: for logs (never the password). */
    public String describe() {
        return (tls ? "mqtts://" : "tcp://") + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
