package io.netwarden.dnc.jobs;

import static io.netwarden.testing.Api.authed;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.testing.Deadline;
import io.netwarden.testing.TestElements;
import io.netwarden.testing.TestEnv;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DELETE /api/v1/jobs/{id}: a queued job ends at once, a running one is stopped by its agent, a provision frees its lock. */
@QuarkusTest
class CancelJobTest {

    private static String submit(String body) {
        return authed().contentType("application/json").body(body).post("/api/v1/jobs").then().statusCode(202)
                .extract().path("id");
    }

    private static JsonPath job(String id) {
        return authed().get("/api/v1/jobs/" + id).then().statusCode(200).extract().jsonPath();
    }

    private static JsonPath awaitStatus(String id, String status) {
        return Deadline.await("job " + id + " " + status, Duration.ofSeconds(20), () -> job(id),
                j -> status.equals(j.getString("status")));
    }

    @Test
    void aQueuedJobEndsAtOnce() throws Exception {
        // Given: an element that swallows requests, with more jobs than it may have with agents (4), so the last waits
        try (DatagramSocket blackHole = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            String down = TestElements.unanswering(blackHole.getLocalPort(), "3s");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(submit("{\"element\":\"" + down + "\",\"operation\":\"snmp.get\",\"oids\":[\"1.3.6.1.2.1.1.5.0\"]}"));
            }
            String last = ids.getLast();
            assertEquals("queued", job(last).getString("status"));

            // When
            authed().delete("/api/v1/jobs/" + last).then().statusCode(200)
                    .body("status", equalTo("failed")).body("errorCode", equalTo("cancelled"));

            // Then
            assertEquals("cancelled", job(last).getString("errorCode"));
            authed().delete("/api/v1/jobs/" + last).then().statusCode(409).body("error", equalTo("job_finished"));
            authed().delete("/api/v1/jobs/00000000-0000-0000-0000-000000000000").then().statusCode(404)
                    .body("error", equalTo("job_not_found"));
            ids.subList(0, 4).forEach(id -> awaitStatus(id, "timed_out"));
        }
    }

    @Test
    void aRunningTelnetJobIsStoppedByItsAgent() {
        // Given: a command that would run for half a minute
        String element = TestElements.telnet(TestEnv.telnetPassword());
        String id = submit("{\"element\":\"" + element + "\",\"operation\":\"telnet.command\",\"commands\":[\"sleep 30; echo late\"],"
                + "\"timeout\":\"60s\"}");
        awaitStatus(id, "running");

        // When (the agent may have stopped it before the answer is written: then it shows the end already)
        JsonPath answer = authed().delete("/api/v1/jobs/" + id).then().statusCode(202).extract().jsonPath();
        assertTrue(answer.getString("status").equals("running") || "cancelled".equals(answer.getString("errorCode")),
                answer.prettify());

        // Then: it ends as cancelled long before the command would have
        JsonPath ended = Deadline.await("job " + id + " to end", Duration.ofSeconds(10), () -> job(id),
                j -> !j.getString("status").equals("running"));
        assertEquals("failed", ended.getString("status"), ended.prettify());
        assertEquals("cancelled", ended.getString("errorCode"), ended.prettify());
        // and the element takes the next job
        JsonPath next = authed().contentType("application/json")
                .body("{\"element\":\"" + element + "\",\"operation\":\"telnet.command\",\"commands\":[\"echo again-$((1+1))\"]}")
                .post("/api/v1/jobs?wait=30s").then().statusCode(200).extract().jsonPath();
        assertEquals("again-2", next.getString("result.outputs[0].output"), next.prettify());
    }

    @Test
    void aCancelledProvisionReleasesItsLock() {
        // Given: a provision holding the element's lock
        String element = TestElements.telnet(TestEnv.telnetPassword());
        String id = submit("{\"element\":\"" + element + "\",\"operation\":\"provision\",\"commands\":[\"sleep 30\"],\"timeout\":\"60s\"}");
        awaitStatus(id, "running");
        authed().get("/api/v1/elements/" + element + "/lock").then().statusCode(200).body("holder", equalTo("job:" + id));

        // When
        authed().delete("/api/v1/jobs/" + id).then().statusCode(202);

        // Then
        JsonPath ended = Deadline.await("provision " + id + " to end", Duration.ofSeconds(10), () -> job(id),
                j -> !j.getString("status").equals("running"));
        assertEquals("cancelled", ended.getString("errorCode"), ended.prettify());
        Deadline.await("the lock to be released", Duration.ofSeconds(10),
                () -> authed().get("/api/v1/elements/" + element + "/lock").statusCode(), status -> status == 404);
        JsonPath next = authed().contentType("application/json")
                .body("{\"element\":\"" + element + "\",\"operation\":\"provision\",\"commands\":[\"echo provisioned\"]}")
                .post("/api/v1/jobs?wait=30s").then().statusCode(200).extract().jsonPath();
        assertEquals("succeeded", next.getString("status"), next.prettify());
    }
}
