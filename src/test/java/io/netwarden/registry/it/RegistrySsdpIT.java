package io.netwarden.registry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.platform.consul.RecordingConsulAgent;
import io.netwarden.testing.AppProcess;
import io.netwarden.testing.Deadline;
import io.netwarden.testing.TestEnv;
import io.netwarden.testing.TestNetns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The registry role (the packaged jar, on the host, listening on one test veth only) against real advertisers in a
 * network namespace of the test's own: MiniDLNA (Debian's minidlnad) and GSSDP (the GNOME SSDP stack, through its
 * Python bindings).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistrySsdpIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "registry-it-token-0123456789";
    private static final String MEDIA_SERVER = "urn:schemas-upnp-org:device:MediaServer:1";
    private static final String BOX = "urn:netwarden-test:device:Box:1";
    private static final Path GSSDP_ADVERTISER = Path.of("src/test/resources/ssdp/gssdp-advertise.py").toAbsolutePath();

    private TestNetns lan;
    private Path dir;
    private AppProcess registry;
    private io.nats.client.Connection nats;
    private final List<Process> advertisers = new ArrayList<>();

    @BeforeAll
    void network() throws Exception {
        lan = TestNetns.create();
        dir = Files.createTempDirectory("registry-it");
        Files.writeString(dir.resolve("registry.json"), "{\"ssdp\":{\"tags\":{\"Media\":[\"" + MEDIA_SERVER + "\"],"
                + "\"Boxes\":[\"" + BOX + "\"]}}}");
    }

    @AfterEach
    void stopAll() throws Exception {
        for (Process advertiser : advertisers) {
            advertiser.descendants().forEach(ProcessHandle::destroyForcibly);
            advertiser.destroyForcibly();
            advertiser.waitFor(5, TimeUnit.SECONDS);
        }
        advertisers.clear();
        if (nats != null) {
            nats.close();
            nats = null;
        }
        if (registry != null) {
            registry.close();
            registry = null;
        }
    }

    @AfterAll
    void removeNetwork() throws Exception {
        if (lan != null) {
            lan.close();
        }
    }

    private AppProcess startRegistry() throws Exception {
        return startRegistry(Map.of());
    }

    private AppProcess startRegistry(Map<String, String> more) throws Exception {
        Path work = Files.createDirectories(dir.resolve("app-" + UUID.randomUUID()));
        Map<String, String> env = new java.util.HashMap<>(Map.of("NETWARDEN_ROLES", "registry", "NETWARDEN_API_TOKEN", TOKEN,
                "NETWARDEN_REGISTRY_INTERFACES", lan.hostEnd(), "NETWARDEN_REGISTRY_CONFIG_FILE",
                dir.resolve("registry.json").toString(), "NETWARDEN_NODE_NAME", "registry-it"));
        env.putAll(more);
        AppProcess app = AppProcess.start(work, env);
        app.awaitReady(Duration.ofSeconds(60));
        return app;
    }

    /** GSSDP advertising {@code target} from inside the namespace, its description served at a LOCATION on its own address. */
    private Process gssdp(String target, String usn, int maxAge) throws Exception {
        return gssdp(target, usn, maxAge, "http://" + lan.nsAddress() + ":8201/desc.xml");
    }

    private Process gssdp(String target, String usn, int maxAge, String location) throws Exception {
        Process advertiser = lan.inside(List.of("/usr/bin/python3", GSSDP_ADVERTISER.toString(), lan.nsEnd(), target, usn,
                location, Integer.toString(maxAge)))
                .redirectErrorStream(true).redirectOutput(dir.resolve("gssdp-" + UUID.randomUUID() + ".log").toFile()).start();
        advertisers.add(advertiser);
        return advertiser;
    }

    private JsonNode services(String query) throws Exception {
        var response = registry.get("/api/v1/registry/services" + query, TOKEN);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private JsonNode awaitService(String urn) {
        return Deadline.await("a service of " + urn + " listed", Duration.ofSeconds(20), () -> services("?urn=" + urn),
                list -> list.size() == 1);
    }

    @Test
    void miniDlnaIsRegisteredAsAMediaServerAndItsByebyeRemovesIt() throws Exception {
        // Given: the registry on NATS, and a raw NATS subscriber to its announcements
        nats = io.nats.client.Nats.connect(TestEnv.natsUrl());
        List<JsonNode> announced = new java.util.concurrent.CopyOnWriteArrayList<>();
        nats.createDispatcher(m -> {
            try {
                announced.add(JSON.readTree(m.getData()));
            } catch (java.io.IOException e) {
                announced.add(JSON.createObjectNode().put("unreadable", new String(m.getData())));
            }
        }).subscribe("registry.events.registry-it");
        nats.flush(Duration.ofSeconds(5));
        registry = startRegistry(Map.of("NETWARDEN_NATS_URL", TestEnv.natsUrl()));
        Path media = Files.createDirectories(dir.resolve("media-" + UUID.randomUUID()));
        Files.createDirectories(media.resolve("db"));
        Files.writeString(media.resolve("minidlna.conf"), "media_dir=" + media + "\ndb_dir=" + media.resolve("db") + "\n"
                + "log_dir=" + media + "\nport=8200\nnetwork_interface=" + lan.nsEnd() + "\nfriendly_name=Netwarden test\n"
                + "notify_interval=30\ninotify=no\n");

        // When
        Process minidlna = lan.inside(List.of("/usr/sbin/minidlnad", "-f", media.resolve("minidlna.conf").toString(), "-d",
                "-P", media.resolve("minidlna.pid").toString())).redirectErrorStream(true)
                .redirectOutput(media.resolve("minidlna.out").toFile()).start();
        advertisers.add(minidlna);

        // Then
        JsonNode service = awaitService(MEDIA_SERVER).get(0);
        assertEquals("Media", service.get("tag").asText());
        assertEquals(lan.nsAddress(), service.get("address").asText());
        assertEquals(8200, service.get("port").asInt());
        assertTrue(service.get("location").asText().startsWith("http://" + lan.nsAddress() + ":8200/"), service.toString());
        assertTrue(service.get("server").asText().contains("MiniDLNA"), service.toString());
        assertEquals("registry-it", service.get("seenBy").get(0).asText());
        assertTrue(service.get("usn").asText().endsWith("::" + MEDIA_SERVER), service.toString());
        JsonNode device = service.get("device");
        assertEquals("Netwarden test", device.get("friendlyName").asText(), service.toString());
        assertEquals(service.get("usn").asText().substring(0, service.get("usn").asText().indexOf("::")),
                device.get("UDN").asText(), "the description's device is the advertised one");
        List<String> types = new ArrayList<>();
        device.get("services").forEach(s -> types.add(s.get("serviceType").asText()));
        assertTrue(types.contains("urn:schemas-upnp-org:service:ContentDirectory:1"), types.toString());

        // When: SIGTERM, and MiniDLNA says byebye
        minidlna.destroy();
        minidlna.waitFor(10, TimeUnit.SECONDS);

        // Then
        Deadline.await("the MediaServer gone after its byebye", Duration.ofSeconds(10), () -> services("?urn=" + MEDIA_SERVER),
                list -> list.isEmpty());
        String metrics = registry.get("/q/metrics", null).body();
        assertTrue(metrics.contains("netwarden_registry_packets_total{outcome=\"accepted\""), "counted");
        // and both changes were announced on registry.events.<instance>
        String usn = service.get("usn").asText();
        Deadline.await("registered and deregistered announced on NATS", Duration.ofSeconds(10), () -> List.copyOf(announced),
                list -> list.stream().anyMatch(a -> a.path("type").asText().equals("service-deregistered")
                        && a.path("usn").asText().equals(usn)));
        JsonNode registered = announced.stream().filter(a -> a.path("usn").asText().equals(usn)).findFirst().orElseThrow();
        assertEquals("service-registered", registered.path("type").asText(), announced.toString());
        assertEquals("registry-it", registered.path("instance").asText());
        assertEquals("Media", registered.path("tag").asText());
        assertEquals(service.get("location").asText(), registered.path("location").asText());
        assertEquals("byebye", announced.stream().filter(a -> a.path("type").asText().equals("service-deregistered")
                && a.path("usn").asText().equals(usn)).findFirst().orElseThrow().path("reason").asText());
    }

    @Test
    void aDeviceThatGoesSilentExpiresAfterItsMaxAge() throws Exception {
        registry = startRegistry();
        String usn = "uuid:" + UUID.randomUUID() + "::" + BOX;
        Process box = gssdp(BOX, usn, 2);
        assertEquals(usn, awaitService(BOX).get(0).get("usn").asText());
        assertEquals("Boxes", services("?urn=" + BOX).get(0).get("tag").asText());
        assertEquals("GSSDP test box", services("?urn=" + BOX).get(0).get("device").get("friendlyName").asText());

        box.destroyForcibly(); // kill -9: no byebye
        box.waitFor(5, TimeUnit.SECONDS);

        long silent = System.nanoTime();
        Deadline.await("the silent device expired", Duration.ofSeconds(10), () -> services("?urn=" + BOX), JsonNode::isEmpty);
        assertTrue(System.nanoTime() - silent >= Duration.ofMillis(500).toNanos(), "not before its max-age could lapse");
    }

    @Test
    void aRegistryStartedAfterTheAdvertiserFindsItBySearching() throws Exception {
        String usn = "uuid:" + UUID.randomUUID() + "::" + BOX;
        gssdp(BOX, usn, 1800);
        Thread.sleep(3000); // the advertiser's announcements at its start are over; only a search can find it now

        registry = startRegistry();

        assertEquals(usn, awaitService(BOX).get(0).get("usn").asText());
    }

    @Test
    void devicesWhoseDescriptionServersMisbehaveAreCountedAndNotRegistered() throws Exception {
        // Given
        registry = startRegistry();

        // When: three devices, each description server hostile in its own way
        gssdp(BOX, "uuid:" + UUID.randomUUID() + "::" + BOX, 1800, "http://" + lan.nsAddress() + ":8202/redirect.xml");
        gssdp(BOX, "uuid:" + UUID.randomUUID() + "::" + BOX, 1800, "http://" + lan.nsAddress() + ":8203/bomb.xml");
        gssdp(BOX, "uuid:" + UUID.randomUUID() + "::" + BOX, 1800, "http://" + lan.nsAddress() + ":8204/endless.xml");

        // Then
        for (String reason : List.of("description_redirect", "description_invalid", "description_timeout")) {
            Deadline.await("an advertisement dropped for " + reason, Duration.ofSeconds(20), () -> registry.get("/q/metrics",
                    null).body(), metrics -> metrics.lines().anyMatch(l -> l.startsWith("netwarden_registry_packets_total{")
                            && l.contains("reason=\"" + reason + "\"") && !l.endsWith(" 0.0")));
        }
        assertEquals(0, services("?urn=" + BOX).size(), "nothing registered");
        String metrics = registry.get("/q/metrics", null).body();
        assertTrue(metrics.contains("netwarden_registry_description_fetch_seconds_count{outcome=\"description_timeout\"}"),
                "fetch latency by outcome");
        assertTrue(registry.get("/q/health/live", null).statusCode() == 200, "the registry is still alive");
    }

    @Test
    void aUrnWhitelistedAtRunTimeIsSearchedForAndRegisteredAndItsRemovalDeregistersIt() throws Exception {
        // Given: a device of a URN the registry does not whitelist yet
        String late = "urn:netwarden-test:device:Late:1";
        String usn = "uuid:" + UUID.randomUUID() + "::" + late;
        registry = startRegistry();
        gssdp(late, usn, 1800);
        Deadline.await("its announcements dropped as not whitelisted", Duration.ofSeconds(20), () -> registry.get("/q/metrics",
                null).body(), metrics -> metrics.lines().anyMatch(l -> l.startsWith("netwarden_registry_packets_total{")
                        && l.contains("reason=\"not_whitelisted\"") && !l.endsWith(" 0.0")));
        assertEquals(0, services("?urn=" + late).size());

        // When: whitelisted through the API (the device is quiet now: only the search the change sends finds it)
        var put = registry.put("/api/v1/registry/search-terms", TOKEN, "{\"urn\":\"" + late + "\",\"tag\":\"Late\"}");
        assertEquals(200, put.statusCode(), put.body());

        // Then
        JsonNode service = awaitService(late).get(0);
        assertEquals(usn, service.get("usn").asText());
        assertEquals("Late", service.get("tag").asText());

        // When: taken off again
        assertEquals(204, registry.delete("/api/v1/registry/search-terms/" + late, TOKEN).statusCode());

        // Then
        assertEquals(0, services("?urn=" + late).size(), "deregistered at once");
    }

    /** SIGSTOP or SIGCONT to the advertiser and what it started: frozen, it neither announces nor serves. */
    private static void signal(Process process, String signal) throws Exception {
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal, Long.toString(process.pid())));
        process.descendants().forEach(p -> command.add(Long.toString(p.pid())));
        assertEquals(0, new ProcessBuilder(command).start().waitFor());
    }

    @Test
    void aDeviceThatStopsAnsweringTurnsCriticalRecoversAndIsDeregisteredWhenCriticalTooLong() throws Exception {
        // Given: probes every second, critical services deregistered after 6 s
        registry = startRegistry(Map.of("NETWARDEN_REGISTRY_HEALTH_INTERVAL", "1s",
                "NETWARDEN_REGISTRY_DEREGISTER_CRITICAL_AFTER", "6s"));
        String usn = "uuid:" + UUID.randomUUID() + "::" + BOX;
        Process box = gssdp(BOX, usn, 1800);
        assertEquals("passing", awaitService(BOX).get(0).get("status").asText());

        // When: frozen (its description server stops answering; its registration has not lapsed)
        signal(box, "STOP");

        // Then
        Deadline.await("critical", Duration.ofSeconds(15), () -> services("?urn=" + BOX + "&status=critical"),
                list -> list.size() == 1);

        // When: it answers again
        signal(box, "CONT");

        // Then
        Deadline.await("passing again", Duration.ofSeconds(15), () -> services("?urn=" + BOX + "&status=passing"),
                list -> list.size() == 1);
        Deadline.await("counted by tag and status", Duration.ofSeconds(15), () -> registry.get("/q/metrics", null).body(),
                metrics -> metrics.contains("netwarden_registry_services{status=\"passing\",tag=\"Boxes\"} 1.0"));

        // When: frozen for good
        signal(box, "STOP");

        // Then
        Deadline.await("deregistered after being critical too long", Duration.ofSeconds(30), () -> services("?urn=" + BOX),
                JsonNode::isEmpty);
        signal(box, "CONT");
    }

    @Test
    void withTheConsulBackendARealDeviceIsRegisteredWithTheAgentAndItsByebyeDeregistersIt() throws Exception {
        try (RecordingConsulAgent agent = new RecordingConsulAgent("it-consul-token-42")) {
            // Given
            registry = startRegistry(Map.of("NETWARDEN_REGISTRY_BACKEND", "consul", "NETWARDEN_CONSUL_URL",
                    agent.url().toString(), "NETWARDEN_CONSUL_TOKEN", "it-consul-token-42",
                    "NETWARDEN_REGISTRY_CONSUL_SYNC_INTERVAL", "2s"));
            String usn = "uuid:" + UUID.randomUUID() + "::" + BOX;

            // When
            Process box = gssdp(BOX, usn, 1800);

            // Then
            JsonNode service = Deadline.await("registered with Consul", Duration.ofSeconds(20),
                    () -> Optional.ofNullable(agent.services.get("registry-it:" + usn)), Optional::isPresent).get();
            assertEquals("Boxes-device:Box:1", service.get("Name").asText());
            assertEquals(lan.nsAddress(), service.get("Address").asText());
            assertEquals("GSSDP test box", service.get("Meta").get("friendlyName").asText());
            Deadline.await("its TTL check passing", Duration.ofSeconds(10), () -> agent.checks.get("service:registry-it:"
                    + usn), "passing"::equals);

            // When: SIGTERM, GSSDP says byebye
            box.destroy();
            box.waitFor(10, TimeUnit.SECONDS);

            // Then
            Deadline.await("deregistered from Consul", Duration.ofSeconds(15), () -> agent.services.containsKey(
                    "registry-it:" + usn), present -> !present);
            assertTrue(!registry.output().contains("it-consul-token-42"), "the token never in the log");
        }
    }
}
