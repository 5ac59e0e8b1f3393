package io.netwarden.registry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.testing.AppProcess;
import io.netwarden.testing.Deadline;
import io.netwarden.testing.TestEnv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The seed's "many instances, aggregated": two registry instances (the packaged jar, two processes) on one PostgreSQL,
 * each listening in its own subnet, and a device in a third subnet whose multicast a router forwards into both (smcroute
 * in a namespace of the test's own, as a multicast router between LANs does).
 *
 * <pre>
 *   namespace D: GSSDP device 10.214.N.1 ── r0 ┐
 *                                             namespace R (smcrouted: 239.255.255.250 r0 → ra, rb; ra, rb → r0)
 *   host: registry lan-a on &lt;id&gt;a 10.214.N+1.1 ── ra ┤
 *   host: registry lan-b on &lt;id&gt;b 10.214.N+2.1 ── rb ┘
 * </pre>
 *
 * Everything it creates is named {@code nwts-<id>…} / {@code nwts<id>…} and removed at the end, and before the start
 * when a killed run left it. Needs root and smcroute.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryTwoSubnetsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "registry-two-subnets-token-0123";
    private static final Path GSSDP_ADVERTISER = Path.of("src/test/resources/ssdp/gssdp-advertise.py").toAbsolutePath();

    private final String id = HexFormat.of().formatHex(new byte[] {(byte) ThreadLocalRandom.current().nextInt(),
        (byte) ThreadLocalRandom.current().nextInt()});
    private final int n = 3 * (1 + ThreadLocalRandom.current().nextInt(80));
    private final String device = "nwts-" + id + "-d";
    private final String router = "nwts-" + id + "-r";
    private final String hostA = "nwts" + id + "a";
    private final String hostB = "nwts" + id + "b";
    private final String urn = "urn:netwarden-test:device:Routed" + id + ":1";
    private Path dir;
    private Process smcroute;

    @BeforeAll
    void network() throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("network namespace tests need root (CI runs them as root)");
        }
        removeLeftovers();
        dir = Files.createTempDirectory("registry-two-subnets");
        try {
            ip("netns", "add", device);
            ip("netns", "add", router);
            ip("link", "add", "nwts" + id + "d", "type", "veth", "peer", "name", "nwts" + id + "r");
            ip("link", "set", "nwts" + id + "d", "netns", device);
            ip("-n", device, "link", "set", "nwts" + id + "d", "name", "d0");
            ip("link", "set", "nwts" + id + "r", "netns", router);
            ip("-n", router, "link", "set", "nwts" + id + "r", "name", "r0");
            for (String[] leg : List.of(new String[] {hostA, "ra", Integer.toString(n + 1)},
                    new String[] {hostB, "rb", Integer.toString(n + 2)})) {
                ip("link", "add", leg[0], "type", "veth", "peer", "name", leg[0] + "p");
                ip("link", "set", leg[0] + "p", "netns", router);
                ip("-n", router, "link", "set", leg[0] + "p", "name", leg[1]);
                ip("addr", "add", "10.214." + leg[2] + ".1/24", "dev", leg[0]);
                ip("link", "set", leg[0], "up");
                ip("-n", router, "addr", "add", "10.214." + leg[2] + ".254/24", "dev", leg[1]);
                ip("-n", router, "link", "set", leg[1], "up");
            }
            ip("-n", device, "addr", "add", deviceAddress() + "/24", "dev", "d0");
            ip("-n", device, "link", "set", "d0", "up");
            ip("-n", device, "link", "set", "lo", "up");
            ip("-n", device, "route", "add", "default", "via", "10.214." + n + ".254");
            ip("-n", router, "addr", "add", "10.214." + n + ".254/24", "dev", "r0");
            ip("-n", router, "link", "set", "r0", "up");
            ip("-n", router, "link", "set", "lo", "up");
            ip("route", "add", "10.214." + n + ".0/24", "via", "10.214." + (n + 1) + ".254");
            run(List.of("ip", "netns", "exec", router, "sysctl", "-qw", "net.ipv4.ip_forward=1"), true);
            Path conf = dir.resolve("smcroute.conf");
            Files.writeString(conf, "phyint r0 enable\nphyint ra enable\nphyint rb enable\n"
                    + "mroute from r0 group 239.255.255.250 to ra rb\n"
                    + "mroute from ra group 239.255.255.250 to r0\nmroute from rb group 239.255.255.250 to r0\n");
            smcroute = new ProcessBuilder("ip", "netns", "exec", router, "smcrouted", "-n", "-N", "-f", conf.toString(),
                    "-u", dir.resolve("smcroute.sock").toString(), "-P", dir.resolve("smcroute.pid").toString(),
                    "-l", "info").redirectErrorStream(true).redirectOutput(dir.resolve("smcroute.log").toFile()).start();
            Files.writeString(dir.resolve("registry.json"), "{\"ssdp\":{\"tags\":{\"Routed\":[\"" + urn + "\"]}}}");
        } catch (IOException | RuntimeException e) {
            removeNetwork();
            throw e;
        }
    }

    @AfterAll
    void removeNetwork() throws Exception {
        if (smcroute != null) {
            smcroute.destroyForcibly();
            smcroute.waitFor(5, TimeUnit.SECONDS);
        }
        run(List.of("ip", "netns", "del", device), false);
        run(List.of("ip", "netns", "del", router), false);
        run(List.of("ip", "link", "del", hostA), false); // gone with the router's ends already, unless never moved
        run(List.of("ip", "link", "del", hostB), false);
        run(List.of("ip", "route", "del", "10.214." + n + ".0/24"), false);
    }

    /** Namespaces and links of killed runs of this test. */
    private static void removeLeftovers() throws IOException, InterruptedException {
        for (String line : run(List.of("ip", "netns", "list"), false).split("\n")) {
            String ns = line.strip().split(" ")[0];
            if (ns.startsWith("nwts-")) {
                run(List.of("ip", "netns", "del", ns), false);
            }
        }
        for (String line : run(List.of("ip", "-o", "link", "show"), false).split("\n")) {
            String[] parts = line.split(":\\s+");
            if (parts.length > 1 && parts[1].split("@")[0].matches("nwts[0-9a-f]{4}[ab]")) {
                run(List.of("ip", "link", "del", parts[1].split("@")[0]), false);
            }
        }
    }

    private String deviceAddress() {
        return "10.214." + n + ".1";
    }

    private AppProcess startRegistry(String instance, String iface) throws Exception {
        Path work = Files.createDirectories(dir.resolve(instance + "-" + UUID.randomUUID()));
        AppProcess app = AppProcess.start(work, Map.of("NETWARDEN_ROLES", "registry", "NETWARDEN_API_TOKEN", TOKEN,
                "NETWARDEN_NODE_NAME", instance + "-" + id, "NETWARDEN_REGISTRY_INTERFACES", iface,
                "NETWARDEN_REGISTRY_CONFIG_FILE", dir.resolve("registry.json").toString(),
                "QUARKUS_DATASOURCE_JDBC_URL", TestEnv.pgUrl(), "QUARKUS_DATASOURCE_USERNAME", TestEnv.pgUser(),
                "QUARKUS_DATASOURCE_PASSWORD", TestEnv.pgPassword()));
        app.awaitReady(Duration.ofSeconds(60));
        return app;
    }

    private JsonNode services(AppProcess registry) throws Exception {
        var response = registry.get("/api/v1/registry/services?urn=" + urn, TOKEN);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    /** The list without the times a renewal moves on between two reads. */
    private static JsonNode withoutTimes(JsonNode list) {
        JsonNode copy = list.deepCopy();
        copy.forEach(s -> ((com.fasterxml.jackson.databind.node.ObjectNode) s).remove(List.of("lastSeen", "expiresAt")));
        return copy;
    }

    private static TreeSet<String> seenBy(JsonNode list) {
        TreeSet<String> seen = new TreeSet<>();
        list.forEach(s -> s.get("seenBy").forEach(i -> seen.add(i.asText())));
        return seen;
    }

    @Test
    void aDeviceSeenFromTwoSubnetsIsOneServiceWithTwoSightingsAndStaysWhileEitherSeesIt() throws Exception {
        String usn = "uuid:" + UUID.randomUUID() + "::" + urn;
        String location = "http://" + deviceAddress() + ":8201/desc.xml";
        try (AppProcess a = startRegistry("lan-a", hostA); AppProcess b = startRegistry("lan-b", hostB)) {
            // When: the device announces itself in its own subnet
            Process advertiser = new ProcessBuilder("ip", "netns", "exec", device, "/usr/bin/python3",
                    GSSDP_ADVERTISER.toString(), "d0", urn, usn, location, "1800").redirectErrorStream(true)
                    .redirectOutput(dir.resolve("gssdp.log").toFile()).start();
            try {
                // Then: one service, seen by both instances, the same for either API
                JsonNode listed = Deadline.await("the device seen by both instances", Duration.ofSeconds(30),
                        () -> services(a), list -> list.size() == 1 && list.get(0).get("seenBy").size() == 2);
                assertEquals(new TreeSet<>(List.of("lan-a-" + id, "lan-b-" + id)), seenBy(listed), listed.toString());
                JsonNode service = listed.get(0);
                assertEquals(usn, service.get("usn").asText());
                assertEquals("Routed", service.get("tag").asText());
                assertEquals(deviceAddress(), service.get("address").asText());
                assertEquals(location, service.get("location").asText());
                assertEquals("GSSDP test box", service.path("device").path("friendlyName").asText(), service.toString());
                assertEquals(withoutTimes(listed), withoutTimes(services(b)), "both instances list the same");

                // When: instance A stops (and with it its listening); Then: the service stays, B still sees it
                a.stop();
                JsonNode afterStop = services(b);
                assertEquals(1, afterStop.size(), afterStop.toString());
                assertTrue(seenBy(afterStop).contains("lan-b-" + id), afterStop.toString());

                // When: the device says byebye (SIGTERM); Then: B withdraws its sighting, A's lapses only with its
                // max-age: the service stays listed, seen by A alone, until then
                advertiser.destroy();
                assertTrue(advertiser.waitFor(10, TimeUnit.SECONDS));
                JsonNode afterByebye = Deadline.await("B's sighting withdrawn", Duration.ofSeconds(15), () -> services(b),
                        list -> list.isEmpty() || !seenBy(list).contains("lan-b-" + id));
                assertEquals(new TreeSet<>(List.of("lan-a-" + id)), seenBy(afterByebye), afterByebye.toString());
            } finally {
                advertiser.descendants().forEach(ProcessHandle::destroyForcibly);
                advertiser.destroyForcibly();
            }
        }
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        run(command, true);
    }

    private static String run(List<String> command, boolean check) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.SECONDS) || check && process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output.strip());
        }
        return output;
    }
}
