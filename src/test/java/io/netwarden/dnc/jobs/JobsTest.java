package io.netwarden.dnc.jobs;

import static io.netwarden.testing.Api.authed;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.testing.TestElements;
import io.netwarden.testing.TestEnv;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Jobs through the API, dispatcher, in-process bus and agent against the test snmpd. */
@QuarkusTest
class JobsTest {

    /** Collects JobFinished events as other roles in the process would see them. */
    @Singleton
    static class FinishedJobs {
        final List<JobFinished> seen = new CopyOnWriteArrayList<>();

        void on(@Observes JobFinished event) {
            seen.add(event);
        }
    }

    @jakarta.inject.Inject
    FinishedJobs finishedJobs;

    static final String SNMP_HOST = TestElements.SNMP_HOST;
    static final int SNMP_PORT = TestElements.SNMP_PORT;

    static JsonPath run(String element, String operation, String oids) {
        return authed().contentType("application/json")
                .body("{\"element\":\"" + element + "\",\"operation\":\"" + operation + "\",\"oids\":" + oids + "}")
                .post("/api/v1/jobs?wait=20s").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void snmpGetJobSucceedsWithTypedVarbindsAndItsHistory() {
        // Given
        String element = TestElements.snmpV2c(TestEnv.snmpCommunity(), SNMP_PORT);

        // When
        JsonPath job = run(element, "snmp.get", "[\"1.3.6.1.2.1.1.6.0\",\".1.3.6.1.2.1.1.3.0\"]");

        // Then
        assertEquals("succeeded", job.getString("status"));
        assertEquals(List.of(Map.of("oid", "1.3.6.1.2.1.1.6.0", "type", "OctetString", "value", "netwarden-test")),
                job.getList("result.varbinds").subList(0, 1));
        assertEquals("TimeTicks", job.getString("result.varbinds[1].type"));
        String id = job.getString("id");
        authed().get("/api/v1/jobs/" + id).then().statusCode(200)
                .body("transitions.status", equalTo(List.of("queued", "running", "succeeded")))
                .body("transitions[1].agent", equalTo("test-node"))
                .body("createdAt", org.hamcrest.Matchers.notNullValue())
                .body("finishedAt", org.hamcrest.Matchers.notNullValue());
        assertTrue(finishedJobs.seen.stream().anyMatch(e -> e.jobId().equals(id) && e.status().equals("succeeded")));
    }

    @Test
    void wholeAgentBulkwalkJobReturnsWhatSnmpbulkwalkReturns() throws Exception {
        // default timeout and retries: one slow answer among ~260 PDUs must not fail a walk on a busy test machine
        String element = TestElements.create("""
                {"name":"$NAME","address":"%s","snmp":{"port":%d,"community":"%s"}}""".formatted(SNMP_HOST, SNMP_PORT,
                TestEnv.snmpCommunity()));
        var theirs = io.netwarden.dnc.snmp.NetSnmpOutputAccess.walk(TestEnv.snmp(), TestEnv.snmpCommunity());
        JsonPath job = run(element, "snmp.bulkwalk", "[\"1.3.6.1\"]");
        assertEquals("succeeded", job.getString("status"));
        assertEquals(theirs, job.getList("result.varbinds.oid"), "same OIDs in the same order (result sent in parts)");
    }

    @Test
    void snmpV3AuthPrivJob() {
        String element = TestElements.create("""
                {"name":"$NAME","address":"%s","snmp":{"port":%d,"version":"v3","user":"%s","authProtocol":"SHA-256",
                 "authPassword":"%s","privProtocol":"AES","privPassword":"%s"}}""".formatted(SNMP_HOST, SNMP_PORT,
                TestEnv.snmpV3User(), TestEnv.snmpV3Auth(), TestEnv.snmpV3Priv()));
        JsonPath job = run(element, "snmp.walk", "[\"1.3.6.1.2.1.1\"]");
        assertEquals("succeeded", job.getString("status"));
        assertTrue(job.getList("result.varbinds.oid").contains("1.3.6.1.2.1.1.6.0"));
    }

    @Test
    void anElementGivenByHostNameIsResolvedByTheAgentWhenTheJobRuns() {
        // "localhost" comes from the hosts file: nothing leaves the machine; the API stores the name as it is
        String element = TestElements.create("""
                {"name":"$NAME","address":"localhost","snmp":{"port":%d,"community":"%s","timeout":"1s","retries":0}}"""
                .formatted(SNMP_PORT, TestEnv.snmpCommunity()));
        assertEquals("localhost", io.netwarden.testing.Api.authed().get("/api/v1/elements/" + element).then().statusCode(200)
                .extract().path("address"));
        assertEquals("succeeded", run(element, "snmp.get", "[\"1.3.6.1.2.1.1.5.0\"]").getString("status"));
    }

    @Test
    void wrongCommunityTimesOutClearlyAndTheAgentKeepsServing() {
        JsonPath failed = run(TestElements.snmpV2c("wrong-community", SNMP_PORT), "snmp.get", "[\"1.3.6.1.2.1.1.5.0\"]");
        assertEquals("timed_out", failed.getString("status"));
        assertEquals("timed_out", failed.getString("errorCode"));
        assertTrue(failed.getString("error").contains("no response from " + SNMP_HOST + ":" + SNMP_PORT), failed.getString("error"));

        assertEquals("succeeded", run(TestElements.snmpV2c(TestEnv.snmpCommunity(), SNMP_PORT), "snmp.get", "[\"1.3.6.1.2.1.1.5.0\"]")
                .getString("status"));
    }

    @Test
    void garbageBerFailsThatJobOnly() throws Exception {
        try (DatagramSocket garbage = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                byte[] buf = new byte[2048];
                while (!garbage.isClosed()) {
                    try {
                        DatagramPacket in = new DatagramPacket(buf, buf.length);
                        garbage.receive(in);
                        byte[] junk = "this is not BER".getBytes(StandardCharsets.US_ASCII);
                        garbage.send(new DatagramPacket(junk, junk.length, in.getSocketAddress()));
                    } catch (java.io.IOException closed) {
                        return;
                    }
                }
            });
            JsonPath job = run(TestElements.snmpV2c("public", garbage.getLocalPort()), "snmp.get", "[\"1.3.6.1.2.1.1.5.0\"]");
            assertEquals("failed", job.getString("status"));
            assertEquals("bad_response", job.getString("errorCode"));
            assertTrue(job.getString("error").contains("not valid SNMP"), job.getString("error"));
        }
        assertEquals("succeeded", run(TestElements.snmpV2c(TestEnv.snmpCommunity(), SNMP_PORT), "snmp.get", "[\"1.3.6.1.2.1.1.5.0\"]")
                .getString("status"));
    }

    @Test
    void badJobsAreRefusedAndCreateNothing() {
        String element = TestElements.snmpV2c(TestEnv.snmpCommunity(), SNMP_PORT);
        int before = authed().get("/api/v1/jobs?element=" + element).then().extract().jsonPath().getList("$").size();
        authed().contentType("application/json").body("{\"element\":\"no-such-element\",\"operation\":\"snmp.get\",\"oids\":[\"1.3.6\"]}")
                .post("/api/v1/jobs").then().statusCode(404).body("error", equalTo("element_not_found"));
        authed().contentType("application/json").body("{\"element\":\"" + element + "\",\"operation\":\"snmp.get\",\"oids\":[\"1.3.x\"]}")
                .post("/api/v1/jobs").then().statusCode(400).body("error", equalTo("malformed_oid"));
        authed().contentType("application/json").body("{\"element\":\"" + element + "\",\"operation\":\"snmp.set\",\"oids\":[\"1.3.6\"]}")
                .post("/api/v1/jobs").then().statusCode(400).body("error", equalTo("unknown_operation"))
                .body("message", containsString("snmp.bulkwalk"));
        authed().contentType("application/json").body("{\"element\":\"" + element + "\",\"operation\":\"snmp.get\"}")
                .post("/api/v1/jobs").then().statusCode(400).body("error", equalTo("malformed_oid"));
        authed().contentType("application/json").body("{\"element\":\"" + element + "\",\"operation\":\"telnet.command\",\"commands\":[\"x\"]}")
                .post("/api/v1/jobs").then().statusCode(400).body("error", equalTo("element_has_no_telnet"));
        authed().contentType("application/json").body("{\"element\":\"" + element + "\",\"operation\":")
                .post("/api/v1/jobs").then().statusCode(400).body("error", equalTo("malformed_json"));
        authed().contentType("application/json").body("{\"element\":\"" + element + "\",\"operation\":\"snmp.get\",\"oids\":[\"1.3.6\"]}")
                .post("/api/v1/jobs?wait=forever").then().statusCode(400).body("error", equalTo("invalid_duration"));
        assertEquals(before, authed().get("/api/v1/jobs?element=" + element).then().extract().jsonPath().getList("$").size());
        authed().get("/api/v1/jobs/" + UUID.randomUUID()).then().statusCode(404).body("error", equalTo("job_not_found"));
        authed().get("/api/v1/jobs?status=done").then().statusCode(400).body("error", equalTo("invalid_status"));
    }

    @Test
    void withoutWaitTheJobIsAcceptedAndFinishesLater() {
        String element = TestElements.snmpV2c(TestEnv.snmpCommunity(), SNMP_PORT);
        String id = authed().contentType("application/json")
                .body("{\"element\":\"" + element + "\",\"operation\":\"snmp.getbulk\",\"oids\":[\"1.3.6.1.2.1.2.2.1.2\"]}")
                .post("/api/v1/jobs").then().statusCode(202).body("status", equalTo("queued"))
                .header("Location", containsString("/api/v1/jobs/")).extract().path("id");
        long deadline = System.currentTimeMillis() + 10_000;
        String status = "queued";
        while (!status.equals("succeeded") && System.currentTimeMillis() < deadline) {
            status = authed().get("/api/v1/jobs/" + id).then().extract().path("status");
        }
        assertEquals("succeeded", status);
        authed().get("/api/v1/jobs?element=" + element + "&status=succeeded").then().statusCode(200).body("id", hasItem(id));
    }

    static JsonPath telnet(String element, String commands) {
        return authed().contentType("application/json")
                .body("{\"element\":\"" + element + "\",\"operation\":\"telnet.command\",\"commands\":" + commands + "}")
                .post("/api/v1/jobs?wait=30s").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void telnetCommandJobReturnsEachCommandsOutput() {
        JsonPath job = telnet(TestElements.telnet(TestEnv.telnetPassword()), "[\"echo hello-$((6*7))\",\"uname -s\"]");
        assertEquals("succeeded", job.getString("status"), job.prettify());
        assertEquals(List.of(Map.of("command", "echo hello-$((6*7))", "output", "hello-42"), Map.of("command", "uname -s", "output", "Linux")),
                job.getList("result.outputs"));
    }

    @Test
    void aWrongTelnetPasswordFailsWithLoginFailed() {
        JsonPath job = telnet(TestElements.telnet("not-the-password"), "[\"id\"]");
        assertEquals("failed", job.getString("status"));
        assertEquals("login_failed", job.getString("errorCode"));
        assertTrue(!job.prettify().contains("not-the-password"));
    }

    @Test
    void theVendorProfilesErrorPatternFailsTheJobWithTheOutputsSoFar() {
        JsonPath job = telnet(TestElements.telnet(TestEnv.telnetPassword()), "[\"echo step1\",\"nw_not_a_command\",\"echo step3\"]");
        assertEquals("failed", job.getString("status"));
        assertEquals("command_error", job.getString("errorCode"));
        assertEquals(List.of("echo step1", "nw_not_a_command"), job.getList("result.outputs.command"));
    }

    @Test
    void agentsAreListedWithTheElementsTheyReach() throws Exception {
        String element = TestElements.snmpV2c(TestEnv.snmpCommunity(), SNMP_PORT);
        run(element, "snmp.get", "[\"1.3.6.1.2.1.1.5.0\"]");
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            JsonPath agents = authed().get("/api/v1/agents").then().statusCode(200).extract().jsonPath();
            if (agents.getList("find { it.name == 'test-node' }.reachableElements").contains(element)) {
                assertTrue(agents.getBoolean("find { it.name == 'test-node' }.alive"));
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the agent's heartbeat never listed " + element);
    }
}
