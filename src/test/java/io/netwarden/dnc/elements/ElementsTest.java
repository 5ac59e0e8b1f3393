package io.netwarden.dnc.elements;

import static io.netwarden.testing.Api.authed;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ElementsTest {

    @Inject
    Elements elements;

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void credentialsAreStoredButNeverReturnedOrLogged() throws Exception {
        // Given
        String name = unique("r1");
        String community = "c0mmunity-" + UUID.randomUUID();
        String telnetPassword = "tp-" + UUID.randomUUID();

        // When
        String created = authed().contentType("application/json").body("""
                {"name":"%s","address":"127.0.0.1","vendor":"net-snmp","model":"linux",
                 "snmp":{"port":161,"version":"v2c","community":"%s"},
                 "telnet":{"port":23,"username":"u","password":"%s"}}""".formatted(name, community, telnetPassword))
                .post("/api/v1/elements").then().statusCode(201)
                .header("Location", containsString("/api/v1/elements/" + name))
                .body("snmp.community", equalTo("<secret>"))
                .body("telnet.password", equalTo("<secret>"))
                .body("snmp.timeout", equalTo("2s"))
                .body("snmp.maxRepetitions", equalTo(25))
                .extract().asString();

        // Then
        String fetched = authed().get("/api/v1/elements/" + name).then().statusCode(200)
                .body("address", equalTo("127.0.0.1")).body("vendor", equalTo("net-snmp"))
                .body("snmp.version", equalTo("v2c")).body("telnet.username", equalTo("u"))
                .extract().asString();
        String listed = authed().get("/api/v1/elements").then().statusCode(200).body("name", hasItem(name)).extract().asString();
        for (String body : new String[] {created, fetched, listed}) {
            assertFalse(body.contains(community) || body.contains(telnetPassword), body);
        }
        assertEquals(community, elements.find(name).orElseThrow().snmpCommunity, "stored for the agents");
        String log = Files.readString(Path.of("target/quarkus-test.log"));
        assertFalse(log.contains(community) || log.contains(telnetPassword), "credentials in the log");
    }

    @Test
    void putKeepsMaskedCredentialsAndReplacesTheRest() {
        String name = unique("r2");
        authed().contentType("application/json")
                .body("{\"name\":\"" + name + "\",\"address\":\"10.0.0.1\",\"snmp\":{\"community\":\"first-secret\"}}")
                .post("/api/v1/elements").then().statusCode(201);

        // a GET-edit-PUT round trip sends <secret> back: the stored value stays (for the same address and port)
        authed().contentType("application/json")
                .body("{\"address\":\"10.0.0.1\",\"model\":\"mx\",\"snmp\":{\"community\":\"<secret>\",\"timeout\":\"500ms\"}}")
                .put("/api/v1/elements/" + name).then().statusCode(200)
                .body("address", equalTo("10.0.0.1")).body("model", equalTo("mx")).body("snmp.timeout", equalTo("500ms"));
        assertEquals("first-secret", elements.find(name).orElseThrow().snmpCommunity);

        // a new value replaces it
        authed().contentType("application/json")
                .body("{\"address\":\"10.0.0.2\",\"snmp\":{\"community\":\"second-secret\"}}")
                .put("/api/v1/elements/" + name).then().statusCode(200).body("model", nullValue());
        assertEquals("second-secret", elements.find(name).orElseThrow().snmpCommunity);

        // PUT on a new name creates
        String other = unique("r3");
        authed().contentType("application/json").body("{\"address\":\"10.0.0.3\",\"telnet\":{\"username\":\"x\",\"password\":\"y\"}}")
                .put("/api/v1/elements/" + other).then().statusCode(201).body("telnet.port", equalTo(23));
    }

    @Test
    void snmpV3SettingsAreValidated() {
        String name = unique("v3");
        authed().contentType("application/json").body("""
                {"name":"%s","address":"127.0.0.1","snmp":{"version":"v3","user":"nwv3","authProtocol":"SHA-256",
                 "authPassword":"short","privProtocol":"AES","privPassword":"long-enough"}}""".formatted(name))
                .post("/api/v1/elements").then().statusCode(400)
                .body("error", equalTo("invalid_element")).body("message", containsString("at least 8"))
                .body("message", not(containsString("short")));
        authed().contentType("application/json").body("""
                {"name":"%s","address":"127.0.0.1","snmp":{"version":"v3","user":"nwv3","authProtocol":"SHA-256",
                 "authPassword":"long-enough","privProtocol":"ROT13","privPassword":"long-enough"}}""".formatted(name))
                .post("/api/v1/elements").then().statusCode(400).body("message", containsString("snmp.privProtocol must be one of"));
        authed().contentType("application/json").body("""
                {"name":"%s","address":"127.0.0.1","snmp":{"version":"v3","user":"nwv3","authProtocol":"SHA-256",
                 "authPassword":"long-enough","privProtocol":"AES","privPassword":"long-enough"}}""".formatted(name))
                .post("/api/v1/elements").then().statusCode(201).body("snmp.authPassword", equalTo("<secret>"));
    }

    @Test
    void badElementsAreRefusedAndChangeNothing() {
        String name = unique("bad");
        authed().contentType("application/json").body("{\"name\":\"" + name + "\",\"snmp\":{\"community\":\"c\"}}")
                .post("/api/v1/elements").then().statusCode(400).body("message", containsString("address is required"));
        authed().contentType("application/json").body("{\"name\":\"" + name + "\",\"address\":\"h\"}")
                .post("/api/v1/elements").then().statusCode(400).body("message", containsString("needs snmp or telnet"));
        authed().contentType("application/json").body("{\"name\":\"" + name + "\",\"address\":\"h\",\"snmp\":{\"version\":\"v4\",\"community\":\"c\"}}")
                .post("/api/v1/elements").then().statusCode(400).body("message", containsString("snmp.version must be v1, v2c or v3"));
        authed().contentType("application/json").body("{\"name\":\"" + name + "\",\"address\":\"h\",\"snmp\":{\"community\":\"\"}}")
                .post("/api/v1/elements").then().statusCode(400).body("error", equalTo("malformed_json"))
                .body("message", containsString("snmp.community"));
        authed().contentType("application/json").body("{\"name\":\"bad name\",\"address\":\"h\",\"snmp\":{\"community\":\"c\"}}")
                .post("/api/v1/elements").then().statusCode(400).body("error", equalTo("invalid_element"));
        authed().contentType("application/json").body("{\"name\":\"" + name + "\",\"address\":\"h\",\"snmp\":{\"community\":\"c\",\"timeout\":\"soon\"}}")
                .post("/api/v1/elements").then().statusCode(400).body("message", containsString("snmp.timeout"));
        authed().get("/api/v1/elements/" + name).then().statusCode(404).body("error", equalTo("element_not_found"));
    }

    @Test
    void duplicatesConflictAndDeleteRemoves() {
        String name = unique("dup");
        String body = "{\"name\":\"" + name + "\",\"address\":\"h\",\"snmp\":{\"community\":\"c\"}}";
        authed().contentType("application/json").body(body).post("/api/v1/elements").then().statusCode(201);
        authed().contentType("application/json").body(body).post("/api/v1/elements").then().statusCode(409)
                .body("error", equalTo("element_exists"));
        authed().delete("/api/v1/elements/" + name).then().statusCode(204);
        authed().get("/api/v1/elements/" + name).then().statusCode(404);
        authed().delete("/api/v1/elements/" + name).then().statusCode(404).body("error", equalTo("element_not_found"));
    }
}
