import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.netmanager.cluster.ServiceTable;
import io.netwarden.netmanager.cluster.SubnetRequests;
import io.netwarden.netmanager.cluster.TableRequests;
import io.netwarden.netmanager.ipam.Ipv4Net;
import io.netwarden.netmanager.ipam.NodeSubnets;
import io.netwarden.netmanager.linux.IpCommands;
import io.netwarden.netmanager.node.Environment;
import io.netwarden.netmanager.node.NodeNetwork;
import io.netwarden.netmanager.cluster.TunnelKeyIssuer;
import io.netwarden.netmanager.tunnel.PeerKeys;
import io.netwarden.netmanager.tunnel.Suite;
import io.netwarden.netmanager.table.TranslationTable;
import io.netwarden.platform.messaging.mqtt.MqttLink;
import io.netwarden.platform.messaging.mqtt.MqttSettings;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * The netmanager's tunnel against the plain underlay, in one run: two "hosts" (network namespaces joined by a veth
 * pair, MTU 1500), a cluster and a node on each (the real classes, one JVM, Mosquitto as the broker, H2 in memory),
 * an iperf3 server in an instance on host B and a client in an instance on host A reaching it by its round-robin service
 * IP through the tunnel — then iperf3 between the two hosts' underlay addresses directly. Also ping and a 1-byte TCP
 * request/response, p50/p99, both ways. Prints the ratios; the goal is ≥ 0.5× the underlay's TCP throughput.
 * Runs it with the tunnel plain and then encrypted (AES-GCM), or in the one mode given.
 *   java -cp target/classes:… bench/NetmanagerTunnelBench.java <mqtt url> [seconds (10)] [off|aead]
 */
public class NetmanagerTunnelBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> MADE = new ArrayList<>();
    private static final List<Process> PROCESSES = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        String mqtt = args[0];
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        Runtime.getRuntime().addShutdownHook(new Thread(NetmanagerTunnelBench::cleanUp));
        Vertx vertx = Vertx.vertx();
        DataSource db = database();
        NodeSubnets subnets = new NodeSubnets(db, Ipv4Net.parse("10.16.0.0/12"), List.of());
        MqttLink cluster = new MqttLink(vertx, broker(mqtt, "nwbench-cluster-" + id));
        new SubnetRequests(subnets, cluster).start();
        new TableRequests(new ServiceTable(db, Ipv4Net.parse("10.32.0.0/16")), subnets, cluster).start();
        new TunnelKeyIssuer(new ServiceTable(db, Ipv4Net.parse("10.32.0.0/16")), cluster).start();
        cluster.start();

        List<String> modes = args.length > 2 ? List.of(args[2]) : List.of("off", "aead");
        for (String mode : modes) {
            Optional<Suite> sealing = mode.equals("off") ? Optional.empty() : Optional.of(Suite.AES_GCM);
            measure(vertx, mqtt, seconds, Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff)), sealing,
                    "[encryption " + sealing.map(Suite::configName).orElse("off") + "] ");
        }
        cluster.close();
        vertx.close();
        System.exit(0);
    }

    private static void measure(Vertx vertx, String mqtt, int seconds, String id, Optional<Suite> sealing, String label)
            throws Exception {
        // an underlay of its own per run: the cluster keys a tunnel address only while one node reports it
        String u1 = "10.215." + (sealing.isPresent() ? 1 : 0) + ".1";
        String u2 = "10.215." + (sealing.isPresent() ? 1 : 0) + ".2";
        String hostA = "nwbench-" + id + "a";
        String hostB = "nwbench-" + id + "b";
        for (String host : List.of(hostA, hostB)) {
            sh("ip", "netns", "add", host);
            MADE.add(host);
            sh("ip", "-n", host, "link", "set", "lo", "up");
        }
        sh("ip", "link", "add", "nwbu" + id + "a", "netns", hostA, "type", "veth", "peer", "name", "nwbu" + id + "b",
                "netns", hostB);
        sh("ip", "-n", hostA, "addr", "add", u1 + "/24", "dev", "nwbu" + id + "a");
        sh("ip", "-n", hostB, "addr", "add", u2 + "/24", "dev", "nwbu" + id + "b");
        sh("ip", "-n", hostA, "link", "set", "nwbu" + id + "a", "up");
        sh("ip", "-n", hostB, "link", "set", "nwbu" + id + "b", "up");
        NodeNetwork nodeA = node(vertx, mqtt, hostA, "ba" + id.substring(0, 3), u1, sealing);
        NodeNetwork nodeB = node(vertx, mqtt, hostB, "bb" + id.substring(0, 3), u2, sealing);
        nodeA.register("benchnode-a" + id, Optional.empty());
        nodeB.register("benchnode-b" + id, Optional.empty());
        String server = "bench" + id + ".ns.iperf.default";
        String serverNs = "nwbench-" + id + "s";
        String clientNs = "nwbench-" + id + "c";
        MADE.add(serverNs);
        MADE.add(clientNs);
        nodeB.deploy(server, 0, Optional.of(serverNs), Optional.empty(), "");
        nodeA.deploy("bench" + id + ".ns.client.default", 0, Optional.of(clientNs), Optional.empty(), "");
        var tables = nodeA.registration().orElseThrow().tables().orElseThrow();
        String serviceIp = null;
        for (int i = 0; i < 100 && serviceIp == null; i++) {
            List<TranslationTable.Instance> found = tables.byName(server);
            if (found.isEmpty()) {
                Thread.sleep(200);
                continue;
            }
            serviceIp = found.getFirst().serviceIps().stream().filter(ip -> ip.kind().equals("round_robin")).findFirst()
                    .orElseThrow().address();
        }
        if (serviceIp == null) {
            throw new IllegalStateException("node A never learned the server's service IP");
        }
        Thread.sleep(1500); // the client's own instance IP is learned in the background

        // servers: iperf3 and a TCP echo in the server instance and on host B's underlay address
        background("ip", "netns", "exec", serverNs, "iperf3", "-s", "-p", "5201");
        background("ip", "netns", "exec", hostB, "iperf3", "-s", "-p", "5202", "-B", u2);
        background("ip", "netns", "exec", serverNs, "/usr/bin/python3", "-c", ECHO);
        background("ip", "netns", "exec", hostB, "/usr/bin/python3", "-c", ECHO);
        Thread.sleep(1000);

        // warm the path (the first packet of a flow asks the cluster)
        sh("ip", "netns", "exec", clientNs, "ping", "-c", "3", "-i", "0.2", "-W", "2", serviceIp);
        double tunnel = iperf(clientNs, serviceIp, 5201, seconds);
        double underlay = iperf(hostA, u2, 5202, seconds);
        double[] pingTunnel = ping(clientNs, serviceIp);
        double[] pingUnderlay = ping(hostA, u2);
        double[] rrTunnel = requestResponse(clientNs, serviceIp);
        double[] rrUnderlay = requestResponse(hostA, u2);

        System.out.printf(label + "TCP throughput (iperf3, %d s): tunnel %.0f Mbit/s, underlay veth %.0f Mbit/s -> %.2fx (goal >= 0.5x)%n",
                seconds, tunnel / 1e6, underlay / 1e6, tunnel / underlay);
        System.out.printf(label + "ping RTT p50/p99: tunnel %.3f/%.3f ms, underlay %.3f/%.3f ms -> +%.3f ms at p50%n",
                pingTunnel[0], pingTunnel[1], pingUnderlay[0], pingUnderlay[1], pingTunnel[0] - pingUnderlay[0]);
        System.out.printf(label + "TCP request/response p50/p99: tunnel %.3f/%.3f ms, underlay %.3f/%.3f ms -> +%.3f ms at p50%n",
                rrTunnel[0], rrTunnel[1], rrUnderlay[0], rrUnderlay[1], rrTunnel[0] - rrUnderlay[0]);
        System.out.println(label + "tunnel counters on node A: " + nodeA.registration().orElseThrow().tunnel().orElseThrow().state()
                .get("counters"));
        nodeA.close();
        nodeB.close();
        cleanUp();
    }

    private static final String ECHO = """
            import socket
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s.bind(("0.0.0.0", 7)); s.listen(4)
            while True:
                c, _ = s.accept(); c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                while True:
                    d = c.recv(64)
                    if not d: break
                    c.sendall(d)
                c.close()
            """;

    private static final String REQUEST_RESPONSE = """
            import socket, sys, time
            c = socket.create_connection((sys.argv[1], 7), timeout=5)
            c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            times = []
            for i in range(3000):
                t = time.perf_counter_ns(); c.sendall(b"x"); c.recv(1); times.append(time.perf_counter_ns() - t)
            times = sorted(times[500:])
            print(times[len(times) // 2] / 1e6, times[int(len(times) * 0.99)] / 1e6)
            """;

    private static double iperf(String netns, String address, int port, int seconds) throws Exception {
        JsonNode result = JSON.readTree(sh("ip", "netns", "exec", netns, "iperf3", "-c", address, "-p", String.valueOf(port),
                "-t", String.valueOf(seconds), "-J"));
        return result.at("/end/sum_received/bits_per_second").asDouble();
    }

    private static double[] ping(String netns, String address) throws Exception {
        String out = sh("ip", "netns", "exec", netns, "ping", "-c", "300", "-i", "0.005", "-W", "2", address);
        double[] times = out.lines().filter(l -> l.contains("time=")).mapToDouble(l -> Double.parseDouble(
                l.substring(l.indexOf("time=") + 5).split(" ")[0])).sorted().toArray();
        return new double[] {times[times.length / 2], times[(int) (times.length * 0.99)]};
    }

    private static double[] requestResponse(String netns, String address) throws Exception {
        String out = sh("ip", "netns", "exec", netns, "/usr/bin/python3", "-c", REQUEST_RESPONSE, address).strip();
        return Arrays.stream(out.split(" ")).mapToDouble(Double::parseDouble).toArray();
    }

    private static NodeNetwork node(Vertx vertx, String mqtt, String host, String prefix, String address,
            Optional<Suite> sealing) throws Exception {
        java.nio.file.Path state = Files.createTempDirectory("nwbench-state");
        int mtu = 1450 - (sealing.isPresent() ? PeerKeys.OVERHEAD : 0);
        NodeNetwork node = new NodeNetwork(new IpCommands(Optional.of(host)), subnet -> new Environment.Settings(prefix,
                Ipv4Net.parse(subnet), mtu, 50103, state), cluster -> Optional.of(broker(mqtt, "nwbench-" + prefix)),
                settings -> new MqttLink(vertx, settings), Optional.of(address), Optional.of(host),
                Ipv4Net.parse("10.32.0.0/16"));
        sealing.ifPresent(node::encrypted);
        return node;
    }

    private static MqttSettings broker(String url, String clientId) {
        return MqttSettings.of(url, clientId, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Duration.ofSeconds(30), 1024 * 1024);
    }

    private static DataSource database() {
        org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
        h2.setURL("jdbc:h2:mem:nwbench;DB_CLOSE_DELAY=-1");
        h2.setUser("sa");
        org.flywaydb.core.Flyway.configure().dataSource(h2).locations("classpath:db/migration").load().migrate();
        return h2;
    }

    private static void background(String... command) throws Exception {
        PROCESSES.add(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start());
    }

    private static String sh(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + ": " + output);
        }
        return output;
    }

    private static void cleanUp() {
        PROCESSES.forEach(Process::destroyForcibly);
        PROCESSES.clear();
        for (String netns : List.copyOf(MADE)) {
            try {
                new ProcessBuilder("ip", "netns", "del", netns).start().waitFor(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // best effort
            }
        }
        MADE.clear();
    }
}
