package io.netwarden.dnc.telnet;

import io.netwarden.platform.auth.Secret;
import java.time.Duration;
import java.util.Objects;

/** How to reach and log in to one element over telnet. Immutable; the password is a {@link Secret}. */
public record TelnetTarget(String element, String host, int port, String username, Secret password, TelnetProfile profile,
        Duration connectTimeout, Duration commandTimeout) {

    public TelnetTarget {
        Objects.requireNonNull(element, "element");
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("address is required");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("telnet.port must be 1-65535");
        }
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(commandTimeout, "commandTimeout");
    }

    /** Sessions are shared per element and login; a changed password means a new session. */
    String sessionKey() {
        return element + "|" + host + ":" + port + "|" + username + "|" + (password == null ? 0 : password.reveal().hashCode());
    }

    String endpoint() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
