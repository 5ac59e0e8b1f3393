package io.netwarden.dnc.jobs;

import static io.netwarden.testing.Api.authed;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** A flood of jobs against an unreachable element does not hold up the job of a healthy one. */
@QuarkusTest
class FairQueueingTest {

    @Test
    void aThousandJobsAgainstAnUnreachableElementDoNotDelayAHealthyOne() throws Exception {
        // Given: an element whose SNMP port swallows every request (each job takes its 1 s timeout) ...
        try (DatagramSocket blackHole = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            String down = TestElements.unanswering(blackHole.getLocalPort(), "1s");
            String healthy = TestElements.snmpV2c(TestEnv.snmpCommunity(), TestElements.SNMP_PORT);
            // ... and a thousand jobs for it (with the agent's 64 slots that used to be 1000 / 64 × 1 s ≈ 16 s of queue)
            String body = "{\"element\":\"" + down + "\",\"operation\":\"snmp.get\",\"oids\":[\"1.3.6.1.2.1.1.5.0\"],\"timeout\":\"30s\"}";
            ExecutorService callers = Executors.newFixedThreadPool(8);
            List<Future<Integer>> submitted = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                submitted.add(callers.submit(() -> authed().contentType("application/json").body(body).post("/api/v1/jobs").statusCode()));
            }
            for (Future<Integer> status : submitted) {
                assertEquals(202, status.get());
            }
            callers.shutdown();

            try {
                // When: a job for the healthy element
                long start = System.nanoTime();
                JsonPath job = authed().contentType("application/json")
                        .body("{\"element\":\"" + healthy + "\",\"operation\":\"snmp.get\",\"oids\":[\"1.3.6.1.2.1.1.5.0\"]}")
                        .post("/api/v1/jobs?wait=30s").then().statusCode(200).extract().jsonPath();
                Duration took = Duration.ofNanos(System.nanoTime() - start);

                // Then: it is answered at once, not after the flood
                assertEquals("succeeded", job.getString("status"), job.prettify());
                assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "the healthy element's job took " + took);
                // and the unreachable element has only its share of jobs with agents
                JsonPath running = authed().get("/api/v1/jobs?element=" + down + "&status=running&limit=1000").then()
                        .statusCode(200).extract().jsonPath();
                assertTrue(running.getList("$").size() <= 4, "running for the unreachable element: " + running.getList("$").size());
            } finally {
                // the jobs left fail as element_not_found once their element is gone
                authed().delete("/api/v1/elements/" + down).then().statusCode(204);
                Deadline.await("the flood's jobs to end", Duration.ofSeconds(60),
                        () -> authed().get("/api/v1/jobs?element=" + down + "&status=queued&limit=1000").then().extract()
                                .jsonPath().getList("$").size(), queued -> queued == 0);
            }
        }
    }
}
