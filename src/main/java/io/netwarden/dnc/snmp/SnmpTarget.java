package io.netwarden.dnc.snmp;

import io.netwarden.platform.auth.Secret;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * How to reach one SNMP agent. Immutable; credentials are {@link Secret}s. v1/v2c need a community; v3 needs a user and,
 * for authNoPriv/authPriv, an auth protocol and password (and a priv protocol and password for authPriv).
 */
public record SnmpTarget(String host, int port, SnmpVersion version, Secret community, String user,
        String authProtocol, Secret authPassword, String privProtocol, Secret privPassword,
        Duration timeout, int retries, int maxRepetitions) {

    public static final Set<String> AUTH_PROTOCOLS = Set.of("MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512");
    public static final Set<String> PRIV_PROTOCOLS = Set.of("DES", "AES", "AES-192", "AES-256");

    public SnmpTarget {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("address is required");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("snmp.port must be 1-65535");
        }
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("snmp.timeout must be between 1 ms and 5 minutes");
        }
        if (retries < 0 || retries > 10) {
            throw new IllegalArgumentException("snmp.retries must be 0-10");
        }
        if (maxRepetitions < 1 || maxRepetitions > 1000) {
            throw new IllegalArgumentException("snmp.maxRepetitions must be 1-1000");
        }
        authProtocol = normalise(authProtocol);
        privProtocol = normalise(privProtocol);
        if (version == SnmpVersion.V3) {
            if (user == null || user.isBlank()) {
                throw new IllegalArgumentException("SNMPv3 needs snmp.user");
            }
            if (authProtocol != null && !AUTH_PROTOCOLS.contains(authProtocol)) {
                throw new IllegalArgumentException("snmp.authProtocol must be one of " + sorted(AUTH_PROTOCOLS));
            }
            if (privProtocol != null && !PRIV_PROTOCOLS.contains(privProtocol)) {
                throw new IllegalArgumentException("snmp.privProtocol must be one of " + sorted(PRIV_PROTOCOLS));
            }
            if (authProtocol != null && (authPassword == null || authPassword.reveal().length() < 8)) {
                throw new IllegalArgumentException("snmp.authPassword of at least 8 characters is required with an auth protocol");
            }
            if (privProtocol != null && authProtocol == null) {
                throw new IllegalArgumentException("snmp.privProtocol needs an auth protocol as well (authPriv)");
            }
            if (privProtocol != null && (privPassword == null || privPassword.reveal().length() < 8)) {
                throw new IllegalArgumentException("snmp.privPassword of at least 8 characters is required with a priv protocol");
            }
        } else if (community == null) {
            throw new IllegalArgumentException("SNMP " + version.id() + " needs snmp.community");
        }
    }

    private static String normalise(String protocol) {
        return protocol == null || protocol.isBlank() ? null : protocol.strip().toUpperCase(Locale.ROOT);
    }

    private static String sorted(Set<String> names) {
        return String.join(", ", new java.util.TreeSet<>(names));
    }

    /** {@code host:port}, for logs and errors. */
    public String endpoint() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
