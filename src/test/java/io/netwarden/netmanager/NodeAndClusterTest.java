package io.netwarden.netmanager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.netmanager.cluster.ServiceTable;
import io.netwarden.netmanager.cluster.SubnetRequests;
import io.netwarden.netmanager.cluster.TableRequests;
import io.netwarden.netmanager.ipam.Ipv4Net;
import io.netwarden.netmanager.ipam.NodeSubnets;
import io.netwarden.netmanager.linux.IpCommands;
import io.netwarden.netmanager.node.Environment;
import io.netwarden.netmanager.node.NodeNetwork;
import io.netwarden.netmanager.table.TableClient;
import io.netwarden.netmanager.table.TranslationTable;
import io.netwarden.netmanager.tunnel.ProxyTunnel;
import io.netwarden.platform.messaging.mqtt.MqttLink;
import io.netwarden.platform.messaging.mqtt.MqttSettings;
import io.netwarden.platform.persistence.ActiveDatabase;
import io.netwarden.testing.Deadline;
import io.netwarden.testing.InstancePrograms;
import io.netwarden.testing.TestEnv;
import io.netwarden.testing.TestNetns;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two netmanager nodes (each on a test namespace as its host) and a cluster, linked by the test environment's Mosquitto:
 * subnets from the cluster, instances reported, tables learned by query and kept current by the cluster's updates.
 */
@QuarkusTest
class NodeAndClusterTest {

    @Inject
    ActiveDatabase database;

    @Inject
    Vertx vertx;

    private final String id = HexFormat.of().formatHex(new byte[] {(byte) ThreadLocalRandom.current().nextInt(),
        (byte) ThreadLocalRandom.current().nextInt()});
    private final String service = "app" + id + ".ns.web.default";
    private MqttLink cluster;
    private NodeSubnets subnets;
    private TestNetns hostA;
    private TestNetns hostB;
    private NodeNetwork nodeA;
    private NodeNetwork nodeB;
    private String underlayA;
    private String underlayB;
    private final List<Process> processes = new java.util.ArrayList<>();
    private final io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    private final List<io.netwarden.platform.export.DomainEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static String sh(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new java.io.IOException(String.join(" ", command) + ": " + output);
        }
        return output;
    }

    private MqttSettings broker(String clientId) {
        return MqttSettings.of(TestEnv.mqttUrl(), clientId, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Duration.ofSeconds(30), 1024 * 1024);
    }

    private NodeNetwork node(TestNetns host, String prefix, String address) throws Exception {
        return node(host, prefix, address, 1450);
    }

    private NodeNetwork node(TestNetns host, String prefix, String address, int mtu) throws Exception {
        java.nio.file.Path state = Files.createTempDirectory("netmanager-state");
        return new NodeNetwork(new IpCommands(Optional.of(host.name())), subnet -> new Environment.Settings(prefix,
                Ipv4Net.parse(subnet), mtu, 50103, state), clusterAddress -> Optional.of(broker("nwtest-" + prefix)),
                settings -> new MqttLink(vertx, settings), Optional.of(address), Optional.of(host.name()),
                Ipv4Net.parse("10.32.0.0/16"), events::add, io.netwarden.netmanager.tunnel.TunnelMetrics.of(meters));
    }

    @BeforeEach
    void start() throws Exception {
        subnets = new NodeSubnets(database.dataSource(), Ipv4Net.parse("10.16.0.0/12"), List.of());
        cluster = new MqttLink(vertx, broker("nwtest-cluster-" + id));
        new SubnetRequests(subnets, cluster).start();
        new TableRequests(new ServiceTable(database.dataSource(), Ipv4Net.parse("10.32.0.0/16")), subnets, cluster).start();
        new io.netwarden.netmanager.cluster.TunnelKeyIssuer(new ServiceTable(database.dataSource(),
                Ipv4Net.parse("10.32.0.0/16")), cluster).start();
        AtomicInteger connected = new AtomicInteger();
        cluster.onConnected(connected::incrementAndGet);
        cluster.start();
        Deadline.await("the cluster subscribed", Duration.ofSeconds(10), connected::get, n -> n >= 1);
        hostA = TestNetns.create();
        hostB = TestNetns.create();
        // the underlay between the two hosts: a veth pair of their own
        int net = 1 + ThreadLocalRandom.current().nextInt(250);
        underlayA = "10.214." + net + ".1";
        underlayB = "10.214." + net + ".2";
        sh("ip", "link", "add", "nwu" + id + "a", "netns", hostA.name(), "type", "veth", "peer", "name", "nwu" + id + "b",
                "netns", hostB.name());
        sh("ip", "-n", hostA.name(), "addr", "add", underlayA + "/24", "dev", "nwu" + id + "a");
        sh("ip", "-n", hostB.name(), "addr", "add", underlayB + "/24", "dev", "nwu" + id + "b");
        sh("ip", "-n", hostA.name(), "link", "set", "nwu" + id + "a", "up");
        sh("ip", "-n", hostB.name(), "link", "set", "nwu" + id + "b", "up");
        nodeA = node(hostA, "a" + id, underlayA);
        nodeB = node(hostB, "b" + id, underlayB);
    }

    @AfterEach
    void stop() throws Exception {
        processes.forEach(Process::destroyForcibly);
        try {
            nodeA.close();
            nodeB.close();
            cluster.close();
        } finally {
            hostA.close();
            hostB.close();
            TestNetns.removeLeftovers();
            subnets.release("a" + id);
            subnets.release("b" + id);
            io.netwarden.testing.NetmanagerRows.forgetService(database.dataSource(), service);
        }
    }

    @Test
    void nodesGetTheirSubnetsFromTheClusterAndLearnEachOthersInstances() throws Exception {
        NodeNetwork.Registration a = nodeA.register("a" + id, Optional.empty());
        NodeNetwork.Registration b = nodeB.register("b" + id, Optional.empty());
        assertEquals(subnets.find("a" + id).orElseThrow().subnet(), a.subnet(), "the cluster's subnet, on the bridge");
        assertNotEquals(a.subnet(), b.subnet());
        assertTrue(a.subnetV6().startsWith("fc00:"), a.subnetV6());

        Environment.Instance first = nodeA.deploy(service, 0, Optional.of("nwtest-" + id + "a0"), Optional.empty(), "");
        assertTrue(a.subnet().contains(Ipv4Net.address(first.nsAddress())));
        TableClient tables = b.tables().orElseThrow();
        List<TranslationTable.Instance> seen = Deadline.await("node b finds node a's instance", Duration.ofSeconds(15),
                () -> {
                    List<TranslationTable.Instance> found = tables.byName(service);
                    if (found.isEmpty()) {
                        Thread.sleep(200); // the negative cache would answer at once; let the cluster's answer land
                    }
                    return found;
                }, list -> list.size() == 1);
        TranslationTable.Instance instance = seen.getFirst();
        assertEquals(first.nsAddress(), instance.nsAddress());
        assertEquals(underlayA, instance.nodeAddress(), "node a's public address");
        assertEquals(50103, instance.nodePort());
        String roundRobin = instance.serviceIps().stream().filter(ip -> ip.kind().equals("round_robin")).findFirst()
                .orElseThrow().address();

        // node b asked, so the cluster tells it of the second instance and it asks again
        nodeA.deploy(service, 1, Optional.of("nwtest-" + id + "a1"), Optional.empty(), "");
        Deadline.await("node b sees the second instance", Duration.ofSeconds(15), () -> tables.table().instances(service),
                list -> list.size() == 2);
        assertEquals(2, tables.byIp(roundRobin).size(), "by the service's round-robin IP");
        assertTrue(events.stream().anyMatch(e -> e instanceof io.netwarden.netmanager.events.InstanceDeployed d
                && d.serviceName().equals(service) && d.instanceNumber() == 1 && d.node().equals("a" + id)), events.toString());
        assertTrue(events.stream().anyMatch(e -> e instanceof io.netwarden.netmanager.events.RouteChanged r
                && r.serviceName().equals(service) && r.node().equals("b" + id) && r.instances().size() == 2),
                "node b's route to the service changed: " + events);
        nodeA.undeploy(service, 1);
        Deadline.await("node b sees it go", Duration.ofSeconds(15), () -> tables.table().instances(service),
                list -> list.size() == 1);
        assertTrue(events.stream().anyMatch(e -> e instanceof io.netwarden.netmanager.events.InstanceUndeployed u
                && u.serviceName().equals(service) && u.instanceNumber() == 1));

        assertEquals(List.of(), tables.byName("app.ns.nothing" + id + ".here"));
        assertTrue(tables.table().recentlyMissed("app.ns.nothing" + id + ".here"), "a miss is remembered");

        // node a stops cleanly: the cluster hears its instance go, and node b with it
        nodeA.close();
        Deadline.await("node b hears node a's instance go", Duration.ofSeconds(15), () -> tables.table().instances(service),
                List::isEmpty);
    }

    @Test
    void anInstanceReachesAServiceOnAnotherNodeByItsServiceIpThroughTheTunnel() throws Exception {
        nodeA.register("a" + id, Optional.empty());
        nodeB.register("b" + id, Optional.empty());
        String server = "srv" + id + ".ns.echo.default";
        String clientService = "cli" + id + ".ns.client.default";
        try {
            Environment.Instance s0 = nodeB.deploy(server, 0, Optional.of("nwtest-" + id + "s0"), Optional.empty(), "");
            nodeB.deploy(server, 1, Optional.of("nwtest-" + id + "s1"), Optional.empty(), "");
            processes.add(InstancePrograms.echoServers("nwtest-" + id + "s0", "s0"));
            processes.add(InstancePrograms.echoServers("nwtest-" + id + "s1", "s1"));
            nodeA.deploy(clientService, 0, Optional.of("nwtest-" + id + "c0"), Optional.empty(), "");
            TableClient tables = nodeA.registration().orElseThrow().tables().orElseThrow();
            String roundRobin = Deadline.await("the server's service IP", Duration.ofSeconds(15), () -> {
                List<TranslationTable.Instance> found = tables.byName(server);
                if (found.size() < 2) {
                    Thread.sleep(200);
                    return null;
                }
                return found.getFirst().serviceIps().stream().filter(ip -> ip.kind().equals("round_robin")).findFirst()
                        .orElseThrow().address();
            }, ip -> ip != null);

            // the service's .local name resolves to its round-robin IP at the client's gateway
            String gateway = nodeA.registration().orElseThrow().environment().gateway();
            assertEquals("0 1 " + roundRobin, InstancePrograms.dns("nwtest-" + id + "c0", "", gateway, "echo.default.srv" + id
                    + ".ns.local", 1));
            assertEquals("0 0 -", InstancePrograms.dns("nwtest-" + id + "c0", "", gateway, "echo.default.srv" + id + ".ns.local", 28),
                    "AAAA: no record, no error");
            assertEquals("3 0 -", InstancePrograms.dns("nwtest-" + id + "c0", "", gateway, "nothing.default.srv" + id + ".ns.local", 1),
                    "an unknown service: NXDOMAIN (after asking the cluster)");
            assertEquals("5 0 -", InstancePrograms.dns("nwtest-" + id + "c0", "", gateway, "example.com", 1), "not .local: REFUSED");
            assertEquals("timeout", InstancePrograms.dns(hostA.name(), underlayA, gateway, "echo.default.srv" + id + ".ns.local", 1),
                    "a query from outside the node's subnet is not answered");

            String first = Deadline.await("an answer through the tunnel", Duration.ofSeconds(20),
                    () -> InstancePrograms.tcp("nwtest-" + id + "c0", roundRobin, "hello"), out -> !out.isEmpty());
            assertTrue(first.equals("s0:hello") || first.equals("s1:hello"), first);
            String second = InstancePrograms.tcp("nwtest-" + id + "c0", roundRobin, "again");
            assertTrue(second.endsWith(":again") && !second.startsWith(first.substring(0, 2)),
                    "round-robin alternates: " + first + " then " + second);
            // byte-exact both ways with a larger message
            String big = "x".repeat(20_000);
            String echoed = InstancePrograms.tcp("nwtest-" + id + "c0", roundRobin, big);
            assertTrue(echoed.endsWith(":" + big), "a 20 kB message through the tunnel: " + echoed.length() + " chars");
            // ping the service IP
            sh("ip", "netns", "exec", "nwtest-" + id + "c0", "ping", "-c", "1", "-W", "3", roundRobin);
            // an instance on node b by its own address, without a service IP: the container network is routed too
            String direct = Deadline.await("an answer from s0's own address", Duration.ofSeconds(20),
                    () -> InstancePrograms.tcp("nwtest-" + id + "c0", s0.nsAddress(), "direct"), out -> !out.isEmpty());
            assertEquals("s0:direct", direct);
            double sent = meters.find("netwarden.netmanager.tunnel.bytes").tag("peer", underlayB + ":50103")
                    .tag("direction", "out").functionCounters().stream().mapToDouble(c -> c.count()).sum();
            assertTrue(sent > 20_000, "the bytes sent to node b are metered: " + sent);

            // closest: an instance on the client's own node is taken every time, without the tunnel
            nodeA.deploy(server, 2, Optional.of("nwtest-" + id + "s2"), Optional.empty(), "");
            processes.add(InstancePrograms.echoServers("nwtest-" + id + "s2", "s2"));
            String closest = Deadline.await("the closest IP with the local instance known", Duration.ofSeconds(15), () -> {
                List<TranslationTable.Instance> found = tables.byName(server);
                return found.size() == 3 ? found.getFirst().serviceIps().stream().filter(ip -> ip.kind().equals("closest"))
                        .findFirst().orElseThrow().address() : null;
            }, ip -> ip != null);
            ProxyTunnel tunnelA = nodeA.registration().orElseThrow().tunnel().orElseThrow();
            for (int i = 0; i < 3; i++) {
                String got = InstancePrograms.tcp("nwtest-" + id + "c0", closest, "near" + i);
                if (!got.equals("s2:near" + i)) {
                    String diag = tunnelA.state() + "\n" + sh("ip", "-n", hostA.name(), "-s", "link", "show", "a" + id + "tun0")
                            + sh("ip", "-n", hostA.name(), "route") + sh("ip", "netns", "exec", "nwtest-" + id + "s2", "ss", "-tan")
                            + sh("ip", "netns", "exec", hostA.name(), "sh", "-c", "grep . /proc/sys/net/ipv4/conf/*/rp_filter /proc/sys/net/ipv4/ip_forward")
                            + sh("ip", "-n", "nwtest-" + id + "s2", "addr") + sh("ip", "-n", "nwtest-" + id + "s2", "route")
                            + sh("ip", "-n", "nwtest-" + id + "c0", "addr")
                            + sh("ip", "netns", "exec", hostA.name(), "nft", "list", "ruleset");
                    assertEquals("s2:near" + i, got, diag);
                }
            }

            // a packet that claims to come from the client, sent to node b's tunnel by someone else: dropped, counted
            ProxyTunnel tunnelB = nodeB.registration().orElseThrow().tunnel().orElseThrow();
            String clientIp = tables.table().instanceIpOf(nodeA.registration().orElseThrow().environment().instances()
                    .stream().filter(in -> in.serviceName().equals(clientService)).findFirst().orElseThrow().nsAddress())
                    .orElseThrow();
            byte[] forged = io.netwarden.netmanager.tunnel.Ipv4TestPackets.udp(clientIp, tables.byName(server).stream()
                    .filter(in -> in.nodeAddress().equals(underlayB)).findFirst().orElseThrow().nsAddress(), 5555, 7, "forged");
            io.netwarden.netmanager.linux.Netns.call(Optional.of(hostA.name()), () -> {
                try (java.nio.channels.DatagramChannel intruder = java.nio.channels.DatagramChannel.open()) {
                    intruder.bind(new java.net.InetSocketAddress(underlayA, 0)); // not the tunnel's port
                    intruder.send(java.nio.ByteBuffer.wrap(forged), new java.net.InetSocketAddress(underlayB, 50103));
                }
                return null;
            });
            Deadline.await("the forged packet counted", Duration.ofSeconds(5), () -> String.valueOf(tunnelB.state()
                    .get("counters")), c -> c.contains("the sender is not the client's node"));

            // the underlay does not reach node b's instances past the tunnel: host a routes b's subnet to b directly
            // (as anyone on the underlay can), and node b does not forward it into its bridge
            String subnetB = nodeB.registration().orElseThrow().subnet().toString();
            sh("ip", "-n", hostA.name(), "route", "add", subnetB, "via", underlayB);
            assertEquals("", InstancePrograms.tcp(hostA.name(), s0.nsAddress(), "from-the-underlay"), "refused at node b");
            String counters = sh("ip", "netns", "exec", hostB.name(), "nft", "list", "chain", "ip", "b" + id + "_nat",
                    "forward");
            assertTrue(counters.contains("drop"), counters);
        } finally {
            processes.forEach(Process::destroyForcibly);
        }
    }

    @Test
    void anEncryptedTunnelCarriesTheSameTrafficWithNoPlaintextOnTheUnderlay() throws Exception {
        nodeA.close();
        nodeB.close();
        // node a seals with AES-GCM, node b with ChaCha20-Poly1305: each opens both
        nodeA = node(hostA, "a" + id, underlayA, 1450 - io.netwarden.netmanager.tunnel.PeerKeys.OVERHEAD)
                .encrypted(io.netwarden.netmanager.tunnel.Suite.AES_GCM);
        nodeB = node(hostB, "b" + id, underlayB, 1450 - io.netwarden.netmanager.tunnel.PeerKeys.OVERHEAD)
                .encrypted(io.netwarden.netmanager.tunnel.Suite.CHACHA20_POLY1305);
        nodeA.register("a" + id, Optional.empty());
        nodeB.register("b" + id, Optional.empty());
        String server = "srv" + id + ".ns.sealed.default";
        String clientService = "cli" + id + ".ns.sclient.default";
        try {
            nodeB.deploy(server, 0, Optional.of("nwtest-" + id + "e0"), Optional.empty(), "");
            processes.add(InstancePrograms.echoServers("nwtest-" + id + "e0", "e0"));
            nodeA.deploy(clientService, 0, Optional.of("nwtest-" + id + "f0"), Optional.empty(), "");
            TableClient tables = nodeA.registration().orElseThrow().tables().orElseThrow();
            String roundRobin = Deadline.await("the server's service IP", Duration.ofSeconds(15), () -> {
                List<TranslationTable.Instance> found = tables.byName(server);
                if (found.isEmpty()) {
                    Thread.sleep(200);
                    return null;
                }
                return found.getFirst().serviceIps().stream().filter(ip -> ip.kind().equals("round_robin")).findFirst()
                        .orElseThrow().address();
            }, ip -> ip != null);

            InstancePrograms.Capture underlay = new InstancePrograms.Capture(hostB.name(), "nwu" + id + "b");
            InstancePrograms.Capture bridge = new InstancePrograms.Capture(hostB.name(), "b" + id + "br0");
            String first = Deadline.await("an answer through the encrypted tunnel", Duration.ofSeconds(20),
                    () -> InstancePrograms.tcp("nwtest-" + id + "f0", roundRobin, "hello"), out -> !out.isEmpty());
            assertEquals("e0:hello", first);
            String marker = ("plaintext-marker-" + id + "-").repeat(400); // 9 kB: several full-size packets
            assertEquals("e0:" + marker, InstancePrograms.tcp("nwtest-" + id + "f0", roundRobin, marker), "byte-exact both ways");
            String onUnderlay = underlay.stop();
            String onBridge = bridge.stop();
            assertTrue(onBridge.contains("plaintext-marker-" + id), "behind the tunnel the traffic is plain (the capture"
                    + " sees it): " + onBridge.length() + " bytes captured on the bridge");
            assertTrue(onUnderlay.length() > marker.length(), "the traffic crossed the underlay: " + onUnderlay.length());
            assertTrue(!onUnderlay.contains("plaintext-marker") && !onUnderlay.contains("hello"),
                    "no plaintext on the underlay");

            ProxyTunnel tunnelA = nodeA.registration().orElseThrow().tunnel().orElseThrow();
            ProxyTunnel tunnelB = nodeB.registration().orElseThrow().tunnel().orElseThrow();
            assertEquals("aes-gcm", tunnelA.state().get("encryption"));
            assertEquals(1, tunnelA.state().get("keyedPeers"));
            // a plain packet, even from node a's own tunnel address, is refused by node b
            String clientIp = tables.table().instanceIpOf(nodeA.registration().orElseThrow().environment().instances()
                    .stream().filter(in -> in.serviceName().equals(clientService)).findFirst().orElseThrow().nsAddress())
                    .orElseThrow();
            String serverIp = tables.byName(server).getFirst().nsAddress();
            byte[] plain = io.netwarden.netmanager.tunnel.Ipv4TestPackets.udp(clientIp, serverIp, 5555, 7, "plain");
            io.netwarden.netmanager.linux.Netns.call(Optional.of(hostA.name()), () -> {
                try (java.nio.channels.DatagramChannel intruder = java.nio.channels.DatagramChannel.open()) {
                    intruder.bind(new java.net.InetSocketAddress(underlayA, 0));
                    intruder.send(java.nio.ByteBuffer.wrap(plain), new java.net.InetSocketAddress(underlayB, 50103));
                }
                return null;
            });
            Deadline.await("the plain packet counted", Duration.ofSeconds(5), () -> String.valueOf(tunnelB.state()
                    .get("counters")), c -> c.contains("dropped from a peer: not sealed (plain, or an unknown cipher)"));
        } finally {
            processes.forEach(Process::destroyForcibly);
        }
    }
}
