package io.netwarden.dnc.jobs;

import static io.netwarden.testing.Api.authed;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.testing.TestElements;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Provisioning holds the element's lock: never two at once, operators can lock too, failures release it. */
@QuarkusTest
class ProvisionTest {

    private static String provision(String element, String commands, String extra) {
        return authed().contentType("application/json")
                .body("{\"element\":\"" + element + "\",\"operation\":\"provision\",\"commands\":" + commands + extra + "}")
                .post("/api/v1/jobs").then().statusCode(202).extract().path("id");
    }

    private static JsonPath awaitFinished(String id, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath job = authed().get("/api/v1/jobs/" + id).then().extract().jsonPath();
            if (JobStatus.parse(job.getString("status")).finished()) {
                return job;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("job " + id + " did not finish");
    }

    private static long[] interval(JsonPath job) {
        String[] stamps = job.getString("result.outputs[0].output").strip().split("\\s+");
        return new long[] {Long.parseLong(stamps[0]), Long.parseLong(stamps[stamps.length - 1])};
    }

    @Test
    void twoConcurrentProvisionsOnOneElementNeverOverlap() throws Exception {
        // Given
        String element = TestElements.telnet(io.netwarden.testing.TestEnv.telnetPassword());
        String commands = "[\"date +%s%N; sleep 1.5; date +%s%N\"]";

        // When: both submitted at once
        String first = provision(element, commands, "");
        String second = provision(element, commands, "");

        // Then: both succeed, one after the other, as the element's own clock says
        long[] a = interval(awaitFinished(first, Duration.ofSeconds(30)));
        long[] b = interval(awaitFinished(second, Duration.ofSeconds(30)));
        assertTrue(a[1] < b[0] || b[1] < a[0], "provisions overlapped: " + a[0] + "-" + a[1] + " and " + b[0] + "-" + b[1]);
        authed().get("/api/v1/elements/" + element + "/lock").then().statusCode(404).body("error", equalTo("not_locked"));
    }

    @Test
    void failFastOnALockedElement() throws Exception {
        String element = TestElements.telnet(io.netwarden.testing.TestEnv.telnetPassword());
        String holder = provision(element, "[\"sleep 2\"]", "");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (authed().get("/api/v1/elements/" + element + "/lock").statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        JsonPath refused = awaitFinished(provision(element, "[\"true\"]", ",\"onLocked\":\"fail\""), Duration.ofSeconds(10));
        assertEquals("failed", refused.getString("status"));
        assertEquals("element_locked", refused.getString("errorCode"));
        assertTrue(refused.getString("error").contains("job:" + holder), refused.getString("error"));
        assertEquals("succeeded", awaitFinished(holder, Duration.ofSeconds(30)).getString("status"));
    }

    @Test
    void anOperatorsLockHoldsProvisionsBackUntilReleased() throws Exception {
        String element = TestElements.telnet(io.netwarden.testing.TestEnv.telnetPassword());
        authed().contentType("application/json").body("{\"holder\":\"alice\",\"duration\":\"5m\",\"reason\":\"maintenance window\"}")
                .post("/api/v1/elements/" + element + "/lock").then().statusCode(201)
                .body("holder", equalTo("operator:alice")).body("reason", equalTo("maintenance window"));
        authed().contentType("application/json").body("{\"holder\":\"bob\"}")
                .post("/api/v1/elements/" + element + "/lock").then().statusCode(409).body("error", equalTo("element_locked"))
                .body("message", containsString("operator:alice"));

        String waiting = provision(element, "[\"echo applied\"]", "");
        Thread.sleep(2500);
        authed().get("/api/v1/jobs/" + waiting).then().body("status", equalTo("queued"));

        authed().delete("/api/v1/elements/" + element + "/lock").then().statusCode(204);
        JsonPath done = awaitFinished(waiting, Duration.ofSeconds(20));
        assertEquals("succeeded", done.getString("status"));
        assertEquals("applied", done.getString("result.outputs[0].output"));
    }

    @Test
    void aFailingProvisionReleasesTheLockAndAJobsLockNeedsForce() throws Exception {
        String element = TestElements.telnet(io.netwarden.testing.TestEnv.telnetPassword());
        JsonPath failed = awaitFinished(provision(element, "[\"echo one\",\"nw_not_a_command\",\"echo three\"]", ""), Duration.ofSeconds(20));
        assertEquals("command_error", failed.getString("errorCode"));
        authed().get("/api/v1/elements/" + element + "/lock").then().statusCode(404);

        String holder = provision(element, "[\"sleep 2\"]", "");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (authed().get("/api/v1/elements/" + element + "/lock").statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        authed().get("/api/v1/elements/" + element + "/lock").then().body("holder", startsWith("job:"));
        authed().delete("/api/v1/elements/" + element + "/lock").then().statusCode(409).body("message", containsString("force=true"));
        awaitFinished(holder, Duration.ofSeconds(20));
    }
}
