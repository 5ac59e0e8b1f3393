package io.netwarden.platform;

import static io.netwarden.testing.Api.authed;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.platform.messaging.BusMessage;
import io.netwarden.platform.messaging.Messaging;
import io.netwarden.platform.messaging.NatsMessaging;
import io.netwarden.testing.Deadline;
import io.netwarden.testing.KafkaTopicReader;
import io.netwarden.testing.RealInfrastructure;
import io.netwarden.testing.TestElements;
import io.netwarden.testing.TestEnv;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The platform against real PostgreSQL, NATS (JetStream) and a real Kafka broker from scripts/test-env.sh. */
@QuarkusTest
@TestProfile(RealInfrastructure.class)
class RealInfrastructureTest {

    @Inject
    Messaging messaging;

    @Inject
    NodeIdentity node;

    @Inject
    ObjectMapper json;

    @Test
    void readinessReflectsPostgresqlNatsAndKafka() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'Database connections health check' }.data.postgresql", equalTo("UP"))
                .body("checks.find { it.name == 'messaging' }.data.transport", startsWith("NATS nats://127.0.0.1"))
                .body("checks.find { it.name == 'kafka export' }.data.enabled", equalTo(true))
                .body("checks.find { it.name == 'kafka export' }.status", equalTo("UP"));
        authed().get("/api/v1/node").then().statusCode(200).body("instance", equalTo(node.instance()));
    }

    @Test
    void flywayMigratedPostgresqlAndTheStartIsRecordedThere() throws Exception {
        try (Connection db = DriverManager.getConnection(TestEnv.pgUrl(), TestEnv.pgUser(), TestEnv.pgPassword());
                PreparedStatement query = db.prepareStatement("SELECT node_name, roles FROM node_instance WHERE instance_id = ?")) {
            query.setString(1, node.instance());
            try (ResultSet row = query.executeQuery()) {
                assertTrue(row.next(), "this instance's row is in PostgreSQL");
                assertEquals("test-node", row.getString("node_name"));
                assertEquals("agent,dispatcher,registry,edge-node,netmanager", row.getString("roles"));
            }
        }
    }

    @Test
    void messagingRunsOverRealNatsWithJetStream() throws Exception {
        assertInstanceOf(NatsMessaging.class, unwrap(messaging));
        String subject = "nwtest." + UUID.randomUUID().toString().replace("-", "");
        var subscription = messaging.subscribe(subject, Optional.of("q"), m -> messaging.reply(m, "pong".getBytes(StandardCharsets.UTF_8)));
        try {
            BusMessage reply = messaging.request(BusMessage.of(subject, "ping".getBytes(StandardCharsets.UTF_8)),
                    Duration.ofSeconds(2)).get(3, TimeUnit.SECONDS);
            assertEquals("pong", new String(reply.data(), StandardCharsets.UTF_8));
        } finally {
            subscription.close();
        }
        assertTrue(messaging.jetStreamManagement().orElseThrow().getAccountStatistics().getLimits() != null,
                "the NATS server has JetStream enabled");
    }

    @Test
    void theNodeStartedEventIsOnItsKafkaTopic() throws Exception {
        ConsumerRecord<String, byte[]> record = KafkaTopicReader
                .find("netwarden.platform.node-started", node.instance(), Duration.ofSeconds(30))
                .orElseThrow(() -> new AssertionError("no node-started record keyed " + node.instance()));
        JsonNode event = json.readTree(record.value());
        assertEquals("test-node", event.get("name").asText());
        assertEquals(5, event.get("roles").size());
        assertEquals("application/json", KafkaTopicReader.header(record, "content-type"));
        assertEquals("node-started", KafkaTopicReader.header(record, "netwarden-event"));
    }

    @Test
    void aLogLevelChangeIsExportedToKafka() throws Exception {
        // Given: a logger name no earlier run has used
        String logger = "io.netwarden.test.export" + UUID.randomUUID().toString().replace("-", "");

        // When
        authed().contentType("application/json").body("{\"level\":\"TRACE\"}").put("/api/v1/loggers/" + logger)
                .then().statusCode(200);

        // Then
        ConsumerRecord<String, byte[]> record = KafkaTopicReader
                .find("netwarden.platform.log-level-changed", logger, Duration.ofSeconds(30))
                .orElseThrow(() -> new AssertionError("no log-level-changed record keyed " + logger));
        JsonNode event = json.readTree(record.value());
        assertEquals("TRACE", event.get("level").asText());
        assertEquals("test-node", event.get("node").asText());
        assertEquals(node.instance(), KafkaTopicReader.header(record, "netwarden-instance"));
    }

    @Test
    void aJobRunsOverRealNatsAndItsResultIsExportedToKafka() throws Exception {
        // Given: an element in PostgreSQL pointing at the test snmpd
        String element = snmpElement();

        // When: dispatcher and agent meet on NATS subjects (dnc.jobs.default, dnc.updates)
        String id = authed().contentType("application/json")
                .body("{\"element\":\"" + element + "\",\"operation\":\"snmp.walk\",\"oids\":[\"1.3.6.1.2.1.1\"]}")
                .post("/api/v1/jobs?wait=20s").then().statusCode(200)
                .body("status", equalTo("succeeded"))
                .body("result.varbinds.find { it.oid == '1.3.6.1.2.1.1.6.0' }.value", equalTo("netwarden-test"))
                .extract().path("id");

        // Then
        ConsumerRecord<String, byte[]> record = KafkaTopicReader.find("netwarden.dnc.results", id, Duration.ofSeconds(30))
                .orElseThrow(() -> new AssertionError("no netwarden.dnc.results record keyed " + id));
        JsonNode event = json.readTree(record.value());
        assertEquals("succeeded", event.get("status").asText());
        assertEquals(element, event.get("element").asText());
    }

    @Test
    void pollSamplesAreExportedToKafka() throws Exception {
        String element = snmpElement();
        String poll = authed().contentType("application/json")
                .body("{\"element\":\"" + element + "\",\"oids\":[\"1.3.6.1.2.1.1\"],\"interval\":\"1s\"}")
                .post("/api/v1/polls").then().statusCode(201).extract().path("id");
        try {
            ConsumerRecord<String, byte[]> record = KafkaTopicReader.find("netwarden.dnc.samples", element, Duration.ofSeconds(30))
                    .orElseThrow(() -> new AssertionError("no netwarden.dnc.samples record keyed " + element));
            JsonNode event = json.readTree(record.value());
            assertEquals(poll, event.get("pollId").asText());
            assertTrue(event.get("samples").toString().contains("netwarden-test"), event.toString());
        } finally {
            authed().delete("/api/v1/polls/" + poll).then().statusCode(204);
        }
    }

    /** An element on the test snmpd with default timeout and retries. */
    private static String snmpElement() {
        return TestElements.create("""
                {"name":"$NAME","address":"%s","snmp":{"port":%d,"community":"%s"}}"""
                .formatted(TestElements.SNMP_HOST, TestElements.SNMP_PORT, TestEnv.snmpCommunity()));
    }

    private static Object unwrap(Messaging bean) {
        return bean instanceof io.quarkus.arc.ClientProxy proxy ? proxy.arc_contextualInstance() : bean;
    }

    @Test
    void anEdgeCommandGoesOverJetStreamAndItsEndAndTheNodeAreExportedToKafka() throws Exception {
        String id = authed().contentType("application/json")
                .body("{\"toNode\":\"test-node\",\"data\":[\"echo\",\"over jetstream\"],\"commandOrEvent\":\"command\","
                        + "\"method\":\"shellCommand\"}")
                .post("/api/v1/edge/messages").then().statusCode(202).extract().path("[0].id");
        Deadline.await("message " + id + " answered", Duration.ofSeconds(20), () -> authed()
                .get("/api/v1/edge/messages/" + id).then().statusCode(200).extract().<String>path("status"), "acked"::equals);
        ConsumerRecord<String, byte[]> record = KafkaTopicReader.find("netwarden.edge.message-finished", id, Duration.ofSeconds(30))
                .orElseThrow(() -> new AssertionError("no netwarden.edge.message-finished record keyed " + id));
        JsonNode event = json.readTree(record.value());
        assertEquals("acked", event.get("status").asText());
        assertEquals("test-node", event.get("toNode").asText());
        assertEquals(0, event.get("exitCode").asInt());
        authed().get("/api/v1/edge/messages/" + id).then().statusCode(200).body("status", equalTo("acked"))
                .body("output", equalTo("over jetstream\n"));
        ConsumerRecord<String, byte[]> online = KafkaTopicReader.find("netwarden.edge.node-online", "test-node", Duration.ofSeconds(30))
                .orElseThrow(() -> new AssertionError("no netwarden.edge.node-online record for test-node"));
        assertEquals("test-node", json.readTree(online.value()).get("node").asText());

        // PostgreSQL refuses NUL in text: an output with one is stored with U+FFFD, not retried forever
        String nul = authed().contentType("application/json")
                .body("{\"toNode\":\"test-node\",\"data\":[\"echo\",\"-e\",\"abc\\\\0def\"],\"commandOrEvent\":\"command\","
                        + "\"method\":\"shellCommand\"}")
                .post("/api/v1/edge/messages").then().statusCode(202).extract().path("[0].id");
        Deadline.await("the NUL output acked", Duration.ofSeconds(20), () -> authed().get("/api/v1/edge/messages/" + nul)
                .then().statusCode(200).extract().<String>path("status"), "acked"::equals);
        authed().get("/api/v1/edge/messages/" + nul).then().body("output", equalTo("abc\ufffddef\n"));
    }

    @Inject
    io.netwarden.registry.RegistryService registry;

    @Test
    void aRegisteredServiceIsExportedToKafkaAndAnnouncedOnNats() throws Exception {
        // Given: a device description served on loopback, a raw NATS subscriber to this instance's announcements
        String udn = "uuid:" + UUID.randomUUID();
        String usn = udn + "::RackHD-service:api:2.0";
        byte[] description = ("<?xml version=\"1.0\"?><root xmlns=\"urn:schemas-upnp-org:device-1-0\"><device>"
                + "<deviceType>RackHD-service:api:2.0</deviceType><friendlyName>Real infrastructure box</friendlyName>"
                + "<UDN>" + udn + "</UDN></device></root>").getBytes(StandardCharsets.UTF_8);
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/desc.xml", exchange -> {
            exchange.sendResponseHeaders(200, description.length);
            exchange.getResponseBody().write(description);
            exchange.close();
        });
        server.start();
        java.util.List<JsonNode> announced = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (io.nats.client.Connection nats = io.nats.client.Nats.connect(TestEnv.natsUrl())) {
            nats.createDispatcher(m -> {
                try {
                    announced.add(json.readTree(m.getData()));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).subscribe("registry.events.test-node");
            nats.flush(Duration.ofSeconds(5));
            String location = "http://127.0.0.1:" + server.getAddress().getPort() + "/desc.xml";
            String alive = "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=120\r\nLOCATION: "
                    + location + "\r\nNT: RackHD-service:api:2.0\r\nNTS: ssdp:alive\r\nSERVER: test/1 UPnP/1.0 box/1\r\n"
                    + "USN: " + usn + "\r\n\r\n";

            // When: the advertisement reaches the running registry (as its listener hands it on), then its byebye
            registry.registrations().handle(message(alive)).get(10, TimeUnit.SECONDS);
            registry.registrations().handle(message(alive.replace("ssdp:alive", "ssdp:byebye"))).get(10, TimeUnit.SECONDS);

            // Then: both are on their Kafka topics, keyed by USN, and were announced on NATS
            JsonNode registered = json.readTree(KafkaTopicReader.find("netwarden.registry.service-registered", usn,
                    Duration.ofSeconds(30)).orElseThrow(() -> new AssertionError("no service-registered keyed " + usn)).value());
            assertEquals("RackHD", registered.get("tag").asText());
            assertEquals(location, registered.get("location").asText());
            assertEquals("test-node", registered.get("seenBy").asText());
            JsonNode deregistered = json.readTree(KafkaTopicReader.find("netwarden.registry.service-deregistered", usn,
                    Duration.ofSeconds(30)).orElseThrow(() -> new AssertionError("no service-deregistered keyed " + usn)).value());
            assertEquals("byebye", deregistered.get("reason").asText());
            Deadline.await("both announced on registry.events.test-node", Duration.ofSeconds(10), () -> announced.stream()
                    .filter(a -> a.path("usn").asText().equals(usn)).map(a -> a.path("type").asText()).toList(),
                    types -> types.equals(java.util.List.of("service-registered", "service-deregistered")));
        } finally {
            server.stop(0);
        }
    }

    private static io.netwarden.registry.ssdp.SsdpMessage message(String packet) {
        byte[] data = packet.getBytes(StandardCharsets.ISO_8859_1);
        return assertInstanceOf(io.netwarden.registry.ssdp.SsdpParser.Accepted.class, io.netwarden.registry.ssdp.SsdpParser
                .parse(data, data.length, java.net.InetAddress.getLoopbackAddress())).message();
    }
}
