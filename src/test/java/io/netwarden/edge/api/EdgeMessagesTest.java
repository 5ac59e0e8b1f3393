package io.netwarden.edge.api;

import static io.netwarden.testing.Api.authed;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The all-in-one process (no NATS: durable delivery in its database) sending steward messages to itself through the
 * API: node "test-node" signs, stores, receives, runs and answers.
 */
@QuarkusTest
class EdgeMessagesTest {

    /** Polls a message until it leaves pending. */
    private static JsonPath awaitEnd(String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            JsonPath message = authed().get("/api/v1/edge/messages/" + id).then().statusCode(200).extract().jsonPath();
            if (!"pending".equals(message.getString("status")) || System.nanoTime() > deadline) {
                return message;
            }
            Thread.sleep(50);
        }
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
    }

    @Test
    void aCommandOutsideTheAllowListFailsWithTheReason() throws Exception {
        List<Map<String, Object>> accepted = send("{\"toNode\":\"test-node\",\"data\":[\"rm\",\"-rf\",\"/\"],"
                + "\"commandOrEvent\":\"command\",\"method\":\"shellCommand\"}");
        JsonPath done = awaitEnd((String) accepted.getFirst().get("id"));
        assertEquals("failed", done.getString("status"));
        assertEquals("not_allowed", done.getString("error"));
    }

    @Test
    void aMessageToANodeThatNeverAnswersExpires() throws Exception {
        List<Map<String, Object>> accepted = send("{\"toNode\":\"ship-never-there\",\"data\":[],\"commandOrEvent\":\"command\","
                + "\"method\":\"ping\",\"ttl\":\"1s\"}");
        JsonPath done = awaitEnd((String) accepted.getFirst().get("id"));
        assertEquals("expired", done.getString("status"));
        assertEquals("expired", done.getString("error"));
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
            {"{\"toNode\":\"*\",\"commandOrEvent\":\"command\",\"method\":\"ping\"}", "broadcast"},
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
}
