package io.netwarden.edge.api;

import static io.netwarden.testing.Api.authed;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.edge.delivery.EdgeStreams;
import io.netwarden.edge.messages.EdgeAck;
import io.netwarden.edge.messages.EdgeAckWire;
import io.netwarden.platform.crypto.Ed25519Key;
import io.netwarden.platform.messaging.durable.DurableDelivery;
import io.netwarden.platform.messaging.durable.Outgoing;
import io.netwarden.testing.Deadline;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The all-in-one process (no NATS: durable delivery in its database) sending steward messages to itself through the
 * API: node "test-node" signs, stores, receives, runs and answers.
 */
@QuarkusTest
class EdgeMessagesTest {

    /** Polls a message until it ends (acked, failed or expired). */
    private static JsonPath awaitEnd(String id) {
        return awaitStatus(id, s -> !s.equals("pending") && !s.equals("delivered"));
    }

    private static JsonPath awaitStatus(String id, Predicate<String> wanted) {
        return Deadline.await("message " + id + " in the status wanted", Duration.ofSeconds(20),
                () -> authed().get("/api/v1/edge/messages/" + id).then().statusCode(200).extract().jsonPath(),
                message -> wanted.test(message.getString("status")));
    }

    private static List<Map<String, Object>> send(String json) {
        return authed().contentType("application/json").body(json).post("/api/v1/edge/messages").then().statusCode(202)
                .extract().jsonPath().getList("$");
    }

    @Test
    void theSeedsShellCommandRunsAndItsOutputComesBackInTheAck() throws Exception {
        // Given / When: the seed's example, to this node
        List<Map<String, Object>> accepted = send("[{\"toNode\":\"test-node\",\"data\":[\"echo\",\"hello\",\"$HOME\"],"
                + "\"commandOrEvent\":\"command\",\"method\":\"shellCommand\"}]");

        // Then
        assertEquals(1, accepted.size());
        assertEquals("test-node.command.shellCommand", accepted.getFirst().get("subject"));
        assertEquals("pending", accepted.getFirst().get("status"));
        JsonPath done = awaitEnd((String) accepted.getFirst().get("id"));
        assertEquals("acked", done.getString("status"), done.prettify());
        assertEquals("hello $HOME\n", done.getString("output"));
        assertEquals(0, done.getInt("exitCode"));
        assertTrue(done.getString("ackedAt") != null);
        // and it is counted
        String metrics = io.restassured.RestAssured.given().get("/q/metrics").asString();
        assertTrue(metrics.matches("(?s).*netwarden_edge_messages_total\\{[^}]*method=\"shellCommand\"[^}]*node=\"test-node\""
                + "[^}]*outcome=\"acked\"[^}]*} [1-9].*"), "acked counted");
        assertTrue(metrics.matches("(?s).*netwarden_edge_delivery_seconds_count\\{[^}]*method=\"shellCommand\"[^}]*} [1-9].*"),
                "delivery time recorded");
        assertTrue(metrics.matches("(?s).*netwarden_edge_nodes_online(\\{[^}]*})? [1-9].*"), "nodes online");
    }

    @Test
    void anOutputWithNulBytesIsStoredAndAnsweredLikeAnyOther() throws Exception {
        // PostgreSQL's text holds no NUL: a binary output must not become an answer that can never be stored
        String id = (String) send("{\"toNode\":\"test-node\",\"data\":[\"echo\",\"-e\",\"a\\\\0b\"],"
                + "\"commandOrEvent\":\"command\",\"method\":\"shellCommand\"}").getFirst().get("id");
        JsonPath done = awaitEnd(id);
        assertEquals("acked", done.getString("status"), done.prettify());
        assertEquals("a\uFFFDb\n", done.getString("output"), "the NUL shown as U+FFFD");
    }

    @Test
    void aCommandOutsideTheAllowListFailsWithTheReason() throws Exception {
        List<Map<String, Object>> accepted = send("{\"toNode\":\"test-node\",\"data\":[\"rm\",\"-rf\",\"/\"],"
                + "\"commandOrEvent\":\"command\",\"method\":\"shellCommand\"}");
        String id = (String) accepted.getFirst().get("id");
        JsonPath done = awaitEnd(id);
        assertEquals("failed", done.getString("status"));
        assertEquals("not_allowed", done.getString("error"));
        // and the central's error log has it
        assertEquals("not_allowed", awaitError(id).get("error"));
    }

    /** Polls the error log for the entry of a message. */
    private static Map<String, Object> awaitError(String messageId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            List<Map<String, Object>> entries = authed().get("/api/v1/edge/errors?limit=1000").then().statusCode(200)
                    .extract().jsonPath().getList("$");
            Map<String, Object> entry = entries.stream().filter(e -> messageId.equals(e.get("messageId"))).findFirst().orElse(null);
            if (entry != null || System.nanoTime() > deadline) {
                return entry == null ? Map.of() : entry;
            }
            Thread.sleep(100);
        }
    }

    @Test
    void aMessageToANodeThatNeverAnswersExpires() throws Exception {
        List<Map<String, Object>> accepted = send("{\"toNode\":\"ship-never-there\",\"data\":[],\"commandOrEvent\":\"command\","
                + "\"method\":\"ping\",\"ttl\":\"1s\"}");
        String id = (String) accepted.getFirst().get("id");
        JsonPath done = awaitEnd(id);
        assertEquals("expired", done.getString("status"));
        assertEquals("expired", done.getString("error"));
        Map<String, Object> logged = awaitError(id);
        assertEquals("ship-never-there", logged.get("node"));
        assertEquals("ping", logged.get("method"));
        authed().get("/api/v1/edge/errors?node=ship-never-there").then().statusCode(200)
                .body("messageId", org.hamcrest.Matchers.hasItem(id));
        authed().get("/api/v1/edge/errors?node=a.b").then().statusCode(400).body("error", equalTo("invalid_parameter"));
    }

    @Test
    void pingAndTheListWithFilters() throws Exception {
        List<Map<String, Object>> accepted = send("{\"toNodes\":[\"test-node\"],\"data\":[],\"commandOrEvent\":\"command\","
                + "\"method\":\"ping\"}");
        JsonPath done = awaitEnd((String) accepted.getFirst().get("id"));
        assertEquals("acked", done.getString("status"));
        assertTrue(done.getString("output").contains("\"node\":\"test-node\""), done.getString("output"));
        authed().get("/api/v1/edge/messages?node=test-node&method=ping&status=acked&limit=1").then().statusCode(200)
                .body("$", hasSize(1)).body("[0].method", equalTo("ping"));
    }

    @Test
    void badMessagesAre400NamingTheField() {
        String[][] cases = {
            {"{\"toNode\":\"ship.1\",\"commandOrEvent\":\"command\",\"method\":\"ping\"}", "toNode"},
            {"{\"commandOrEvent\":\"command\",\"method\":\"ping\"}", "toNode (or toNodes) is required"},
            {"{\"toNode\":\"a\",\"commandOrEvent\":\"order\",\"method\":\"ping\"}", "commandOrEvent"},
            {"{\"toNode\":\"a\",\"commandOrEvent\":\"command\",\"method\":\"a b\"}", "method"},
            {"{\"toNode\":\"a\",\"commandOrEvent\":\"command\",\"method\":\"ping\",\"data\":[1]}", "data holds strings"},
            {"{\"toNode\":\"a\",\"commandOrEvent\":\"command\",\"method\":\"ping\",\"ttl\":\"99d\"}", "ttl"},
            {"{\"toNode\":\"a\",\"commandOrEvent\":\"command\",\"method\":\"ping\",\"retries\":-1}", "retries"},
            {"{\"toNode\":\"a\",\"commandOrEvent\":\"command\",\"method\":\"ping\",\"extra\":1}", "unknown field"},
            {"[]", "give 1-1000 messages"},
            {"[{\"toNode\":\"a\",\"commandOrEvent\":\"command\",\"method\":\"ping\"}, 5]", "[1] is not a JSON object"},
        };
        for (String[] c : cases) {
            String message = authed().contentType("application/json").body(c[0]).post("/api/v1/edge/messages").then()
                    .statusCode(400).body("error", equalTo("invalid_message")).extract().path("message");
            assertTrue(message.contains(c[1]), c[0] + " → " + message);
        }
        authed().get("/api/v1/edge/messages?status=done").then().statusCode(400).body("error", equalTo("invalid_parameter"));
        authed().get("/api/v1/edge/messages/no-such-id").then().statusCode(404).body("error", equalTo("not_found"));
    }

    @Inject
    io.netwarden.platform.messaging.Messaging messaging;

    private void hello(String node, io.netwarden.platform.crypto.Ed25519Key key) {
        messaging.publish(io.netwarden.edge.nodes.Hello.subject(node), io.netwarden.edge.nodes.Hello
                .signed(node, "9.9", List.of("edge-node"), key, java.time.Instant.now()).toJson());
    }

    private static Map<String, Object> node(String name) {
        List<Map<String, Object>> nodes = authed().get("/api/v1/edge/nodes").then().statusCode(200).extract().jsonPath().getList("$");
        return nodes.stream().filter(n -> name.equals(n.get("name"))).findFirst().orElse(null);
    }

    private static Map<String, Object> awaitNode(String name, Predicate<Map<String, Object>> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        Map<String, Object> node = node(name);
        while ((node == null || !state.test(node)) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            node = node(name);
        }
        return node;
    }

    @Test
    void nodesSayHelloJoinTheListAndGoOfflineWhenSilent() throws Exception {
        // this process says hello itself
        Map<String, Object> self = awaitNode("test-node", n -> Boolean.TRUE.equals(n.get("online")));
        assertTrue(self != null && ((String) self.get("keyFingerprint")).startsWith("SHA256:"), String.valueOf(self));

        // another node: joins with its key pinned, goes offline after three missed hellos
        String ship = "ship-" + Long.toHexString(System.nanoTime());
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("hello");
        var key = io.netwarden.platform.crypto.Ed25519Key.loadOrCreate(dir.resolve("k.pem"), dir.resolve("k.pub.pem"));
        hello(ship, key);
        Map<String, Object> joined = awaitNode(ship, n -> Boolean.TRUE.equals(n.get("online")));
        assertEquals(key.fingerprint(), joined.get("keyFingerprint"));
        assertEquals("9.9", joined.get("version"));
        // a hello with another key does not replace the pinned one
        var other = io.netwarden.platform.crypto.Ed25519Key.loadOrCreate(dir.resolve("o.pem"), dir.resolve("o.pub.pem"));
        hello(ship, other);
        Map<String, Object> offline = awaitNode(ship, n -> Boolean.FALSE.equals(n.get("online")));
        assertEquals(Boolean.FALSE, offline.get("online"), "offline after three missed hellos");
        assertEquals(key.fingerprint(), offline.get("keyFingerprint"));
        // a hello that is not signed by the key it carries is not taken
        byte[] forged = io.netwarden.edge.nodes.Hello.signed("forged-" + ship, "1", List.of(), key, java.time.Instant.now())
                .toJson();
        String text = new String(forged, java.nio.charset.StandardCharsets.UTF_8).replace("\"version\":\"1\"", "\"version\":\"2\"");
        messaging.publish(io.netwarden.edge.nodes.Hello.subject("forged-" + ship), text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        // an old hello (a replay, or a clock far off) refreshes nothing
        messaging.publish(io.netwarden.edge.nodes.Hello.subject("old-" + ship), io.netwarden.edge.nodes.Hello.signed("old-" + ship,
                "1", List.of(), key, java.time.Instant.now().minus(Duration.ofMinutes(20))).toJson());
        hello(ship, key); // back online
        awaitNode(ship, n -> Boolean.TRUE.equals(n.get("online")));
        assertEquals(null, node("forged-" + ship));
        assertEquals(null, node("old-" + ship));
        authed().delete("/api/v1/edge/nodes/" + ship).then().statusCode(204);
        authed().delete("/api/v1/edge/nodes/" + ship).then().statusCode(404);
    }

    @Test
    void aBroadcastGoesToEveryKnownNode() throws Exception {
        awaitNode("test-node", n -> Boolean.TRUE.equals(n.get("online")));
        int known = authed().get("/api/v1/edge/nodes").then().statusCode(200).extract().jsonPath().getList("$").size();
        List<Map<String, Object>> accepted = send("{\"toNode\":\"*\",\"data\":[],\"commandOrEvent\":\"command\","
                + "\"method\":\"ping\",\"ttl\":\"5s\"}");
        assertEquals(known, accepted.size());
        String mine = (String) accepted.stream().filter(a -> "test-node".equals(a.get("toNode"))).findFirst().orElseThrow().get("id");
        assertEquals("acked", awaitEnd(mine).getString("status"));
    }

    @Test
    void aLongCommandIsDeliveredWhileItRunsThenAcked() throws Exception {
        String id = (String) send("{\"toNode\":\"test-node\",\"data\":[\"sleep\",\"2\"],\"commandOrEvent\":\"command\","
                + "\"method\":\"shellCommand\",\"timeout\":\"10s\"}").getFirst().get("id");
        JsonPath running = awaitStatus(id, s -> !s.equals("pending"));
        assertEquals("delivered", running.getString("status"), "the node's receipt came before its answer");
        assertTrue(running.getString("deliveredAt") != null && running.getString("ackedAt") == null);
        JsonPath done = awaitEnd(id);
        assertEquals("acked", done.getString("status"));
        assertEquals(0, done.getInt("exitCode"));
        assertEquals(1, done.getInt("attempts"));
        assertEquals(running.getString("deliveredAt"), done.getString("deliveredAt"));
    }

    @Inject
    DurableDelivery delivery;

    @Test
    void aDeliveredMessageWithoutAnswerIsSentAgainWithBackoffThenFails() throws Exception {
        // a node that took the message, said so, and was never heard of again
        String ship = "ship-lost-" + Long.toHexString(System.nanoTime());
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("lost");
        Ed25519Key shipKey = Ed25519Key.loadOrCreate(dir.resolve("s.pem"), dir.resolve("s.pub.pem"));
        hello(ship, shipKey);
        awaitNode(ship, n -> Boolean.TRUE.equals(n.get("online")));
        String id = (String) send("{\"toNode\":\"" + ship + "\",\"data\":[],\"commandOrEvent\":\"command\","
                + "\"method\":\"ping\",\"timeout\":\"1s\",\"retries\":1}").getFirst().get("id");
        EdgeAck receipt = EdgeAck.receipt(id, ship);
        answerAs(ship, receipt.signed(shipKey.fingerprint(), shipKey.sign(receipt.signingBytes())));
        assertEquals("delivered", awaitStatus(id, s -> !s.equals("pending")).getString("status"));
        // due after timeout 1s + backoff 1s: sent again; then after 1s + 2s, with its one retry spent, failed
        JsonPath retried = Deadline.await("message " + id + " sent again", Duration.ofSeconds(10),
                () -> authed().get("/api/v1/edge/messages/" + id).then().statusCode(200).extract().jsonPath(),
                message -> message.getInt("attempts") >= 2);
        assertEquals(2, retried.getInt("attempts"), "sent again once");
        JsonPath done = awaitEnd(id);
        assertEquals("failed", done.getString("status"));
        assertEquals("no_answer", done.getString("error"));
        assertEquals(2, done.getInt("attempts"));
        assertEquals("no_answer", awaitError(id).get("error"));
        // an answer that comes after it failed changes nothing
        EdgeAck late = new EdgeAck(id, ship, true, "late", 0, false, Optional.empty(), "", false, Optional.empty(),
                Optional.empty());
        answerAs(ship, late.signed(shipKey.fingerprint(), shipKey.sign(late.signingBytes())));
        Thread.sleep(500);
        assertEquals("failed", authed().get("/api/v1/edge/messages/" + id).then().extract().jsonPath().getString("status"));
    }

    @Test
    void jsonAppendedToTheInboxFileIsSentAndABrokenEntryIsReported() throws Exception {
        java.nio.file.Path inbox = java.nio.file.Path.of("target/test-data/inmsg.txt");
        String marker = "from the inbox " + System.nanoTime();
        java.nio.file.Files.writeString(inbox, "{\"toNode\": broken}\n[\n{\n\"toNode\": \"test-node\",\n\"data\": [\"echo\",\""
                + marker + "\"],\n\"commandOrEvent\":\"command\",\n\"method\":\"shellCommand\"\n}\n]\n",
                java.nio.file.StandardOpenOption.APPEND);
        Map<String, Object> sent = Deadline.await("the inbox command acked", Duration.ofSeconds(20),
                () -> authed().get("/api/v1/edge/messages?node=test-node&method=shellCommand&status=acked").then()
                        .statusCode(200).extract().jsonPath().<Map<String, Object>>getList("$").stream()
                        .filter(m -> (marker + "\n").equals(m.get("output"))).findFirst(),
                Optional::isPresent).orElseThrow();
        assertEquals(0, sent.get("exitCode"));
        Deadline.await("the inbox file emptied", Duration.ofSeconds(10), () -> java.nio.file.Files.size(inbox), size -> size == 0);
        Deadline.await("the broken entry in the error log", Duration.ofSeconds(10),
                () -> authed().get("/api/v1/edge/errors?node=test-node").then().statusCode(200).extract().jsonPath()
                        .<Map<String, Object>>getList("$"),
                errors -> errors.stream().anyMatch(e -> "inbox".equals(e.get("method"))
                        && String.valueOf(e.get("errorText")).contains("not valid JSON")));
    }

    @Test
    void anAnswerNotSignedByTheNodesPinnedKeyIsDropped() throws Exception {
        String ship = "ship-signed-" + Long.toHexString(System.nanoTime());
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("ackkeys");
        Ed25519Key shipKey = Ed25519Key.loadOrCreate(dir.resolve("s.pem"), dir.resolve("s.pub.pem"));
        Ed25519Key forger = Ed25519Key.loadOrCreate(dir.resolve("f.pem"), dir.resolve("f.pub.pem"));
        hello(ship, shipKey);
        awaitNode(ship, n -> Boolean.TRUE.equals(n.get("online")));
        String id = (String) send("{\"toNode\":\"" + ship + "\",\"data\":[],\"commandOrEvent\":\"command\","
                + "\"method\":\"ping\"}").getFirst().get("id");
        EdgeAck answer = new EdgeAck(id, ship, true, "forged", 0, false, Optional.empty(), "", false, Optional.empty(),
                Optional.empty());
        answerAs(ship, answer); // unsigned
        answerAs(ship, answer.signed(forger.fingerprint(), forger.sign(answer.signingBytes()))); // another key
        // and to a node the central has no key of: nothing can be checked, nothing is taken
        String stranger = "ship-unknown-" + Long.toHexString(System.nanoTime());
        String toStranger = (String) send("{\"toNode\":\"" + stranger + "\",\"data\":[],\"commandOrEvent\":\"command\","
                + "\"method\":\"ping\",\"ttl\":\"3s\"}").getFirst().get("id");
        EdgeAck forgedForStranger = new EdgeAck(toStranger, stranger, true, "forged", 0, false, Optional.empty(), "", false,
                Optional.empty(), Optional.empty());
        answerAs(stranger, forgedForStranger);
        answerAs(stranger, forgedForStranger.signed(forger.fingerprint(), forger.sign(forgedForStranger.signingBytes())));
        assertEquals("expired", awaitEnd(toStranger).getString("status"), "the forged answers were not taken");
        // then the real one: the ship's own signature; the forged answers before it must not have been taken
        EdgeAck real = new EdgeAck(id, ship, true, "pong", 0, false, Optional.empty(), "", false, Optional.empty(),
                Optional.empty());
        answerAs(ship, real.signed(shipKey.fingerprint(), shipKey.sign(real.signingBytes())));
        JsonPath done = awaitEnd(id);
        assertEquals("acked", done.getString("status"));
        assertEquals("pong", done.getString("output"));
    }

    private void answerAs(String ship, EdgeAck ack) {
        delivery.publish(EdgeStreams.ACKS, new Outgoing(EdgeStreams.ackSubject("test-node", ship), Map.of(),
                EdgeAckWire.write(ack), Optional.empty()));
    }

    @Test
    void aMessageTooLargeToBeStoredIsA400AndNothingIsStored() {
        String euros = "\u20ac".repeat(400_000); // 400,000 characters (within the API's limit), 1,200,000 bytes as UTF-8
        int before = authed().get("/api/v1/edge/messages?node=test-node&method=textLogging&limit=1000").then().statusCode(200)
                .extract().jsonPath().getList("$").size();
        authed().contentType("application/json; charset=UTF-8").body(("{\"toNode\":\"test-node\",\"data\":[\"" + euros
                + "\"],\"commandOrEvent\":\"event\",\"method\":\"textLogging\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .post("/api/v1/edge/messages").then().statusCode(400).body("error", equalTo("invalid_message"))
                .body("message", org.hamcrest.Matchers.containsString("bytes as sent"));
        assertEquals(before, authed().get("/api/v1/edge/messages?node=test-node&method=textLogging&limit=1000").then()
                .statusCode(200).extract().jsonPath().getList("$").size());
        authed().contentType("application/json").body("{\"toNode\":\"test-node\",\"data\":[\"/a\",\"/b\"],"
                + "\"commandOrEvent\":\"event\",\"method\":\"copyFile\"}").post("/api/v1/edge/messages").then()
                .statusCode(400).body("message", org.hamcrest.Matchers.containsString("copyFile is sent as a command"));
    }

    @Test
    void aSmallBodyWithManyRecipientsThatWouldStoreTooMuchIsA400() {
        // 300 KB of data to 300 nodes: 90 MB as sent, from a body of 300 KB
        String data = "x".repeat(300_000);
        StringBuilder nodes = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            nodes.append(i == 0 ? "" : ",").append("\"ghost").append(i).append('"');
        }
        authed().contentType("application/json").body("{\"toNodes\":[" + nodes + "],\"data\":[\"" + data
                + "\"],\"commandOrEvent\":\"event\",\"method\":\"textLogging\"}").post("/api/v1/edge/messages").then()
                .statusCode(400).body("error", equalTo("invalid_message"))
                .body("message", org.hamcrest.Matchers.containsString("times recipients"));
        authed().get("/api/v1/edge/messages?node=ghost1").then().statusCode(200).body("size()", equalTo(0));
    }

    @Inject
    io.netwarden.platform.persistence.ActiveDatabase database;

    @Test
    void theNodeListTakesNoMoreThanItsMaximum() throws Exception {
        int known = authed().get("/api/v1/edge/nodes").then().statusCode(200).extract().jsonPath().getList("$").size();
        io.netwarden.edge.nodes.NodeRegistry list = new io.netwarden.edge.nodes.NodeRegistry(database.dataSource(), known + 1);
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("full");
        Ed25519Key key = Ed25519Key.loadOrCreate(dir.resolve("k.pem"), dir.resolve("k.pub.pem"));
        java.time.Instant now = java.time.Instant.now();
        String first = "ship-cap-a-" + Long.toHexString(System.nanoTime());
        String second = "ship-cap-b-" + Long.toHexString(System.nanoTime());
        assertEquals(io.netwarden.edge.nodes.NodeRegistry.Outcome.NEW,
                list.seen(io.netwarden.edge.nodes.Hello.signed(first, "1", List.of(), key, now), now));
        assertEquals(io.netwarden.edge.nodes.NodeRegistry.Outcome.FULL,
                list.seen(io.netwarden.edge.nodes.Hello.signed(second, "1", List.of(), key, now), now));
        assertEquals(io.netwarden.edge.nodes.NodeRegistry.Outcome.SEEN,
                list.seen(io.netwarden.edge.nodes.Hello.signed(first, "1", List.of(), key, now), now), "known nodes go on");
        authed().delete("/api/v1/edge/nodes/" + first).then().statusCode(204);
    }

    private static io.restassured.response.Response sendKeyed(String key, String json) {
        return authed().contentType("application/json").header("Idempotency-Key", key).body(json)
                .post("/api/v1/edge/messages");
    }

    private static int messagesTo(String node) {
        return authed().get("/api/v1/edge/messages?node=" + node).then().statusCode(200).extract().jsonPath().getList("$")
                .size();
    }

    @Test
    void aRepeatWithTheSameIdempotencyKeyGetsTheFirstMessagesAndSendsNothing() throws Exception {
        String node = "idem" + java.util.UUID.randomUUID().toString().substring(0, 8); // never answers: stays pending
        String key = java.util.UUID.randomUUID().toString();
        String body = "[{\"toNode\":\"" + node + "\",\"data\":[\"a\"],\"commandOrEvent\":\"event\",\"method\":\"textLogging\"},"
                + "{\"toNode\":\"" + node + "\",\"data\":[\"b\"],\"commandOrEvent\":\"event\",\"method\":\"textLogging\"}]";
        io.restassured.response.Response first = sendKeyed(key, body);
        first.then().statusCode(202).header("Idempotent-Replayed", (String) null);
        List<String> ids = first.jsonPath().getList("id");
        assertEquals(2, ids.size());

        io.restassured.response.Response again = sendKeyed(key, body.replace(",{", ", {")); // the same JSON, spaced otherwise
        again.then().statusCode(202).header("Idempotent-Replayed", "true");
        assertEquals(ids, again.jsonPath().getList("id"), "the first request's messages, in its order");
        assertEquals(List.of("pending", "pending"), again.jsonPath().getList("status"));
        assertEquals(2, messagesTo(node), "nothing sent again");

        sendKeyed(key, body.replace("\"a\"", "\"c\"")).then().statusCode(422)
                .body("error", equalTo("idempotency_key_reused"));
        assertEquals(2, messagesTo(node), "nothing sent for the other body");
        sendKeyed(java.util.UUID.randomUUID().toString(), body).then().statusCode(202);
        assertEquals(4, messagesTo(node), "another key is another request");

        sendKeyed(key, "[{\"method\":\"textLogging\",\"commandOrEvent\":\"event\",\"data\":[\"a\"],\"toNode\":\"" + node
                + "\"},{\"toNode\":\"" + node + "\",\"data\":[\"b\"],\"commandOrEvent\":\"event\",\"method\":\"textLogging\"}]")
                .then().statusCode(202).header("Idempotent-Replayed", "true"); // the same body, its fields in another order
        authed().contentType("application/json").header("Idempotency-Key", "one").header("Idempotency-Key", "two").body(body)
                .post("/api/v1/edge/messages").then().statusCode(400).body("error", equalTo("invalid_parameter"));
        for (String bad : new String[] {"", "a b", "x".repeat(129), "schl\u00fcssel"}) {
            sendKeyed(bad, body).then().statusCode(400).body("error", equalTo("invalid_parameter"));
        }
        assertEquals(4, messagesTo(node));
    }

    @Test
    void requestsWithOneIdempotencyKeyAtOnceStoreItsMessagesOnce() throws Exception {
        String node = "idem" + java.util.UUID.randomUUID().toString().substring(0, 8);
        String key = "at-once-" + java.util.UUID.randomUUID();
        String body = "{\"toNode\":\"" + node + "\",\"data\":[\"x\"],\"commandOrEvent\":\"event\",\"method\":\"textLogging\"}";
        List<java.util.concurrent.Future<io.restassured.response.Response>> answers = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            for (int i = 0; i < 8; i++) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return sendKeyed(key, body);
                }));
            }
            go.countDown();
        }
        java.util.Set<String> ids = new java.util.HashSet<>();
        int replayed = 0;
        for (var answer : answers) {
            io.restassured.response.Response response = answer.get();
            assertEquals(202, response.statusCode(), response.asString());
            ids.addAll(response.jsonPath().getList("id"));
            replayed += "true".equals(response.header("Idempotent-Replayed")) ? 1 : 0;
        }
        assertEquals(1, ids.size(), "every answer names the one message: " + ids);
        assertEquals(7, replayed);
        assertEquals(1, messagesTo(node));
    }
}
