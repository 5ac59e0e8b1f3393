package io.netwarden.edge.api;

import static io.netwarden.testing.Api.authed;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netwarden.testing.Deadline;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Staged rollouts in the all-in-one process: node "test-node" answers, nodes named ghost-… never do (their messages
 * expire after a 1 s ttl and count as failures).
 */
@QuarkusTest
class EdgeRolloutsTest {

    private static final String PING = "{\"commandOrEvent\":\"command\",\"method\":\"ping\",\"data\":[],\"ttl\":\"1s\"}";

    private static String start(String nodes, int waveSize, int maxFailures, String message) {
        return authed().contentType("application/json").body("{\"message\":" + message + ",\"nodes\":" + nodes
                + ",\"waveSize\":" + waveSize + ",\"maxFailures\":" + maxFailures + "}")
                .post("/api/v1/edge/rollouts").then().statusCode(202).body("status", equalTo("running"))
                .extract().path("id");
    }

    private static String startBytes(String nodes, int waveSize, int maxFailures, String message) {
        return authed().contentType("application/json; charset=UTF-8").body(("{\"message\":" + message + ",\"nodes\":" + nodes
                + ",\"waveSize\":" + waveSize + ",\"maxFailures\":" + maxFailures + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .post("/api/v1/edge/rollouts").then().statusCode(202).extract().path("id");
    }

    private static JsonPath awaitEnd(String id) {
        return Deadline.await("rollout " + id + " ended", Duration.ofSeconds(30),
                () -> authed().get("/api/v1/edge/rollouts/" + id).then().statusCode(200).extract().jsonPath(),
                r -> !r.getString("status").equals("running"));
    }

    private static String unique(String name) {
        return name + System.nanoTime();
    }

    @Test
    void aFailureWithinTheBudgetLetsTheNextWaveGoAndTheRolloutSucceeds() {
        String ghost = unique("ghost-a");
        String id = start("[\"" + ghost + "\",\"test-node\"]", 1, 1, PING);
        JsonPath done = awaitEnd(id);
        assertEquals("succeeded", done.getString("status"), done.prettify());
        assertEquals(1, done.getInt("failures"));
        assertEquals(2, done.getInt("waves"));
        List<Map<String, Object>> nodes = done.getList("nodes");
        assertEquals(List.of(ghost, "test-node"), nodes.stream().map(n -> n.get("node")).toList());
        assertEquals("expired", nodes.get(0).get("status"));
        assertEquals("acked", nodes.get(1).get("status"));
        authed().get("/api/v1/edge/messages/" + nodes.get(1).get("messageId")).then().statusCode(200)
                .body("status", equalTo("acked")).body("output", containsString("\"node\":\"test-node\""));
    }

    @Test
    void aSpentBudgetStopsTheRolloutAndTheLaterWavesAreNeverSent() {
        String a = unique("ghost-b");
        String b = unique("ghost-c");
        String id = start("[\"" + a + "\",\"" + b + "\",\"test-node\",\"" + unique("ghost-d") + "\"]", 2, 1, PING);
        JsonPath done = awaitEnd(id);
        assertEquals("failed", done.getString("status"), done.prettify());
        assertEquals(2, done.getInt("failures"));
        assertEquals(1, done.getInt("wave"));
        List<Map<String, Object>> nodes = done.getList("nodes");
        assertEquals("skipped", nodes.get(2).get("status"));
        assertNull(nodes.get(2).get("messageId"), "test-node was never sent the message");
        assertEquals("skipped", nodes.get(3).get("status"));
        assertNotNull(done.getString("reason"));
    }

    @Test
    void anAbortedRolloutSendsNothingMore() {
        String ghost = unique("ghost-e");
        String id = start("[\"" + ghost + "\",\"test-node\"]", 1, 0,
                "{\"commandOrEvent\":\"command\",\"method\":\"ping\",\"data\":[],\"ttl\":\"1h\"}");
        Deadline.await("the first wave sent", Duration.ofSeconds(10),
                () -> authed().get("/api/v1/edge/rollouts/" + id).then().extract().jsonPath().getString("nodes[0].status"),
                "pending"::equals);
        authed().post("/api/v1/edge/rollouts/" + id + "/abort").then().statusCode(200).body("status", equalTo("aborted"))
                .body("nodes[1].status", equalTo("skipped")).body("nodes[0].status", equalTo("pending"));
        authed().post("/api/v1/edge/rollouts/" + id + "/abort").then().statusCode(409).body("error", equalTo("rollout_ended"));
        authed().get("/api/v1/edge/rollouts").then().statusCode(200).body("find { it.id == '" + id + "' }.status",
                equalTo("aborted"));
    }

    @Test
    void badRolloutsAre400NamingTheField() {
        for (String[] bad : new String[][] {
                {"{\"message\":{\"toNode\":\"x\",\"commandOrEvent\":\"command\",\"method\":\"ping\"},\"nodes\":[\"a\"]}", "toNode"},
                {"{\"message\":" + PING + ",\"nodes\":[]}", "nodes"},
                {"{\"message\":" + PING + ",\"nodes\":[\"a.b\"]}", "nodes"},
                {"{\"message\":" + PING + ",\"nodes\":\"all\"}", "nodes"},
                {"{\"message\":" + PING + ",\"nodes\":[\"a\"],\"waveSize\":0}", "waveSize"},
                {"{\"message\":" + PING + ",\"nodes\":[\"a\"],\"maxFailures\":-1}", "maxFailures"},
                {"{\"message\":{\"commandOrEvent\":\"command\",\"method\":\"p.q\"},\"nodes\":[\"a\"]}", "message"},
                {"{\"message\":" + PING + ",\"nodes\":[\"a\"],\"extra\":1}", "unknown field"},
                {"[]", "body"}}) {
            authed().contentType("application/json").body(bad[0]).post("/api/v1/edge/rollouts").then().statusCode(400)
                    .body("error", equalTo("invalid_message")).body("message", containsString(bad[1]));
        }
        authed().get("/api/v1/edge/rollouts/no-such-rollout").then().statusCode(404);
        authed().post("/api/v1/edge/rollouts/no-such-rollout/abort").then().statusCode(404);
    }

    @Test
    void aWaveMessageThatCannotBeSentToItsNodeFailsAndIsCountedInsteadOfStallingTheRollout() {
        // the same message fits for a short node name and not for a 64-character one
        String longNode = "g" + "x".repeat(63);
        io.netwarden.edge.messages.EdgeMessage probe = new io.netwarden.edge.messages.EdgeMessage("00000000-0000-0000-0000-000000000000",
                "test-node", "g", io.netwarden.edge.messages.EdgeMessage.Kind.event, "textLogging", List.of(""),
                Duration.ofSeconds(30), java.time.Instant.now(), java.util.Optional.empty(), java.util.Optional.empty());
        int overhead = io.netwarden.edge.messages.EdgeWire.write(probe).length + 512;
        String line = "\u20ac".repeat((1_000_000 - overhead - 30) / 3); // 3 bytes each: within the API's character cap
        String id = startBytes("[\"g\",\"" + longNode + "\"]", 1, 2, "{\"commandOrEvent\":\"event\",\"method\":\"textLogging\","
                + "\"data\":[\"" + line + "\"],\"ttl\":\"1s\"}");
        JsonPath done = awaitEnd(id);
        assertEquals("succeeded", done.getString("status"), done.getString("reason"));
        assertEquals(2, done.getInt("failures"));
        assertEquals("failed", done.getString("nodes[1].status"));
        assertEquals("invalid_message", done.getString("nodes[1].error"));
    }
}
