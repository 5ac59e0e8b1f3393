package io.netwarden.edge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.testing.AppProcess;
import io.netwarden.testing.Deadline;
import io.netwarden.testing.NatsServerProcess;
import io.netwarden.testing.TestEnv;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The steward setup as separate processes (the packaged jar): a central and two ships, each with its own data dir and
 * H2 database, on a NATS JetStream server of their own. The ships trust the central's key (the file it generated);
 * {@code sh} is on their allow-list so that commands can leave traces a test can count. Each process has its own NATS
 * user; the ships' permissions are exactly the shipped {@code docs/nats/edge-node-permissions.conf}, so every case
 * here also shows that they are enough, and the last one that they keep a ship to its own subjects.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EdgeFleetIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "edge-fleet-it-token-0123456789";

    private Path dir;
    private NatsServerProcess nats;
    private AppProcess central;
    private final Map<String, AppProcess> ships = new HashMap<>();
    private final List<AppProcess> all = new ArrayList<>();

    @BeforeAll
    void fleet() throws Exception {
        dir = Files.createTempDirectory("edge-fleet");
        nats = new NatsServerProcess(TestEnv.freePort(), authorization()).start();
        central = start("central", Map.of());
        Path centralKey = dir.resolve("central/data/edge-signing.pub.pem");
        Deadline.await("the central's public key", Duration.ofSeconds(10), () -> Files.exists(centralKey), b -> b);
        Files.copy(centralKey, dir.resolve("trusted.pem"));
        for (String ship : List.of("ship1", "ship2")) {
            ships.put(ship, start(ship, Map.of()));
        }
        for (String ship : List.of("ship1", "ship2")) {
            Deadline.await(ship + " online at the central", Duration.ofSeconds(30), this::nodes, list -> {
                for (JsonNode node : list) {
                    if (node.path("name").asText().equals(ship) && node.path("online").asBoolean()) {
                        return true;
                    }
                }
                return false;
            });
        }
    }

    /** NATS password of each process' user (made per run). */
    private final Map<String, String> passwords = new HashMap<>();

    /** A user per process: the central may do anything, each ship what the shipped permission block allows. */
    private String authorization() throws Exception {
        String template = Files.readString(Path.of("docs/nats/edge-node-permissions.conf")).replaceAll("(?m)^#.*$", "");
        StringBuilder users = new StringBuilder("authorization {\n  users = [\n");
        for (String name : List.of("central", "ship1", "ship2")) {
            String password = "pw-" + java.util.UUID.randomUUID();
            passwords.put(name, password);
            users.append("    { user: \"").append(name).append("\", password: \"").append(password).append("\"");
            if (!name.equals("central")) {
                users.append(", permissions: ").append(template.replace("NODE", name).replace("CENTRAL", "central"));
            }
            users.append(" }\n");
        }
        return users.append("  ]\n}\n").toString();
    }

    @AfterAll
    void stop() throws Exception {
        for (AppProcess p : all) {
            p.close();
        }
        if (nats != null) {
            nats.close();
        }
    }

    /** Starts (or starts again) the node of that name in its own working directory. */
    private AppProcess start(String name, Map<String, String> extra) throws Exception {
        Path work = Files.createDirectories(dir.resolve(name));
        Map<String, String> env = new HashMap<>(Map.of(
                "NETWARDEN_ROLES", "edge-node", "NETWARDEN_NODE_NAME", name, "NETWARDEN_API_TOKEN", TOKEN,
                "NETWARDEN_NATS_URL", nats.url(), "NETWARDEN_EDGE_CENTRAL", "central",
                "NETWARDEN_EDGE_HELLO_INTERVAL", "1s", "NETWARDEN_EDGE_SWEEP_INTERVAL", "200ms",
                "NETWARDEN_EDGE_SHELL_ALLOW", "echo,sh,date", "NETWARDEN_EDGE_FILES_ALLOW", work.resolve("files").toString()));
        env.put("NETWARDEN_NATS_USER", name);
        env.put("NETWARDEN_NATS_PASSWORD", passwords.get(name));
        if (!name.equals("central")) {
            env.put("NETWARDEN_NATS_INBOX_PREFIX", "_INBOX_" + name); // the only replies its user may receive
        }
        Files.createDirectories(work.resolve("files"));
        if (!name.equals("central")) {
            env.put("NETWARDEN_EDGE_SIGNING_TRUSTED_KEYS_FILE", dir.resolve("trusted.pem").toString());
        }
        env.putAll(extra);
        AppProcess p = AppProcess.start(work, env);
        all.add(p);
        p.awaitReady(Duration.ofSeconds(60));
        return p;
    }

    private JsonNode nodes() throws Exception {
        return JSON.readTree(central.get("/api/v1/edge/nodes", TOKEN).body());
    }

    /** Sends through the central's API; returns the ids, one per recipient. */
    private List<String> send(String json) throws Exception {
        HttpResponse<String> response = central.post("/api/v1/edge/messages", TOKEN, json);
        assertEquals(202, response.statusCode(), response.body());
        List<String> ids = new ArrayList<>();
        JSON.readTree(response.body()).forEach(m -> ids.add(m.get("id").asText()));
        return ids;
    }

    private static String shell(String ship, String script, String more) {
        return "{\"toNode\":\"" + ship + "\",\"commandOrEvent\":\"command\",\"method\":\"shellCommand\",\"data\":[\"sh\",\"-c\","
                + quote(script) + "]" + more + "}";
    }

    private static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode message(String id) throws Exception {
        return JSON.readTree(central.get("/api/v1/edge/messages/" + id, TOKEN).body());
    }

    private JsonNode awaitStatus(String id, String status, Duration within) throws Exception {
        return Deadline.await("message " + id + " " + status, within, () -> message(id),
                m -> status.equals(m.path("status").asText()));
    }

    private List<String> lines(String ship, String file) throws Exception {
        Path path = dir.resolve(ship).resolve(file);
        return Files.exists(path) ? Files.readAllLines(path) : List.of();
    }

    @Test
    @Order(1)
    void aCommandsOutputComesBackABroadcastReachesEveryShipAndTextLoggingLandsOnTheShip() throws Exception {
        String id = send("{\"toNode\":\"ship1\",\"data\":[\"echo\",\"hello from ship1\"],\"commandOrEvent\":\"command\","
                + "\"method\":\"shellCommand\"}").getFirst();
        JsonNode done = awaitStatus(id, "acked", Duration.ofSeconds(30));
        assertEquals("hello from ship1\n", done.get("output").asText());
        assertEquals(0, done.get("exitCode").asInt());
        assertEquals("ship1.command.shellCommand", done.get("subject").asText());

        List<String> broadcast = send("{\"toNode\":\"*\",\"data\":[],\"commandOrEvent\":\"command\",\"method\":\"ping\"}");
        assertEquals(3, broadcast.size(), "central, ship1 and ship2");
        List<String> answeredBy = new ArrayList<>();
        for (String copy : broadcast) {
            JsonNode pong = awaitStatus(copy, "acked", Duration.ofSeconds(30));
            answeredBy.add(pong.get("toNode").asText());
            assertTrue(pong.get("output").asText().contains(pong.get("toNode").asText()), pong.toString());
        }
        assertEquals(List.of("central", "ship1", "ship2"), answeredBy.stream().sorted().toList());

        String logged = send("{\"toNode\":\"ship2\",\"data\":[\"engine 2 started\",\"all well\"],\"commandOrEvent\":\"event\","
                + "\"method\":\"textLogging\"}").getFirst();
        awaitStatus(logged, "acked", Duration.ofSeconds(30));
        List<String> log = lines("ship2", "data/logs/central.log");
        assertTrue(log.stream().anyMatch(l -> l.endsWith("engine 2 started")) && log.stream().anyMatch(l -> l.endsWith("all well")),
                log.toString());
        assertFalse(Files.exists(dir.resolve("ship1/data/logs/central.log")), "only the addressed ship logs it");
    }

    @Test
    @Order(2)
    void copyFileArrivesByteIdenticalAndAPathOutsideTheAllowedDirectoriesIsRefused() throws Exception {
        byte[] original = new byte[3 * 512 * 1024 + 4321];
        new java.util.Random(42).nextBytes(original);
        Path source = Files.write(dir.resolve("central/files/firmware.bin"), original);
        Path destination = dir.resolve("ship1/files/firmware.bin");
        String id = send("{\"toNode\":\"ship1\",\"commandOrEvent\":\"command\",\"method\":\"copyFile\",\"data\":["
                + quote(source.toString()) + "," + quote(destination.toString()) + "]}").getFirst();
        JsonNode done = awaitStatus(id, "acked", Duration.ofSeconds(60));
        assertTrue(done.get("output").asText().startsWith("copied " + original.length + " bytes"), done.toString());
        assertTrue(java.util.Arrays.equals(original, Files.readAllBytes(destination)), "byte-identical");

        HttpResponse<String> outside = central.post("/api/v1/edge/messages", TOKEN, "{\"toNode\":\"ship1\",\"commandOrEvent\":"
                + "\"command\",\"method\":\"copyFile\",\"data\":[\"/etc/passwd\"," + quote(destination.toString()) + "]}");
        assertEquals(400, outside.statusCode(), outside.body());
        assertTrue(outside.body().contains("not a file under this node's allowed directories"), outside.body());
        String elsewhere = send("{\"toNode\":\"ship1\",\"commandOrEvent\":\"command\",\"method\":\"copyFile\",\"data\":["
                + quote(source.toString()) + "," + quote(dir.resolve("ship1/firmware.bin").toString()) + "]}").getFirst();
        assertEquals("not_allowed", awaitStatus(elsewhere, "failed", Duration.ofSeconds(60)).get("error").asText());
        assertFalse(Files.exists(dir.resolve("ship1/firmware.bin")));
    }

    @Test
    @Order(3)
    void aRolloutGoesWaveByWaveAcrossTheFleet() throws Exception {
        HttpResponse<String> started = central.post("/api/v1/edge/rollouts", TOKEN, "{\"message\":{\"commandOrEvent\":"
                + "\"command\",\"method\":\"shellCommand\",\"data\":[\"sh\",\"-c\",\"date +%s%N >> rollout.txt\"]},"
                + "\"nodes\":[\"ship1\",\"ship2\"],\"waveSize\":1,\"maxFailures\":0}");
        assertEquals(202, started.statusCode(), started.body());
        String id = JSON.readTree(started.body()).get("id").asText();
        JsonNode done = Deadline.await("rollout " + id + " ended", Duration.ofSeconds(60),
                () -> JSON.readTree(central.get("/api/v1/edge/rollouts/" + id, TOKEN).body()),
                r -> !r.get("status").asText().equals("running"));
        assertEquals("succeeded", done.get("status").asText(), done.toString());
        assertEquals(2, done.get("waves").asInt());
        for (JsonNode node : done.get("nodes")) {
            assertEquals("acked", node.get("status").asText(), done.toString());
        }
        long first = Long.parseLong(lines("ship1", "rollout.txt").getFirst());
        long second = Long.parseLong(lines("ship2", "rollout.txt").getFirst());
        assertTrue(first < second, "ship2's wave ran after ship1's");
    }

    @Test
    @Order(4)
    void anOfflineShipRunsEveryCommandOnceInOrderWhenItReturnsAndAnExpiredOneNever() throws Exception {
        ships.get("ship1").stop();
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            ids.addAll(send(shell("ship1", "echo " + i + " >> order.txt", "")));
        }
        String shortLived = send(shell("ship1", "echo late >> order.txt", ",\"ttl\":\"2s\"")).getFirst();
        JsonNode expired = awaitStatus(shortLived, "expired", Duration.ofSeconds(20));
        assertEquals("expired", expired.get("error").asText());
        Deadline.await("the expiry in the central's error log", Duration.ofSeconds(20),
                () -> central.get("/api/v1/edge/errors?node=ship1", TOKEN).body(), body -> body.contains(shortLived));
        for (String id : ids) {
            assertEquals("pending", message(id).get("status").asText());
        }

        ships.put("ship1", start("ship1", Map.of()));

        for (String id : ids) {
            awaitStatus(id, "acked", Duration.ofSeconds(60));
        }
        List<String> expected = IntStream.rangeClosed(1, 20).mapToObj(Integer::toString).toList();
        assertEquals(expected, lines("ship1", "order.txt"), "each once, in the order sent; the expired one never");
    }

    @Test
    @Order(5)
    void aShipKilledMidCommandReportsItInterruptedAndNeverRunsItTwice() throws Exception {
        String id = send(shell("ship1", "echo start >> killed.txt; sleep 8", ",\"timeout\":\"60s\"")).getFirst();
        awaitStatus(id, "delivered", Duration.ofSeconds(30)); // the ship's receipt: it runs
        ships.get("ship1").kill();

        ships.put("ship1", start("ship1", Map.of()));

        JsonNode failed = awaitStatus(id, "failed", Duration.ofSeconds(60));
        assertEquals("interrupted", failed.get("error").asText(), failed.toString());
        assertEquals(List.of("start"), lines("ship1", "killed.txt"));
        Deadline.await("the interruption in the central's error log", Duration.ofSeconds(20),
                () -> central.get("/api/v1/edge/errors?node=ship1", TOKEN).body(), body -> body.contains(id));
    }

    @Test
    @Order(6)
    void messagesSentWhileNatsIsDownAreDeliveredOnceWhenItReturns() throws Exception {
        nats.stop();
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            ids.addAll(send(shell("ship2", "echo " + i + " >> nats.txt", "")));
        }
        for (String id : ids) {
            assertEquals("pending", message(id).get("status").asText(), "stored at the central while NATS is away");
        }
        nats.start();

        for (String id : ids) {
            awaitStatus(id, "acked", Duration.ofSeconds(60));
        }
        assertEquals(List.of("1", "2", "3", "4", "5"), lines("ship2", "nats.txt"));
    }

    @Test
    @Order(7)
    void aCentralKilledUnderTrafficLosesNothingAndNothingRunsTwice() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            ids.addAll(send(shell("ship2", "echo " + i + " >> central.txt", "")));
        }
        central.kill();
        central = start("central", Map.of());

        for (String id : ids) {
            awaitStatus(id, "acked", Duration.ofSeconds(60));
        }
        assertEquals(IntStream.rangeClosed(1, 10).mapToObj(Integer::toString).toList(), lines("ship2", "central.txt"));
    }

    @Test
    @Order(8)
    void aShipsNatsUserCannotCommandPoseAsReadOrChangeWhatIsNotItsOwn() throws Exception {
        // the processes themselves never needed more than the block allows (since the server's last start)
        assertFalse(nats.log().contains("Violation"), nats.log());
        java.util.Queue<String> refused = new java.util.concurrent.ConcurrentLinkedQueue<>();
        io.nats.client.Options options = new io.nats.client.Options.Builder().server(nats.url())
                .userInfo("ship1", passwords.get("ship1")).errorListener(new io.nats.client.ErrorListener() {
                    @Override
                    public void errorOccurred(io.nats.client.Connection conn, String error) {
                        refused.add(error);
                    }
                }).build();
        try (io.nats.client.Connection asShip1 = io.nats.client.Nats.connect(options)) {
            List<String> forbidden = List.of("ship2.command.shellCommand", "central.command.shellCommand", "edge.hello.ship2",
                    "$JS.API.CONSUMER.MSG.NEXT.EDGE.node-ship2-command", "$JS.API.STREAM.DELETE.EDGE",
                    "$JS.API.STREAM.PURGE.EDGE", "central.ack.ship2",
                    // its own consumer, but with another node's filter: in the subject (refused) or the body only
                    "$JS.API.CONSUMER.CREATE.EDGE.node-ship1-command.ship2.command.*",
                    "$JS.API.CONSUMER.DURABLE.CREATE.EDGE.node-ship1-command", "$JS.API.CONSUMER.CREATE.EDGE.node-ship1-command",
                    "$JS.API.CONSUMER.CREATE.EDGE_ACKS.acks-ship1.central.ack.*");
            for (String subject : forbidden) {
                asShip1.publish(subject, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            List<String> unreadable = List.of("ship2.>", "_INBOX.>", "_INBOX_ship2.>", ">");
            unreadable.forEach(asShip1::subscribe);
            asShip1.flush(Duration.ofSeconds(5));
            List<String> expected = new ArrayList<>(forbidden.stream().map(s -> "Publish to \"" + s + "\"").toList());
            unreadable.forEach(s -> expected.add("Subscription to \"" + s + "\""));
            Deadline.await("permission violations for " + expected, Duration.ofSeconds(10), () -> List.copyOf(refused),
                    seen -> expected.stream().allMatch(e -> seen.stream().anyMatch(r -> r.contains("Permissions Violation")
                            && r.contains(e))));
        }
        // and the fleet still works: the stream is whole, ship2 still answers
        String id = send("{\"toNode\":\"ship2\",\"data\":[],\"commandOrEvent\":\"command\",\"method\":\"ping\"}").getFirst();
        assertTrue(awaitStatus(id, "acked", Duration.ofSeconds(30)).get("output").asText().contains("ship2"));
    }

    @Test
    @Order(9)
    void aMessageLostOnTheWayIsPublishedAgainAndRunsOnce() throws Exception {
        ships.get("ship2").stop();
        String id = send(shell("ship2", "echo once >> lost.txt", ",\"timeout\":\"2s\"")).getFirst();
        // lost: taken out of the stream before ship2 could see it (as a broker that lost its file would)
        io.nats.client.Options options = new io.nats.client.Options.Builder().server(nats.url())
                .userInfo("central", passwords.get("central")).build();
        try (io.nats.client.Connection admin = io.nats.client.Nats.connect(options)) {
            io.nats.client.JetStreamManagement streams = admin.jetStreamManagement();
            io.nats.client.api.MessageInfo stored = Deadline.await("the message in the stream", Duration.ofSeconds(10), () -> {
                try {
                    return streams.getLastMessage("EDGE", "ship2.command.shellCommand");
                } catch (io.nats.client.JetStreamApiException notYet) {
                    return null;
                }
            }, m -> m != null && new String(m.getData(), java.nio.charset.StandardCharsets.UTF_8).contains(id));
            assertTrue(streams.deleteMessage("EDGE", stored.getSeq()));
        }
        assertEquals("pending", message(id).get("status").asText());

        ships.put("ship2", start("ship2", Map.of()));

        awaitStatus(id, "acked", Duration.ofSeconds(60)); // timeout 2 s + backoff 5 s after ship2 is back
        assertEquals(List.of("once"), lines("ship2", "lost.txt"));
        assertTrue(central.output().contains("neither a receipt nor an answer came in time; published again"), "the log says why");
    }
}
