package io.netwarden.registry.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.netwarden.platform.auth.Secret;
import io.netwarden.platform.consul.ConsulKv;
import io.netwarden.platform.consul.HttpConsulServices;
import io.netwarden.platform.consul.RecordingConsulAgent;
import io.netwarden.platform.persistence.ActiveDatabase;
import io.netwarden.registry.description.DeviceDescriptions;
import io.netwarden.registry.description.FakeDescriptionSource;
import io.netwarden.registry.services.HealthProbes;
import io.netwarden.registry.services.Registrations;
import io.netwarden.registry.ssdp.DropReason;
import io.netwarden.registry.ssdp.SsdpMessage;
import io.netwarden.registry.ssdp.SsdpParser;
import io.netwarden.registry.store.DatabaseServiceStore;
import io.netwarden.registry.whitelist.SearchTerm;
import io.netwarden.registry.whitelist.SearchTerms;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Consul backend against a recording stand-in of the agent's HTTP API: the exact calls (paths, bodies, token),
 * TTL updates, deregistration, foreign services left alone, and a resync after the agent was down and came back empty.
 */
@QuarkusTest
class ConsulMirrorTest {

    private static final String TOKEN = "consul-acl-token-0123";

    @Inject
    ActiveDatabase database;

    private RecordingConsulAgent agent;
    private ConsulMirror mirror;
    private Registrations registrations;
    private final FakeDescriptionSource descriptions = new FakeDescriptionSource();
    private String instance;
    private String urn;
    private String device;

    @BeforeEach
    void start() throws Exception {
        agent = new RecordingConsulAgent(TOKEN);
        String unique = UUID.randomUUID().toString().substring(0, 8);
        instance = "consul-test-" + unique;
        urn = "urn:netwarden-test:device:Consul" + unique + ":1";
        device = "uuid:" + UUID.randomUUID();
        SearchTerms whitelist = new SearchTerms();
        whitelist.put(new SearchTerm(urn, "Boxes"));
        DatabaseServiceStore store = new DatabaseServiceStore(database.dataSource(), 100_000, 1_000);
        registrations = new Registrations(store, whitelist, new DeviceDescriptions(descriptions, (o, t) -> {
        }), instance, Clock.systemUTC(), e -> {
        });
        mirror = new ConsulMirror(store, new HttpConsulServices(agent.url(), Optional.of(Secret.of(TOKEN)),
                Duration.ofSeconds(2)), instance, Duration.ofSeconds(30), Duration.ofMinutes(5));
    }

    @AfterEach
    void stop() {
        agent.close();
    }

    private SsdpMessage packet(String nts, String usnDevice) {
        String text = "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\n"
                + (nts.equals("ssdp:byebye") ? "" : "LOCATION: http://192.0.2.10:8200/desc.xml\r\n")
                + "NT: " + urn + "\r\nNTS: " + nts + "\r\nUSN: " + usnDevice + "::" + urn + "\r\nSERVER: Test/1 UPnP/1.0\r\n\r\n";
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        return ((SsdpParser.Accepted) SsdpParser.parse(bytes, bytes.length, InetAddress.ofLiteral("192.0.2.10"))).message();
    }

    private String id() {
        return instance + ":" + device + "::" + urn;
    }

    @Test
    void eachServiceIsRegisteredWithATtlCheckByTheExactAgentCallsAndTheTokenOnEach() throws Exception {
        // Given
        registrations.handle(packet("ssdp:alive", device)).join();
        agent.registerForeign("web-1", "web");

        // When
        ConsulMirror.Result result = mirror.reconcile();

        // Then
        assertEquals(new ConsulMirror.Result(1, 0, 1), result);
        JsonNode body = agent.calls("PUT", "/v1/agent/service/register").getFirst().json();
        assertEquals(id(), body.get("ID").asText());
        assertEquals("Boxes-device:Consul" + instance.substring("consul-test-".length()) + ":1", body.get("Name").asText());
        assertEquals(List.of("Boxes", "ssdp"), List.of(body.get("Tags").get(0).asText(), body.get("Tags").get(1).asText()));
        assertEquals("192.0.2.10", body.get("Address").asText());
        assertEquals(8200, body.get("Port").asInt());
        assertEquals(device + "::" + urn, body.get("Meta").get("usn").asText());
        assertEquals("http://192.0.2.10:8200/desc.xml", body.get("Meta").get("location").asText());
        assertEquals("Box at 192.0.2.10:8200", body.get("Meta").get("friendlyName").asText());
        assertEquals("service:" + id(), body.get("Check").get("CheckID").asText());
        assertEquals("30s", body.get("Check").get("TTL").asText());
        assertEquals("300s", body.get("Check").get("DeregisterCriticalServiceAfter").asText());
        assertEquals("passing", agent.checks.get("service:" + id()), "the TTL check passed after registering");
        assertEquals(1, agent.calls("PUT", "/v1/agent/check/update/service:" + id()).size());
        assertTrue(agent.calls.stream().allMatch(c -> TOKEN.equals(c.token())), "the token on every call");
        assertTrue(agent.services.containsKey("web-1"), "another tool's service is left alone");

        // When: nothing changed
        agent.calls.clear();
        assertEquals(new ConsulMirror.Result(0, 0, 1), mirror.reconcile());

        // Then: only the TTL is renewed
        assertEquals(List.of("PUT /v1/agent/check/update/service:" + id()), agent.calls.stream()
                .map(c -> c.method() + " " + c.path()).toList());
    }

    @Test
    void aServiceThatGoesIsDeregisteredAndACriticalOneFailsItsCheck() throws Exception {
        // Given
        String second = "uuid:" + UUID.randomUUID();
        registrations.handle(packet("ssdp:alive", device)).join();
        registrations.handle(packet("ssdp:alive", second)).join();
        mirror.reconcile();

        // When: the first says byebye; the device stops answering its probe
        registrations.handle(packet("ssdp:byebye", device)).join();
        descriptions.fail(URI.create("http://192.0.2.10:8200/desc.xml"), DropReason.DESCRIPTION_TIMEOUT);
        new HealthProbes(registrations, descriptions, Optional.empty(), instance, Duration.ofMinutes(5), Clock.systemUTC())
                .probeAll();
        ConsulMirror.Result result = mirror.reconcile();

        // Then
        assertEquals(1, result.deregistered());
        assertEquals(1, agent.calls("PUT", "/v1/agent/service/deregister/" + id()).size(), agent.calls.toString());
        assertTrue(!agent.services.containsKey(id()));
        assertEquals("critical", agent.checks.get("service:" + instance + ":" + second + "::" + urn));
    }

    @Test
    void afterAnOutageTheAgentIsListedAgainAndWhatItLostIsRegisteredAnew() throws Exception {
        // Given: registered, and a leftover of this instance from before its restart
        registrations.handle(packet("ssdp:alive", device)).join();
        agent.registerForeign(instance + ":uuid:gone::" + urn, "Boxes-gone");
        mirror.reconcile();
        assertTrue(!agent.services.containsKey(instance + ":uuid:gone::" + urn), "a leftover of this instance is removed");

        // When: the agent is down, then back without its state
        agent.down(true);
        ConsulKv.ConsulException down = assertThrows(ConsulKv.ConsulException.class, () -> mirror.reconcile());
        assertTrue(down.getMessage().contains("503") && !down.getMessage().contains(TOKEN), down.getMessage());
        agent.down(false);
        agent.restartEmpty();
        agent.calls.clear();
        ConsulMirror.Result result = mirror.reconcile();

        // Then
        assertEquals(1, result.registered());
        assertEquals("GET", agent.calls.getFirst().method(), "it lists the agent first");
        assertTrue(agent.services.containsKey(id()));
        assertEquals("passing", agent.checks.get("service:" + id()));
    }

    @Test
    void aWrongTokenIsReportedWithoutTheToken() {
        HttpConsulServices wrong = new HttpConsulServices(agent.url(), Optional.of(Secret.of("not-the-token")),
                Duration.ofSeconds(2));
        ConsulKv.ConsulException refused = assertThrows(ConsulKv.ConsulException.class, wrong::services);
        assertTrue(refused.getMessage().contains("403") && refused.getMessage().contains("netwarden.consul.token"),
                refused.getMessage());
        assertTrue(!refused.getMessage().contains("not-the-token"));
    }

    @Test
    void theServiceNameIsTheTagAndTheUrnAfterItsSecondColon() {
        assertEquals("RackHD-service:redfish-rest:1.0", ConsulMirror.name("RackHD", "urn:dmtf-org:service:redfish-rest:1.0"));
        assertEquals("Media-device:MediaServer:1", ConsulMirror.name("Media", "urn:schemas-upnp-org:device:MediaServer:1"));
        assertEquals("T-plain", ConsulMirror.name("T", "plain"));
    }
}
