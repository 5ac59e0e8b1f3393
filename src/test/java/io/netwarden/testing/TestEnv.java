package io.netwarden.testing;

import java.io.IOException;
import java.net.ServerSocket;

/**
 * Addresses of the test environment started by {@code scripts/test-env.sh up}; the defaults are the ones it uses.
 */
public final class TestEnv {

    private TestEnv() {
    }

    public static String get(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    public static String pgUrl() {
        return get("NETWARDEN_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/netwarden_test");
    }

    public static String pgUser() {
        return get("NETWARDEN_TEST_PG_USER", "netwarden");
    }

    public static String pgPassword() {
        return get("NETWARDEN_TEST_PG_PASSWORD", "netwarden");
    }

    public static String natsUrl() {
        return get("NETWARDEN_TEST_NATS_URL", "nats://127.0.0.1:4222");
    }

    /** The Mosquitto broker of the test environment, {@code tcp://127.0.0.1:1883}. */
    public static String mqttUrl() {
        return get("NETWARDEN_TEST_MQTT_URL", "tcp://127.0.0.1:1883");
    }

    public static String kafka() {
        return get("NETWARDEN_TEST_KAFKA", "127.0.0.1:9092");
    }

    /** snmpd of the test environment, {@code host:port}. */
    public static String snmp() {
        return get("NETWARDEN_TEST_SNMP", "127.0.0.1:11161");
    }

    public static String snmpCommunity() {
        return get("NETWARDEN_TEST_SNMP_COMMUNITY", "public");
    }

    public static String snmpV3User() {
        return get("NETWARDEN_TEST_SNMP_V3_USER", "nwv3");
    }

    public static String snmpV3Auth() {
        return get("NETWARDEN_TEST_SNMP_V3_AUTH", "nw-auth-pass");
    }

    public static String snmpV3Priv() {
        return get("NETWARDEN_TEST_SNMP_V3_PRIV", "nw-priv-pass");
    }

    /** The telnet server of the test environment, {@code host:port}. */
    public static String telnet() {
        return get("NETWARDEN_TEST_TELNET", "127.0.0.1:2323");
    }

    public static String telnetUser() {
        return get("NETWARDEN_TEST_TELNET_USER", "nwtest");
    }

    /** The throwaway password scripts/test-env.sh set; read from its state file when the variable is not exported. */
    public static String telnetPassword() {
        String fromEnv = System.getenv("NETWARDEN_TEST_TELNET_PASSWORD");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of(".test-env/telnet-password")).strip();
        } catch (IOException e) {
            throw new IllegalStateException("no telnet test password: run scripts/test-env.sh up", e);
        }
    }

    public static String natsServerBinary() {
        return get("NETWARDEN_TEST_NATS_SERVER", "/usr/sbin/nats-server");
    }

    /** The Spectral CLI that scripts/test-env.sh installs from npm. */
    public static String spectral() {
        return get("NETWARDEN_TEST_SPECTRAL", ".test-env/spectral/node_modules/.bin/spectral");
    }

    /**
     * A loopback port free now, for a server a test starts in another process. Taken below the kernel's ephemeral range
     * (32768 and up on Linux): a port the kernel handed out would be free when checked, but could be taken by some
     * outgoing connection before the server binds it (seen in CI as "port in use").
     */
    public static int freePort() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = random.nextInt(20_000, 32_000);
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 1);
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free loopback port between 20000 and 32000");
    }
}
