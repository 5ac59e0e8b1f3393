package io.netwarden.netmanager.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.testing.AppProcess;
import io.netwarden.testing.Deadline;
import io.netwarden.testing.InstancePrograms;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The netmanager as it is deployed: three "hosts" (network namespaces) on one underlay bridge, Mosquitto and a
 * cluster-mode process on host C, a node-mode process on hosts A and B — each the packaged jar started inside its host's
 * namespace, configured by environment variables only, the tunnel encrypted.
 *
 * <pre>
 *   test (root namespace) 10.213.N.254 ── bridge nwth&lt;id&gt;u ─┬─ host A 10.213.N.1: node "a" (API :port)
 *                                                           ├─ host B 10.213.N.2: node "b"
 *                                                           └─ host C 10.213.N.3: mosquitto :1883, cluster
 * </pre>
 *
 * Everything it creates is named {@code nwth<id>…} and removed at the end, and before the start when a killed run left
 * it. Needs root.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NetmanagerHostsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "netmanager-hosts-token-0123456789";

    private final String id = HexFormat.of().formatHex(new byte[] {(byte) ThreadLocalRandom.current().nextInt(),
        (byte) ThreadLocalRandom.current().nextInt()});
    private final int n = 1 + ThreadLocalRandom.current().nextInt(250);
    private final String prefix = "nwth" + id;
    private final String bridge = prefix + "u";
    private final List<Process> processes = new ArrayList<>();
    private final List<AppProcess> apps = new ArrayList<>();
    private Path dir;
    private AppProcess cluster;
    private AppProcess nodeA;
    private AppProcess nodeB;

    private String host(char h) {
        return prefix + h;
    }

    private String address(char h) {
        return "10.213." + n + "." + (h - 'a' + 1);
    }

    @BeforeAll
    void hosts() throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("network namespace tests need root (CI runs them as root)");
        }
        removeLeftovers();
        dir = Files.createTempDirectory("netmanager-hosts");
        try {
            ip("link", "add", bridge, "type", "bridge");
            ip("addr", "add", "10.213." + n + ".254/24", "dev", bridge);
            ip("link", "set", bridge, "up");
            for (char h : new char[] {'a', 'b', 'c'}) {
                ip("netns", "add", host(h));
                ip("-n", host(h), "link", "set", "lo", "up");
                ip("link", "add", host(h), "type", "veth", "peer", "name", host(h) + "p");
                ip("link", "set", host(h) + "p", "netns", host(h));
                ip("-n", host(h), "link", "set", host(h) + "p", "name", "u0");
                ip("-n", host(h), "addr", "add", address(h) + "/24", "dev", "u0");
                ip("-n", host(h), "link", "set", "u0", "up");
                ip("link", "set", host(h), "master", bridge);
                ip("link", "set", host(h), "up");
            }
            Files.writeString(dir.resolve("mosquitto.conf"), "listener 1883 " + address('c') + "\nallow_anonymous true\n");
            processes.add(new ProcessBuilder("ip", "netns", "exec", host('c'), "mosquitto", "-c",
                    dir.resolve("mosquitto.conf").toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("mosquitto.log").toFile()).start());
            cluster = start('c', Map.of("NETWARDEN_NETMANAGER_MODE", "cluster"));
            nodeA = start('a', Map.of());
            nodeB = start('b', Map.of());
            for (AppProcess app : apps) {
                app.awaitReady(Duration.ofSeconds(90));
            }
        } catch (Exception | AssertionError e) {
            tearDown();
            throw e;
        }
    }

    private AppProcess start(char h, Map<String, String> extra) throws IOException {
        Path work = Files.createDirectories(dir.resolve("host-" + h));
        Map<String, String> env = new java.util.HashMap<>(Map.of("NETWARDEN_ROLES", "netmanager", "NETWARDEN_API_TOKEN", TOKEN,
                "NETWARDEN_NODE_NAME", prefix + "-" + h, "NETWARDEN_NETMANAGER_MQTT_URL", "tcp://" + address('c') + ":1883",
                "NETWARDEN_NETMANAGER_PUBLIC_ADDRESS", address(h), "NETWARDEN_NETMANAGER_NAME_PREFIX", "nw" + h,
                "NETWARDEN_NETMANAGER_TUNNEL_ENCRYPTION", "aead"));
        env.putAll(extra);
        AppProcess app = AppProcess.startInNetns(host(h), address(h), work, env);
        apps.add(app);
        return app;
    }

    @AfterAll
    void tearDown() throws Exception {
        for (AppProcess app : apps) {
            app.close();
        }
        processes.forEach(Process::destroyForcibly);
        removeLeftovers();
    }

    private void removeLeftovers() throws IOException, InterruptedException {
        for (String netns : run(List.of("ip", "netns", "list")).lines().map(l -> l.split(" ")[0])
                .filter(name -> name.startsWith("nwth")).toList()) {
            run(List.of("ip", "netns", "del", netns));
        }
        for (String link : run(List.of("ip", "-o", "link", "show")).lines().map(l -> l.split(": ")[1].split("@")[0])
                .filter(name -> name.startsWith("nwth")).toList()) {
            run(List.of("ip", "link", "del", link));
        }
    }

    private JsonNode json(AppProcess app, String path) throws Exception {
        HttpResponse<String> response = app.get(path, TOKEN);
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return JSON.readTree(response.body());
    }

    private JsonNode post(AppProcess app, String path, String body, int status) throws Exception {
        HttpResponse<String> response = app.post(path, TOKEN, body);
        assertEquals(status, response.statusCode(), path + " " + body + ": " + response.body() + "\n" + app.output());
        return JSON.readTree(response.body());
    }

    @Test
    void instancesOnTwoHostsTalkThroughTheEncryptedTunnelAndEverythingGoesAtTheStop() throws Exception {
        JsonNode a = json(nodeA, "/api/v1/netmanager/node");
        JsonNode b = json(nodeB, "/api/v1/netmanager/node");
        String subnetA = a.at("/registration/subnet").asText();
        String subnetB = b.at("/registration/subnet").asText();
        assertTrue(subnetA.startsWith("10.") && subnetA.endsWith("/24"), a.toString());
        assertFalse(subnetA.equals(subnetB), "each node its own /24: " + subnetA + ", " + subnetB);
        assertEquals("aes-gcm", a.at("/tunnel/encryption").asText(), a.toString());
        JsonNode subnets = json(cluster, "/api/v1/netmanager/subnets");
        assertTrue(subnets.toString().contains("{\"node\":\"" + prefix + "-a\",\"subnet\":\"" + subnetA + "\""),
                subnets.toString());

        String server = "srv" + id + ".ns.echo.default";
        JsonNode deployed = post(nodeB, "/api/v1/netmanager/container/deploy", "{\"serviceName\":\"" + server
                + "\",\"instanceNumber\":0,\"netns\":\"" + prefix + "s0\"}", 200);
        assertEquals(server, deployed.get("serviceName").asText());
        processes.add(InstancePrograms.echoServers(prefix + "s0", "echo"));
        post(nodeA, "/api/v1/netmanager/container/deploy", "{\"serviceName\":\"cli" + id
                + ".ns.client.default\",\"instanceNumber\":0,\"netns\":\"" + prefix + "c0\"}", 200);
        String serviceIp = Deadline.await("the cluster's table lists the server", Duration.ofSeconds(20), () -> {
            for (JsonNode row : json(cluster, "/api/v1/netmanager/table")) {
                if (row.get("serviceName").asText().equals(server)) {
                    for (JsonNode ip : row.get("serviceIps")) {
                        if (ip.get("type").asText().equals("round_robin")) {
                            return ip.get("address").asText();
                        }
                    }
                }
            }
            return null;
        }, ip -> ip != null);

        String gateway = a.at("/registration/gateway").asText();
        assertEquals("0 1 " + serviceIp, InstancePrograms.dns(prefix + "c0", "", gateway, "echo.default.srv" + id
                + ".ns.local", 1), "the .local name at node a's gateway");
        String message = "across-hosts-" + id + "-" + "y".repeat(5000);
        String echoed = Deadline.await("an answer through the tunnel", Duration.ofSeconds(30),
                () -> InstancePrograms.tcp(prefix + "c0", serviceIp, message), out -> !out.isEmpty());
        assertEquals("echo:" + message, echoed, "byte-exact both ways");
        JsonNode tunnelA = json(nodeA, "/api/v1/netmanager/node").get("tunnel");
        assertEquals(1, tunnelA.get("keyedPeers").asInt(), tunnelA.toString());

        HttpResponse<String> held = cluster.delete("/api/v1/netmanager/subnets/" + prefix + "-a", TOKEN);
        assertEquals(409, held.statusCode(), held.body());
        assertTrue(held.body().contains("node_has_instances"), held.body());

        // undeploy on b: its namespace and link go, and node a's table forgets the instance
        post(nodeB, "/api/v1/netmanager/container/undeploy", "{\"serviceName\":\"" + server + "\",\"instanceNumber\":0}",
                200);
        assertFalse(sh("ip", "netns", "list").contains(prefix + "s0"), "the namespace node b made is gone");
        assertFalse(sh("ip", "-n", host('b'), "link").contains("nwbv"), "no instance link left on host b");
        Deadline.await("node a forgets the instance", Duration.ofSeconds(20), () -> json(nodeA, "/api/v1/netmanager/table")
                .toString(), table -> !table.contains(server));

        // a clean stop (SIGTERM: the JVM's 143) of each node takes down all it made on its host
        for (AppProcess node : List.of(nodeA, nodeB)) {
            int code = node.stop();
            assertTrue(code == 0 || code == 143, "exit " + code + ":\n" + node.output());
        }
        assertTrue(nodeA.output().contains("bridge nwabr0 removed"), nodeA.output());
        for (char h : new char[] {'a', 'b'}) {
            String links = sh("ip", "-n", host(h), "-o", "link");
            assertFalse(links.contains("nw" + h + "br0") || links.contains("nw" + h + "tun0"), "host " + h + ": " + links);
        }
        assertFalse(sh("ip", "netns", "list").contains(prefix + "c0"), "the client's namespace is gone too");
        // node a is gone for good: the operator gives its subnet up (its instances left the table at its clean stop)
        HttpResponse<String> released = Deadline.await("node a's subnet released", Duration.ofSeconds(10),
                () -> cluster.delete("/api/v1/netmanager/subnets/" + prefix + "-a", TOKEN), r -> r.statusCode() != 409);
        assertEquals(204, released.statusCode(), released.body());
        assertFalse(json(cluster, "/api/v1/netmanager/subnets").toString().contains(prefix + "-a\""));
        assertEquals(404, cluster.delete("/api/v1/netmanager/subnets/" + prefix + "-a", TOKEN).statusCode());
        assertEquals(400, cluster.delete("/api/v1/netmanager/subnets/a%20b", TOKEN).statusCode());
        int code = cluster.stop();
        assertTrue(code == 0 || code == 143, "exit " + code);
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("ip");
        command.addAll(List.of(args));
        String out = run(command);
        if (out.startsWith("!")) {
            throw new IOException(String.join(" ", command) + ": " + out.substring(1));
        }
    }

    private static String sh(String... command) throws IOException, InterruptedException {
        String out = run(List.of(command));
        if (out.startsWith("!")) {
            throw new IOException(String.join(" ", command) + ": " + out.substring(1));
        }
        return out;
    }

    /** Output, or "!" and the output when it failed. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return "!timed out";
        }
        return process.exitValue() == 0 ? out : "!" + out;
    }
}
