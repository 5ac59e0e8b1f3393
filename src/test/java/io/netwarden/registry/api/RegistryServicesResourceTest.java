package io.netwarden.registry.api;

import static io.netwarden.testing.Api.authed;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import com.sun.net.httpserver.HttpServer;
import io.netwarden.registry.RegistryService;
import io.netwarden.registry.description.FakeDescriptionSource;
import io.netwarden.registry.ssdp.SsdpParser;
import io.netwarden.registry.whitelist.SearchTerm;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code /api/v1/registry/services}: what the running registry admitted, as a client reads it. */
@QuarkusTest
class RegistryServicesResourceTest {

    @Inject
    RegistryService registry;

    /** A device's HTTP server on loopback, serving its description. */
    private static HttpServer device;

    @BeforeAll
    static void deviceServer() throws IOException {
        device = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] description = FakeDescriptionSource.description("Api test box", "uuid:api-test").getBytes(StandardCharsets.UTF_8);
        device.createContext("/desc.xml", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/xml");
            exchange.sendResponseHeaders(200, description.length);
            exchange.getResponseBody().write(description);
            exchange.close();
        });
        device.start();
    }

    @AfterAll
    static void stopDevice() {
        device.stop(0);
    }

    private static String location() {
        return "http://127.0.0.1:" + device.getAddress().getPort() + "/desc.xml";
    }

    /** Registers a service of a URN of its own through the running role, as an advertisement would; returns its USN. */
    private String advertised(String urn) {
        registry.whitelist().put(new SearchTerm(urn, "ApiTest"));
        String usn = "uuid:" + UUID.randomUUID() + "::" + urn;
        String text = "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\n"
                + "LOCATION: " + location() + "\r\nNT: " + urn + "\r\nNTS: ssdp:alive\r\nUSN: " + usn
                + "\r\nSERVER: Linux UPnP/1.0 Test/1\r\n\r\n";
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        registry.registrations().handle(((SsdpParser.Accepted) SsdpParser.parse(bytes, bytes.length,
                InetAddress.ofLiteral("127.0.0.1"))).message()).join();
        return usn;
    }

    @Test
    void aRegisteredServiceIsListedUnderItsTagAndFoundByItsUsn() {
        String urn = "urn:netwarden-test:device:Api" + UUID.randomUUID().toString().substring(0, 8) + ":1";
        String usn = advertised(urn);

        authed().get("/api/v1/registry/services?tag=ApiTest&urn=" + urn).then().statusCode(200)
                .body("$", hasSize(1))
                .body("[0].usn", equalTo(usn))
                .body("[0].udn", equalTo(usn.substring(0, usn.indexOf("::"))))
                .body("[0].tag", equalTo("ApiTest"))
                .body("[0].address", equalTo("127.0.0.1"))
                .body("[0].port", equalTo(device.getAddress().getPort()))
                .body("[0].location", equalTo(location()))
                .body("[0].device.friendlyName", equalTo("Api test box"))
                .body("[0].device.UDN", equalTo("uuid:api-test"))
                .body("[0].device.services[0].controlURL", equalTo("/ctl/dim"))
                .body("[0].status", equalTo("passing"))
                .body("[0].seenBy", equalTo(java.util.List.of("test-node")));
        authed().urlEncodingEnabled(false).get("/api/v1/registry/services/" + URLEncoder.encode(usn, StandardCharsets.UTF_8))
                .then().statusCode(200)
                .body("urn", equalTo(urn))
                .body("server", equalTo("Linux UPnP/1.0 Test/1"));
        authed().get("/api/v1/registry/services/" + usn).then().statusCode(200).body("usn", equalTo(usn));
    }

    @Test
    void unknownBadAndUnauthenticatedRequestsAreRefusedClearly() {
        authed().get("/api/v1/registry/services/uuid:nobody::urn:x").then().statusCode(404).body("error", equalTo("not_found"));
        authed().get("/api/v1/registry/services?status=sleepy").then().statusCode(400).body("error", equalTo("invalid_parameter"));
        authed().get("/api/v1/registry/services?tag=" + "t".repeat(200)).then().statusCode(400);
        authed().urlEncodingEnabled(false).get("/api/v1/registry/services?urn=a%20b").then().statusCode(400);
        authed().urlEncodingEnabled(false).get("/api/v1/registry/services/uuid%00x").then().statusCode(400);
        authed().get("/api/v1/registry/services?limit=0").then().statusCode(400);
        // digits that are not ASCII (full-width 1, Arabic-Indic 1) are no number here
        authed().urlEncodingEnabled(false).get("/api/v1/registry/services?limit=%EF%BC%91").then().statusCode(400);
        authed().urlEncodingEnabled(false).get("/api/v1/registry/services?offset=%D9%A1").then().statusCode(400);
        given().get("/api/v1/registry/services").then().statusCode(401);
        given().get("/api/v1/registry/services/uuid:x").then().statusCode(401);
    }

    @Test
    void aWhitelistChangeRetagsOrDeregistersWhatTheTermAdmitted() {
        // Given
        String urn = "urn:netwarden-test:device:Term" + UUID.randomUUID().toString().substring(0, 8) + ":1";
        String usn = advertised(urn);

        // When: re-tagged
        authed().contentType("application/json").body("{\"urn\":\"" + urn + "\",\"tag\":\"Retagged\"}")
                .put("/api/v1/registry/search-terms").then().statusCode(200).body("tag", equalTo("Retagged"));

        // Then
        authed().get("/api/v1/registry/services?urn=" + urn).then().statusCode(200).body("[0].tag", equalTo("Retagged"));

        // When: taken off
        authed().urlEncodingEnabled(false).delete("/api/v1/registry/search-terms/" + URLEncoder.encode(urn,
                StandardCharsets.UTF_8)).then().statusCode(204);

        // Then
        authed().get("/api/v1/registry/services?urn=" + urn).then().statusCode(200).body("$", hasSize(0));
        authed().get("/api/v1/registry/services/" + usn).then().statusCode(404);
        authed().get("/api/v1/registry/search-terms").then().statusCode(200)
                .body("urn", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(urn)));
    }
}
