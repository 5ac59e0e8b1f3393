import io.netwarden.edge.EdgeError;
import io.netwarden.edge.delivery.EdgeStreams;
import io.netwarden.edge.messages.EdgeAckWire;
import io.netwarden.edge.methods.EdgeMethod;
import io.netwarden.edge.methods.Ping;
import io.netwarden.edge.node.EdgeNode;
import io.netwarden.edge.node.ExecutionLog;
import io.netwarden.edge.nodes.Hello;
import io.netwarden.edge.security.CommandSignatures;
import io.netwarden.platform.crypto.Ed25519Key;
import io.netwarden.platform.crypto.PemFiles;
import io.netwarden.platform.messaging.NatsMessaging;
import io.netwarden.platform.messaging.NatsSecurity;
import io.netwarden.platform.messaging.durable.JetStreamDelivery;
import io.netwarden.platform.messaging.durable.Outgoing;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.h2.jdbcx.JdbcDataSource;

/**
 * Fleet: n edge nodes — the real node-side code (EdgeNode, CommandSignatures, ExecutionLog, Ping), n instances in this
 * one JVM on one NATS connection and one H2 database — say hello to a running central, which then broadcasts a ping
 * ("toNode":"*"); prints the time from the broadcast until the central has every node's ACK.
 * Usage: java -cp … bench/EdgeFleetBench.java apiBase token natsUrl centralPublicKeyPem nodes
 */
public class EdgeFleetBench {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] a) throws Exception {
        try {
            run(a);
        } catch (Exception | Error e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void run(String[] a) throws Exception {
        String api = a[0], token = a[1], natsUrl = a[2];
        Path centralKey = Path.of(a[3]);
        int n = Integer.parseInt(a[4]);
        boolean consume = a.length < 6 || !a[5].equals("store-only"); // store-only: how long the central takes alone
        String prefix = "fleet" + Long.toString(System.nanoTime() % 100000, 36);

        NatsMessaging messaging = new NatsMessaging(natsUrl, "edge fleet bench", Duration.ofSeconds(5),
                Duration.ofMillis(100), Duration.ofSeconds(2), NatsSecurity.NONE, source -> {
                });
        messaging.start();
        JetStreamDelivery delivery = new JetStreamDelivery(messaging);
        delivery.declare(EdgeStreams.messages(Duration.ofDays(7)));
        delivery.declare(EdgeStreams.acks(Duration.ofDays(7)));
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:fleet;DB_CLOSE_DELAY=-1");
        try (Connection db = h2.getConnection()) {
            String ddl = Files.readString(Path.of("src/main/resources/db/migration/V8__edge_execution.sql"));
            db.createStatement().execute(ddl.replaceAll("(?m)^--.*$", ""));
        }
        ExecutionLog executions = new ExecutionLog(h2);
        Path keyDir = Files.createTempDirectory("fleet-key");
        Ed25519Key key = Ed25519Key.loadOrCreate(keyDir.resolve("k.pem"), keyDir.resolve("k.pub.pem"));
        List<java.security.PublicKey> trusted = PemFiles.publicKeys(centralKey);

        long startNodes = System.nanoTime();
        List<EdgeNode> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = prefix + "-" + i;
            Map<String, EdgeMethod> methods = Map.of("ping", new Ping(name, "bench", List.of("edge-node"), Clock.systemUTC()));
            EdgeNode node = new EdgeNode(name, EdgeStreams.MESSAGES, delivery,
                    new CommandSignatures(name, key, trusted, Clock.systemUTC()), methods, executions,
                    (sender, ack) -> delivery.publishAsync(EdgeStreams.ACKS, new Outgoing(EdgeStreams.ackSubject(sender, name),
                            Map.of(), EdgeAckWire.write(ack), Optional.of(EdgeAckWire.dedupeId(ack, sender)))),
                    (failedAt, messageId, method, error, text) -> System.err.println(failedAt + " " + messageId + " " + error
                            + " " + text));
            if (consume) {
                node.start();
            }
            nodes.add(node);
            messaging.publish(Hello.subject(name), Hello.signed(name, "bench", List.of("edge-node"), key, Instant.now()).toJson());
        }
        System.out.printf("%d nodes started and said hello in %.1f s%n", n, (System.nanoTime() - startNodes) / 1e9);
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        System.out.println("waiting for the central to know them …");
        while (known(api, token, prefix) < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the central knows only " + known(api, token, prefix) + " of " + n + " nodes");
            }
            Thread.sleep(200);
        }
        Thread.sleep(Duration.ofSeconds(5)); // the consumers attach in the background: let them settle first

        double before = acked(api);
        long start = System.nanoTime();
        HttpResponse<String> sent = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/edge/messages"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"toNode\":\"*\",\"data\":[],\"commandOrEvent\":\"command\","
                        + "\"method\":\"ping\",\"ttl\":\"5m\"}")).build(), HttpResponse.BodyHandlers.ofString());
        if (sent.statusCode() != 202) {
            throw new IllegalStateException("broadcast answered " + sent.statusCode() + ": " + sent.body());
        }
        int copies = new com.fasterxml.jackson.databind.ObjectMapper().readTree(sent.body()).size();
        double stored = (System.nanoTime() - start) / 1e9;
        if (!consume) {
            System.out.printf("store-only: the broadcast to %d nodes was stored and published in %.2f s%n", n, stored);
            return;
        }
        deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        // done when no ping is pending or delivered any more (a cheap query; a metrics scrape of a thousand nodes' meters
        // every few milliseconds would take the central's CPU from what is measured)
        while (open(api, token, "pending") + open(api, token, "delivered") > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("acked " + (acked(api) - before) + " of " + copies);
            }
            Thread.sleep(50);
        }
        if (acked(api) - before < copies) {
            throw new IllegalStateException("ended, but acked only " + (acked(api) - before) + " of " + copies);
        }
        double total = (System.nanoTime() - start) / 1e9;
        System.out.printf("broadcast ping to %d nodes (%d copies incl. the central and earlier fleets): stored in %.2f s,"
                + " all acked at the central after %.2f s (goal < 5 s)%n", n, copies, stored, total);
        nodes.forEach(EdgeNode::close);
        messaging.stop(Duration.ofSeconds(1));
    }

    private static int known(String api, String token, String prefix) throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/edge/nodes"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body();
        int count = 0;
        for (int i = body.indexOf("\"" + prefix + "-"); i >= 0; i = body.indexOf("\"" + prefix + "-", i + 1)) {
            count++;
        }
        return count;
    }

    /** Whether a ping message is still in this status (0 or 1). */
    private static int open(String api, String token, String status) throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/edge/messages?method=ping&limit=1&status="
                + status)).header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body();
        return body.contains("\"id\"") ? 1 : 0;
    }

    private static double acked(String api) throws Exception {
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("netwarden_edge_messages_total{") && line.contains("method=\"ping\"")
                    && line.contains("outcome=\"acked\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
