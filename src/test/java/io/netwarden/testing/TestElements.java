package io.netwarden.testing;

import static io.netwarden.testing.Api.authed;

import java.util.UUID;

/** Creates network elements with unique names through the API, pointing at the test environment's peers. */
public final class TestElements {

    public static final String SNMP_HOST = TestEnv.snmp().substring(0, TestEnv.snmp().lastIndexOf(':'));
    public static final int SNMP_PORT = Integer.parseInt(TestEnv.snmp().substring(TestEnv.snmp().lastIndexOf(':') + 1));

    private TestElements() {
    }

    /** POSTs the element JSON, {@code $NAME} replaced by a fresh name; returns the name. */
    public static String create(String json) {
        String name = "el-" + UUID.randomUUID().toString().substring(0, 8);
        authed().contentType("application/json").body(json.replace("$NAME", name)).post("/api/v1/elements").then().statusCode(201);
        return name;
    }

    /** An SNMPv2c element with a short timeout and no retries, so failures show quickly. */
    public static String snmpV2c(String community, int port) {
        return create("""
                {"name":"$NAME","address":"%s","snmp":{"port":%d,"community":"%s","timeout":"500ms","retries":0}}"""
                .formatted(SNMP_HOST, port, community));
    }

    /** An SNMPv2c element on 127.0.0.1:{@code port}, where a test's socket swallows every request: each job times out. */
    public static String unanswering(int port, String timeout) {
        return create("""
                {"name":"$NAME","address":"127.0.0.1","snmp":{"port":%d,"community":"public","timeout":"%s","retries":0}}"""
                .formatted(port, timeout));
    }

    /** A telnet element on the test telnet server (vendor "linux", so the test profile's error pattern applies). */
    public static String telnet(String password) {
        return telnet(password, "linux", "debian");
    }

    /** A telnet element on the test telnet server, of the given vendor and model. */
    public static String telnet(String password, String vendor, String model) {
        String host = TestEnv.telnet().substring(0, TestEnv.telnet().lastIndexOf(':'));
        int port = Integer.parseInt(TestEnv.telnet().substring(TestEnv.telnet().lastIndexOf(':') + 1));
        return create("""
                {"name":"$NAME","address":"%s","vendor":"%s","model":"%s","telnet":{"port":%d,"username":"%s","password":"%s"}}"""
                .formatted(host, vendor, model, port, TestEnv.telnetUser(), password));
    }
}
